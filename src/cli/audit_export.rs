//! `pim audit export --format csv|json|jsonl [filters] [--output FILE]`: the audit log, oldest
//! first, streamed from one snapshot entry by entry, so a million entries take no more memory
//! than one.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::args::{AuditExportArgs, ExportFormat};
use super::output::write_json_compact;
use super::{CliError, CliResult, Env};
use crate::audit::export::{CSV_HEADER, csv_row, directory_audit};
use crate::store::OpenMode;
use crate::store::audit::StoredAudit;

/// Where the entries go, in which form.
enum Sink {
    Csv(Box<csv::Writer<Box<dyn Write>>>),
    Json {
        out: BufWriter<Box<dyn Write>>,
        first: bool,
    },
    Lines(BufWriter<Box<dyn Write>>),
}

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl Sink {
    fn new(format: ExportFormat, out: Box<dyn Write>) -> io::Result<Self> {
        Ok(match format {
            ExportFormat::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .buffer_capacity(1 << 16)
                    .from_writer(out);
                w.write_record(CSV_HEADER).map_err(csv_io)?;
                Sink::Csv(Box::new(w))
            }
            ExportFormat::Json => {
                let mut out = BufWriter::with_capacity(1 << 16, out);
                out.write_all(b"{\"value\":[")?;
                Sink::Json { out, first: true }
            }
            ExportFormat::Jsonl => Sink::Lines(BufWriter::with_capacity(1 << 16, out)),
        })
    }

    fn entry(&mut self, e: &StoredAudit) -> io::Result<()> {
        match self {
            Sink::Csv(w) => w.write_record(csv_row(&e.record, &e.hash)).map_err(csv_io),
            Sink::Json { out, first } => {
                if !*first {
                    out.write_all(b",")?;
                }
                *first = false;
                out.write_all(b"\n")?;
                write_json_compact(out, &directory_audit(&e.record, &e.hash, &e.prev_hash))
            }
            Sink::Lines(out) => {
                write_json_compact(out, &directory_audit(&e.record, &e.hash, &e.prev_hash))?;
                out.write_all(b"\n")
            }
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Sink::Csv(mut w) => w.flush(),
            Sink::Json { mut out, .. } => {
                out.write_all(b"\n]}\n")?;
                out.flush()
            }
            Sink::Lines(mut out) => out.flush(),
        }
    }
}

/// The format from `--format`, or from the output file's name.
fn format_of(a: &AuditExportArgs) -> Result<ExportFormat, CliError> {
    if let Some(f) = a.format {
        return Ok(f);
    }
    let ext = a
        .output
        .as_deref()
        .and_then(Path::extension)
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("csv") => Ok(ExportFormat::Csv),
        Some("json") => Ok(ExportFormat::Json),
        Some("jsonl" | "ndjson") => Ok(ExportFormat::Jsonl),
        _ => Err(CliError::usage(
            "give --format csv, json or jsonl (or an --output name ending in one of them)",
        )),
    }
}

/// A file the export is written to: a private temporary beside it, renamed over it at the end,
/// so a reader never sees half an export. The database's own files are refused.
struct Target {
    path: PathBuf,
    temp: PathBuf,
}

impl Target {
    fn open(path: &Path, db: &Path) -> Result<(Self, File), CliError> {
        let same = |a: &Path, b: &Path| {
            std::fs::canonicalize(a)
                .ok()
                .zip(std::fs::canonicalize(b).ok())
                .is_some_and(|(a, b)| a == b)
        };
        let db_files = ["", "-wal", "-shm", "-journal", ".key", ".anchor"].map(|suffix| {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        });
        if db_files.iter().any(|f| same(path, f)) {
            return Err(CliError::usage(format!(
                "{} is the database's own file; export somewhere else",
                path.display()
            )));
        }
        let name = path
            .file_name()
            .ok_or_else(|| CliError::usage(format!("{} names no file", path.display())))?;
        let temp = path.with_file_name(format!(
            ".{}.{}.partial",
            name.to_string_lossy(),
            std::process::id()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(&temp)
            .map_err(|e| CliError::error(format!("cannot write {}: {e}", path.display())))?;
        Ok((
            Self {
                path: path.to_owned(),
                temp,
            },
            file,
        ))
    }

    fn commit(&self) -> io::Result<()> {
        File::open(&self.temp)?.sync_all()?;
        std::fs::rename(&self.temp, &self.path)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        // Gone after a commit; removed after a failure.
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// `pim audit export`.
pub fn export(env: &Env, a: &AuditExportArgs) -> CliResult {
    let format = format_of(a)?;
    let token = env.token()?;
    let mut svc = env.open(OpenMode::Existing)?;
    svc.catch_up();
    let q = super::audit::query(&mut svc, &a.filter, None, i64::MAX)?;
    let (target, out): (Option<Target>, Box<dyn Write>) = match &a.output {
        Some(path) => {
            let (t, file) = Target::open(path, &env.db)?;
            (Some(t), Box::new(file))
        }
        None => (None, Box::new(io::stdout().lock())),
    };
    // Progress on the terminal, unless the entries themselves are going there.
    let show_progress = target.is_some() || !io::stdout().is_terminal();
    let mut sink = Sink::new(format, out).map_err(|e| write_failed(&e, target.as_ref()))?;
    let mut failure: Option<io::Error> = None;
    let mut n: u64 = 0;
    let started = Instant::now();
    let mut shown = started;
    let spinner = super::output::progress_spinner(!show_progress);
    svc.audit_each(&token, &q, &mut |e| {
        if let Err(err) = sink.entry(e) {
            failure = Some(err);
            return false;
        }
        n += 1;
        if shown.elapsed() > Duration::from_millis(100)
            && started.elapsed() > Duration::from_secs(1)
        {
            shown = Instant::now();
            spinner.set_message(format!("Exporting the audit log: {n} entries"));
            spinner.tick();
        }
        true
    })?;
    spinner.finish_and_clear();
    let done = match failure {
        Some(e) => Err(e),
        None => sink.finish(),
    };
    if let Err(e) = done {
        return Err(write_failed(&e, target.as_ref()));
    }
    if let Some(t) = &target {
        t.commit().map_err(|e| write_failed(&e, Some(t)))?;
        outln!("Exported {n} audit entries to {}.", t.path.display());
    }
    Ok(())
}

/// A reader that went away ends the program quietly, as everywhere; other write failures
/// are errors naming the file.
fn write_failed(e: &io::Error, target: Option<&Target>) -> CliError {
    match target {
        None if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        None => CliError::error(format!("writing the export failed: {e}")),
        Some(t) => CliError::error(format!("writing {} failed: {e}", t.path.display())),
    }
}
