//! Small input widgets: a cycling choice, a switch, and the activation duration slider.

use chrono::TimeDelta;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::policy::duration::format_duration;

/// One of a fixed set of options, changed with ←/→; the owner maps the index to a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    options: Vec<String>,
    index: usize,
}

impl Choice {
    /// Options in order, the selected one by index.
    pub fn new<S: Into<String>>(options: Vec<S>, index: usize) -> Self {
        let options: Vec<String> = options.into_iter().map(Into::into).collect();
        let index = index.min(options.len().saturating_sub(1));
        Self { options, index }
    }

    /// The selected index.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Moves the selection by one, stopping at the ends.
    pub fn step(&mut self, delta: i32) {
        let last = self.options.len().saturating_sub(1);
        self.index = if delta < 0 {
            self.index.saturating_sub(1)
        } else {
            (self.index + 1).min(last)
        };
    }

    /// The selected option between arrows, like a dropdown: `◀ 1 year ▶`.
    pub fn line(&self, focused: bool) -> Line<'static> {
        let label = self.options.get(self.index).map_or("", String::as_str);
        let style = if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        let dim = Style::new().add_modifier(Modifier::DIM);
        let left = if self.index > 0 {
            Span::raw("◀ ")
        } else {
            Span::styled("◀ ", dim)
        };
        let right = if self.index + 1 < self.options.len() {
            Span::raw(" ▶")
        } else {
            Span::styled(" ▶", dim)
        };
        Line::from(vec![left, Span::styled(format!(" {label} "), style), right])
    }
}

/// `[x]` / `[ ]`.
pub fn switch(on: bool) -> &'static str {
    if on { "[x]" } else { "[ ]" }
}

/// A duration picked in fixed steps between a minimum and a maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationSlider {
    value: TimeDelta,
    min: TimeDelta,
    max: TimeDelta,
    step: TimeDelta,
}

impl DurationSlider {
    /// A slider from `min` to `max` in `step`s, starting at `value` (clamped).
    pub fn new(value: TimeDelta, min: TimeDelta, max: TimeDelta, step: TimeDelta) -> Self {
        let mut s = Self {
            value,
            min,
            max,
            step,
        };
        s.set(value);
        s
    }

    /// The value.
    pub fn value(&self) -> TimeDelta {
        self.value
    }

    /// The maximum.
    pub fn max(&self) -> TimeDelta {
        self.max
    }

    /// Sets the value, clamped into range.
    pub fn set(&mut self, value: TimeDelta) {
        self.value = value.clamp(self.min, self.max.max(self.min));
    }

    /// Moves by `n` steps.
    pub fn step(&mut self, n: i32) {
        self.set(self.value + self.step * n);
    }

    /// `━━━━━━●──────  4h (of 8h)` in `width` cells for the bar.
    pub fn line(&self, focused: bool, width: usize) -> Line<'static> {
        let width = width.max(4);
        let span = (self.max - self.min).num_seconds().max(1);
        let last = width as i64 - 1;
        // Rounded to the nearest cell; off the ends unless the value is at an end.
        let along = (self.value - self.min).num_seconds();
        let mut pos = (along * last * 2 + span) / (span * 2);
        if along > 0 {
            pos = pos.max(1);
        }
        if self.value < self.max {
            pos = pos.min(last - 1);
        }
        let pos = usize::try_from(pos.clamp(0, last)).unwrap_or(0);
        let bar: String = (0..width)
            .map(|i| {
                if i < pos {
                    '━'
                } else if i == pos {
                    '●'
                } else {
                    '─'
                }
            })
            .collect();
        let value = Span::styled(
            format!(" {} ", format_duration(self.value)),
            if focused {
                Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else {
                Style::new().add_modifier(Modifier::BOLD)
            },
        );
        Line::from(vec![
            Span::raw(bar),
            Span::raw(" "),
            value,
            Span::raw(format!(" of {}", format_duration(self.max))),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slider_stays_within_the_cap() {
        let mut s = DurationSlider::new(
            TimeDelta::hours(8),
            TimeDelta::minutes(30),
            TimeDelta::hours(8),
            TimeDelta::minutes(30),
        );
        s.step(1);
        assert_eq!(s.value(), TimeDelta::hours(8));
        s.step(-2);
        assert_eq!(s.value(), TimeDelta::hours(7));
        s.step(-100);
        assert_eq!(s.value(), TimeDelta::minutes(30));
    }

    #[test]
    fn choices_stop_at_the_ends() {
        let mut c = Choice::new(vec!["one", "two"], 1);
        c.step(1);
        assert_eq!(c.index(), 1);
        c.step(-1);
        c.step(-1);
        assert_eq!(c.index(), 0);
    }
}
