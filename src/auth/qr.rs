//! Enrolment QR codes for a terminal. Each character cell is an upper half block (`▀`) whose
//! foreground is the upper module and whose background the lower one, both with explicit
//! colours (black #000000 and white #ffffff of the 256-colour palette), inside a four-module
//! white quiet zone: the code is dark on light whatever the terminal's theme, as a phone's
//! camera expects.

use qrcode::{Color, EcLevel, QrCode};

/// Modules of quiet zone around the code (the standard's minimum).
pub const QUIET_ZONE: usize = 4;
/// The 256-colour palette index drawn for a dark module (#000000).
pub const DARK: u8 = 16;
/// The 256-colour palette index drawn for a light module (#ffffff).
pub const LIGHT: u8 = 231;

/// A QR code as modules, quiet zone included; `true` is dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qr {
    /// Rows of modules.
    pub modules: Vec<Vec<bool>>,
}

impl Qr {
    /// The code for `text` (error correction L: the smallest code, for small terminals).
    pub fn new(text: &str) -> Option<Self> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L).ok()?;
        let width = code.width();
        let colors = code.to_colors();
        let side = width + 2 * QUIET_ZONE;
        let mut modules = vec![vec![false; side]; side];
        for (i, c) in colors.iter().enumerate() {
            modules[QUIET_ZONE + i / width][QUIET_ZONE + i % width] = *c == Color::Dark;
        }
        Some(Self { modules })
    }

    /// Modules per side.
    pub fn side(&self) -> usize {
        self.modules.len()
    }

    /// Character rows: each cell the (upper, lower) modules it draws, `true` dark.
    pub fn cells(&self) -> Vec<Vec<(bool, bool)>> {
        self.modules
            .chunks(2)
            .map(|pair| {
                let upper = &pair[0];
                let lower = pair.get(1);
                upper
                    .iter()
                    .enumerate()
                    .map(|(x, &u)| (u, lower.is_some_and(|l| l[x])))
                    .collect()
            })
            .collect()
    }

    /// The code with ANSI 256-colour escapes, one line per character row, each line ending
    /// with a reset.
    pub fn ansi(&self) -> String {
        let colour = |dark: bool| if dark { DARK } else { LIGHT };
        let mut out = String::new();
        for row in self.cells() {
            let mut last = None;
            for (upper, lower) in row {
                if last != Some((upper, lower)) {
                    out.push_str(&format!(
                        "\x1b[38;5;{};48;5;{}m",
                        colour(upper),
                        colour(lower)
                    ));
                    last = Some((upper, lower));
                }
                out.push('▀');
            }
            out.push_str("\x1b[0m\n");
        }
        out
    }

    /// The code without colours, for files and pipes: dark modules drawn with block
    /// characters, light ones as spaces (read on a light background).
    pub fn plain(&self) -> String {
        self.cells()
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| match c {
                        (true, true) => '█',
                        (true, false) => '▀',
                        (false, true) => '▄',
                        (false, false) => ' ',
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Test support: a picture of drawn cells decoded by an independent QR reader.
#[cfg(test)]
pub mod scan {
    /// A terminal theme's default colours as grey levels: (foreground, background).
    pub const LIGHT_THEME: (u8, u8) = (20, 250);
    /// A dark theme's.
    pub const DARK_THEME: (u8, u8) = (230, 10);

    /// Decodes a picture of character cells, each given as (glyph, foreground grey,
    /// background grey), as a camera would see the screen: every cell 4 pixels wide and 8
    /// high, the upper and lower halves coloured by the glyph.
    pub fn decode(cells: &[Vec<(char, u8, u8)>]) -> Option<String> {
        const W: usize = 4;
        const H: usize = 8;
        let rows = cells.len();
        let cols = cells.iter().map(Vec::len).max()?;
        let grey = |x: usize, y: usize| -> u8 {
            let Some(&(glyph, fg, bg)) = cells.get(y / H).and_then(|r| r.get(x / W)) else {
                return 255;
            };
            let upper = (y % H) < H / 2;
            match (glyph, upper) {
                ('█', _) | ('▀', true) | ('▄', false) => fg,
                _ => bg,
            }
        };
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(cols * W, rows * H, grey);
        img.detect_grids()
            .into_iter()
            .find_map(|g| g.decode().ok().map(|(_, text)| text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/PIM%20Console:pimuser%40pimlab.onmicrosoft.com?secret=XUU2KMHHFZWGTWMDUXO7O5YNW37OMU56&issuer=PIM%20Console";

    /// The ANSI form as a terminal shows it, with the theme's defaults where no colour is set.
    fn through_a_terminal(ansi: &str, theme: (u8, u8)) -> Vec<Vec<(char, u8, u8)>> {
        let rows = u16::try_from(ansi.lines().count() + 1).unwrap();
        let mut term = vt100::Parser::new(rows, 120, 0);
        term.process(ansi.replace('\n', "\r\n").as_bytes());
        let grey = |c: vt100::Color, default: u8| match c {
            vt100::Color::Default => default,
            vt100::Color::Idx(DARK) => 0,
            vt100::Color::Idx(LIGHT) => 255,
            vt100::Color::Idx(i) => {
                if i < 8 {
                    40
                } else {
                    200
                }
            }
            vt100::Color::Rgb(r, g, b) => ((u16::from(r) + u16::from(g) + u16::from(b)) / 3) as u8,
        };
        (0..rows)
            .map(|r| {
                (0..120)
                    .map(|c| {
                        let cell = term.screen().cell(r, c).unwrap();
                        let glyph = cell.contents().chars().next().unwrap_or(' ');
                        (
                            glyph,
                            grey(cell.fgcolor(), theme.0),
                            grey(cell.bgcolor(), theme.1),
                        )
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_terminal_form_scans_on_light_and_dark_themes() {
        let q = Qr::new(URI).unwrap();
        for theme in [scan::LIGHT_THEME, scan::DARK_THEME] {
            let cells = through_a_terminal(&q.ansi(), theme);
            assert_eq!(
                scan::decode(&cells).as_deref(),
                Some(URI),
                "theme {theme:?}"
            );
        }
        // The plain form (for files) reads dark on light, as a printed page would.
        let plain: Vec<Vec<(char, u8, u8)>> = q
            .plain()
            .lines()
            .map(|l| l.chars().map(|c| (c, 0, 255)).collect())
            .collect();
        assert_eq!(scan::decode(&plain).as_deref(), Some(URI));
    }

    #[test]
    fn the_code_has_a_white_quiet_zone_and_square_modules() {
        let q = Qr::new("otpauth://totp/PIM%20Console:a%40b.c?secret=JBSWY3DPEHPK3PXP").unwrap();
        let side = q.side();
        assert!(q.modules.iter().all(|r| r.len() == side));
        for i in 0..side {
            for z in 0..QUIET_ZONE {
                assert!(!q.modules[z][i] && !q.modules[side - 1 - z][i]);
                assert!(!q.modules[i][z] && !q.modules[i][side - 1 - z]);
            }
        }
        // The finder pattern's corner is dark.
        assert!(q.modules[QUIET_ZONE][QUIET_ZONE]);
        assert_eq!(q.cells().len(), side.div_ceil(2));
        let ansi = q.ansi();
        assert!(
            ansi.contains("\x1b[38;5;231;48;5;231m"),
            "light quiet zone drawn light"
        );
        assert_eq!(ansi.lines().count(), side.div_ceil(2));
        assert!(ansi.lines().all(|l| l.ends_with("\x1b[0m")));
    }
}
