//! `pim doctor`: everything that has to hold for pim to be trusted, checked in one go and
//! reported in one screen: the files' permissions, the schema, SQLite's own integrity checks,
//! the audit chain and anchor, the assignments against the log, the key, the clocks.
//! Each check stands alone, so a database that cannot be opened still gets its file checks.

use std::path::Path;

use serde::Serialize;

use super::{Guard, ServiceError, ServiceResult};
use crate::audit::anchor::AnchorState;
use crate::audit::{AuditEntry, activity};
use crate::clock::Time;
use crate::policy::duration::format_utc;
use crate::store::{self, OpenMode, files, keys};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// As it should be.
    Ok,
    /// Worth knowing, not a fault (no anchor yet, a lab clock moved ahead).
    Note,
    /// Wrong: pim refuses, or cannot be trusted, until it is put right.
    Problem,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// How it came out.
    pub verdict: Verdict,
    /// What was found.
    pub detail: String,
}

impl Check {
    fn new(name: &'static str, verdict: Verdict, detail: impl Into<String>) -> Self {
        Self {
            name,
            verdict,
            detail: detail.into(),
        }
    }
}

/// A file beside the database: there and private, or missing (`missing` says whether that
/// is a problem and why).
fn file_check(name: &'static str, path: &Path, missing: Option<(Verdict, &str)>) -> Check {
    match files::check_file(path) {
        Ok(Some(_)) => Check::new(
            name,
            Verdict::Ok,
            format!("{} (0600, yours)", path.display()),
        ),
        Ok(None) => match missing {
            Some((verdict, why)) => Check::new(name, verdict, format!("{}: {why}", path.display())),
            None => Check::new(name, Verdict::Ok, format!("{}: none", path.display())),
        },
        Err(e) => Check::new(name, Verdict::Problem, e.to_string()),
    }
}

impl super::Service {
    /// Runs every check on the database at `db`; also returns the engine when the database
    /// opened, for the face to run its own checks (sessions) with.
    pub fn doctor(db: &Path) -> (Vec<Check>, Option<Self>) {
        if db.to_str().is_some_and(store::pg::is_url) {
            return Self::doctor_server(db);
        }
        let mut out = Vec::new();
        let dir = files::parent_of(db);
        out.push(match files::check_dir(&dir) {
            Ok(()) => Check::new(
                "Directory",
                Verdict::Ok,
                format!("{} (others cannot write to it)", dir.display()),
            ),
            Err(e) => Check::new("Directory", Verdict::Problem, e.to_string()),
        });
        out.push(file_check(
            "Database",
            db,
            Some((Verdict::Problem, "missing")),
        ));
        for (name, suffix) in [("Write-ahead log", "-wal"), ("Shared memory", "-shm")] {
            let path = store::companion(db, suffix);
            if path.exists() {
                let mut check = file_check(name, &path, None);
                let held = store::log_size(db).unwrap_or(0);
                if suffix == "-wal" && check.verdict == Verdict::Ok && held > store::log_bytes(0) {
                    // The latest changes live in the log until it is folded into the file.
                    check.detail.push_str(&format!(
                        "; it holds the latest {} KiB of changes, not yet folded into {}: copy the database with `pim backup`, not the file alone",
                        held.div_ceil(1024),
                        db.file_name().map_or_else(|| db.display().to_string(), |n| n.to_string_lossy().into_owned())
                    ));
                }
                out.push(check);
            }
        }
        let mut svc = match Self::open(db, OpenMode::Existing) {
            Ok(svc) => svc,
            Err(e) => {
                out.push(Check::new("Opening", Verdict::Problem, e.to_string()));
                return (out, None);
            }
        };
        let needs_key = svc.store.sealed_count().unwrap_or(0) > 0;
        out.push(file_check(
            "Key",
            &keys::key_path(db),
            needs_key.then_some((
                Verdict::Problem,
                "missing: nobody can sign in until it is put back",
            )),
        ));
        out.push(file_check(
            "Anchor",
            &store::anchor::anchor_path(db),
            Some((Verdict::Note, "none yet")),
        ));
        out.extend(svc.database_checks());
        (out, Some(svc))
    }

    /// [`Self::doctor`] on a PostgreSQL server: no files of its own but this host's anchor.
    fn doctor_server(db: &Path) -> (Vec<Check>, Option<Self>) {
        let mut out = Vec::new();
        let mut svc = match Self::open(db, OpenMode::Existing) {
            Ok(svc) => svc,
            Err(e) => {
                out.push(Check::new("Server", Verdict::Problem, e.to_string()));
                return (out, None);
            }
        };
        out.push(Check::new(
            "Server",
            Verdict::Ok,
            format!("PostgreSQL at {}", svc.store.health().location),
        ));
        let needs_key = svc.store.sealed_count().unwrap_or(0) > 0;
        out.push(if svc.sealer.has_key() || !needs_key {
            Check::new(
                "Key",
                Verdict::Ok,
                "kept in the database, behind the server's access control",
            )
        } else {
            Check::new(
                "Key",
                Verdict::Problem,
                "missing from the database: nobody can sign in",
            )
        });
        if let Some(anchor) = svc.anchor_path.clone() {
            out.push(file_check(
                "Anchor",
                &anchor,
                Some((Verdict::Note, "none yet")),
            ));
        }
        out.extend(svc.database_checks());
        (out, Some(svc))
    }

    fn database_checks(&mut self) -> Vec<Check> {
        let mut out = Vec::new();
        let health = self.store.health();
        let version = health.schema_version.unwrap_or(-1);
        out.push(Check::new(
            "Schema",
            if version == health.schema_expected {
                Verdict::Ok
            } else {
                Verdict::Problem
            },
            format!(
                "version {version} (this pim writes {})",
                health.schema_expected
            ),
        ));
        if health.server {
            out.push(Check::new(
                "Integrity",
                Verdict::Ok,
                "pages and foreign keys are the server's to check (it enforces every reference)",
            ));
            out.extend(self.audit_checks());
            out.push(self.clock_check());
            return out;
        }
        out.push(match health.quick_check {
            Ok(ok) if ok == "ok" => Check::new("Integrity", Verdict::Ok, "quick_check: ok"),
            Ok(found) => Check::new(
                "Integrity",
                Verdict::Problem,
                format!("quick_check: {found}; restore a backup with `pim restore FILE`"),
            ),
            Err(e) => Check::new("Integrity", Verdict::Problem, e),
        });
        out.push(match health.orphans {
            Ok(0) => Check::new("Foreign keys", Verdict::Ok, "every reference resolves"),
            Ok(n) => Check::new(
                "Foreign keys",
                Verdict::Problem,
                format!("{n} rows point at rows that do not exist (edited by hand)"),
            ),
            Err(e) => Check::new("Foreign keys", Verdict::Problem, e),
        });
        out.extend(self.audit_checks());
        out.push(self.clock_check());
        out
    }

    fn audit_checks(&mut self) -> Vec<Check> {
        let v = match self.verify_audit(None, &mut |_, _, _| {}) {
            Ok(v) => v,
            Err(e) => return vec![Check::new("Audit log", Verdict::Problem, e.to_string())],
        };
        let chain = match &v.fault {
            None => Check::new(
                "Audit chain",
                Verdict::Ok,
                format!("{} entries, every hash links", v.verified),
            ),
            Some((_, entry)) => Check::new(
                "Audit chain",
                Verdict::Problem,
                format!(
                    "entry #{} was changed, removed or reordered ({} before it verify)",
                    entry.record.seq, v.verified
                ),
            ),
        };
        let anchor = match &v.anchor {
            AnchorState::Matches { anchored, head } => Check::new(
                "Audit anchor",
                Verdict::Ok,
                format!("the log extends the anchored entry #{anchored} (newest #{head})"),
            ),
            AnchorState::Fresh | AnchorState::NotYetAnchored { .. } => Check::new(
                "Audit anchor",
                Verdict::Note,
                "not anchored yet; the next change anchors the log",
            ),
            AnchorState::Broken { problem } => Check::new(
                "Audit anchor",
                Verdict::Problem,
                format!("{problem}; changes are refused until `pim audit reanchor`"),
            ),
        };
        let a = &v.assignments;
        let assignments = if a.mismatches.is_empty() {
            Check::new(
                "Assignments",
                Verdict::Ok,
                format!(
                    "{} current, each as the audited operations made it",
                    a.checked
                ),
            )
        } else {
            Check::new(
                "Assignments",
                Verdict::Problem,
                format!(
                    "{} of {} current assignments differ from the log (first: {} for {}); `pim audit verify` names them",
                    a.mismatches.len(),
                    a.checked,
                    a.mismatches[0].role,
                    a.mismatches[0].user
                ),
            )
        };
        vec![chain, anchor, assignments]
    }

    fn clock_check(&mut self) -> Check {
        let real = self.clock.now();
        let mark = self.store.real_time_mark().ok().flatten();
        let offset = self.store.stored_clock_offset().ok().flatten().unwrap_or(0);
        if crate::clock::lab_offset(offset).is_none() {
            return Check::new(
                "Clocks",
                Verdict::Problem,
                format!(
                    "the lab clock's stored offset ({offset} s) is out of range; `pim clock reset` repairs it"
                ),
            );
        }
        match mark {
            Some(m) if m - real > super::CLOCK_TOLERANCE => Check::new(
                "Clocks",
                Verdict::Problem,
                format!(
                    "the system clock ({}) is behind the newest time this database has seen ({}); signing in and activating are refused. Set the clock right, or if it is right now, `pim doctor --accept-clock`",
                    format_utc(real),
                    format_utc(m)
                ),
            ),
            _ if offset != 0 => Check::new(
                "Clocks",
                Verdict::Note,
                format!(
                    "system clock {}; the lab clock runs {} {} it",
                    format_utc(real),
                    crate::policy::duration::format_duration(chrono::TimeDelta::seconds(
                        offset.abs()
                    )),
                    if offset > 0 { "ahead of" } else { "behind" }
                ),
            ),
            _ => Check::new(
                "Clocks",
                Verdict::Ok,
                format!(
                    "system clock {}, not behind any time this database has seen",
                    format_utc(real)
                ),
            ),
        }
    }

    /// `pim doctor --accept-clock`: the system clock is right and the newest time the
    /// database had seen was the mistake (a clock that ran ahead). Lowers the mark to now;
    /// audited. No sign-in is needed (signing in is what the wrong mark refuses); only the
    /// owner of the database file can run pim on it at all.
    pub fn accept_clock(&mut self) -> ServiceResult<Option<Time>> {
        self.transact(Guard::Open, |tx, real, _| {
            let before = tx.real_time_mark()?;
            if before.is_none_or(|m| m <= real) {
                return Ok(None);
            }
            tx.set_real_time_mark(real)?;
            let now = match tx.tenant()? {
                Some(t) => real + t.clock_offset,
                None => return Err(ServiceError::NoTenant),
            };
            super::record(
                tx,
                AuditEntry::new(activity::Activity::ClockAccepted, now)
                    .detail("newest_time_seen", before)
                    .detail("system_time", real),
                real,
            )?;
            Ok(before)
        })
    }
}
