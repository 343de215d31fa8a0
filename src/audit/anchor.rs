//! The audit log's anchor and checkpoints: the head of the log (sequence number and hash)
//! kept outside the database, so that deleting the newest entries, emptying the log or putting
//! back an older copy of the database is noticed. The chain alone cannot see any of these: a
//! shorter chain is still a valid chain (Ma & Tsudik; see reliability.md §4).
//!
//! Pure: parsing, formatting and judging; the store reads and writes the file.

use std::fmt;

use chrono::{DateTime, NaiveDateTime};
use serde::Serialize;

use crate::clock::Time;

const ANCHOR_HEADER: &str = "pim-console audit-anchor v1";
/// How a checkpoint starts: product and format version.
const CHECKPOINT_PREFIX: &str = "pimcp1";
/// Hex digits of the entry hash a checkpoint keeps (128 bits: short enough to copy, far too
/// long to forge).
const CHECKPOINT_HASH_HEX: usize = 32;
/// Hex digits of the database identity a checkpoint keeps.
const CHECKPOINT_DB_HEX: usize = 8;

/// The head of the log as last written by pim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// The database the log belongs to.
    pub database_id: String,
    /// The newest entry's sequence number.
    pub seq: i64,
    /// The newest entry's hash.
    pub hash: String,
    /// When the anchor was written (real time).
    pub written: Time,
}

impl Anchor {
    /// The anchor file's text.
    pub fn to_text(&self) -> String {
        format!(
            "{ANCHOR_HEADER}\ndatabase {}\nseq {}\nhash {}\nwritten {}\n",
            self.database_id,
            self.seq,
            self.hash,
            self.written.timestamp()
        )
    }

    /// Reads an anchor file's text; `None` when it is not one.
    pub fn from_text(text: &str) -> Option<Anchor> {
        let mut lines = text.lines();
        if lines.next()? != ANCHOR_HEADER {
            return None;
        }
        let mut field = |name: &str| {
            lines
                .next()?
                .strip_prefix(name)?
                .strip_prefix(' ')
                .map(str::to_owned)
        };
        let database_id = field("database").filter(|d| is_hex(d, 1..=64))?;
        let seq = field("seq")?.parse().ok().filter(|s: &i64| *s >= 0)?;
        let hash = field("hash").filter(|h| is_hex(h, 64..=64))?;
        let written = DateTime::from_timestamp(field("written")?.parse().ok()?, 0)?;
        Some(Anchor {
            database_id,
            seq,
            hash,
            written,
        })
    }
}

fn is_hex(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What the database holds where the anchor points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The database's identity.
    pub database_id: String,
    /// The newest entry: sequence number, hash, and whether it carries a real time (written by
    /// a pim that anchors its log).
    pub head: Option<(i64, String, bool)>,
    /// The hash of the entry at the anchor's sequence number, if there is one.
    pub at_anchor: Option<String>,
    /// The database holds a tenant (whose creation is always audited).
    pub has_tenant: bool,
}

/// How the log relates to its anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AnchorState {
    /// A new database: no log, no anchor yet.
    Fresh,
    /// A log written before pim anchored logs (schema version 2): it is anchored at the next
    /// change.
    NotYetAnchored {
        /// Entries in the log.
        entries: i64,
    },
    /// The log contains the anchored entry (and perhaps newer ones).
    Matches {
        /// The anchored entry.
        anchored: i64,
        /// The newest entry.
        head: i64,
    },
    /// The log does not extend its anchor.
    Broken {
        /// What is wrong.
        #[serde(flatten)]
        problem: AnchorProblem,
    },
}

/// Why a log does not extend its anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum AnchorProblem {
    /// The anchor file is gone though pim wrote this log.
    Missing {
        /// The newest entry.
        head: i64,
    },
    /// The anchor file is not one pim wrote.
    Unreadable,
    /// The anchor belongs to another database: the file was replaced.
    OtherDatabase {
        /// The anchor's database.
        anchored: String,
        /// This database.
        found: String,
    },
    /// The log is empty though the anchor says it held entries.
    Emptied {
        /// The anchored entry.
        anchored: i64,
    },
    /// The log ends before the anchored entry: entries were deleted, or an older copy of the
    /// database was put back.
    Truncated {
        /// The anchored entry.
        anchored: i64,
        /// The newest entry now.
        head: i64,
    },
    /// The entry at the anchor's place differs: the log was rolled back and written again, or
    /// rewritten.
    Rewritten {
        /// The anchored entry.
        anchored: i64,
    },
}

impl fmt::Display for AnchorProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnchorProblem::Missing { head } => write!(
                f,
                "the anchor file is missing, though pim wrote this log (its newest entry is #{head}): it was deleted, or the database was copied without it"
            ),
            AnchorProblem::Unreadable => f.write_str("the anchor file is not one pim wrote"),
            AnchorProblem::OtherDatabase { anchored, found } => write!(
                f,
                "the anchor belongs to another database ({anchored}, this one is {found}): the database file was replaced"
            ),
            AnchorProblem::Emptied { anchored } => write!(
                f,
                "the audit log is empty, but {anchored} entries had been written: it was emptied, or an empty database was put in its place"
            ),
            AnchorProblem::Truncated { anchored, head } => write!(
                f,
                "the audit log ends at entry #{head}, but entry #{anchored} had been written: the newest entries were deleted, or an older copy of the database was put back"
            ),
            AnchorProblem::Rewritten { anchored } => write!(
                f,
                "entry #{anchored} is not the one that was written: the log was rolled back and written again, or rewritten"
            ),
        }
    }
}

/// Judges the log against its anchor (`Err(())`: an anchor file that does not parse).
pub fn assess(anchor: Result<Option<&Anchor>, ()>, seen: &Observed) -> AnchorState {
    let broken = |problem| AnchorState::Broken { problem };
    let anchor = match anchor {
        Err(()) => return broken(AnchorProblem::Unreadable),
        Ok(a) => a,
    };
    match (anchor, &seen.head) {
        (None, None) if !seen.has_tenant => AnchorState::Fresh,
        (None, None) => broken(AnchorProblem::Missing { head: 0 }),
        (None, Some((seq, _, anchored_era))) => {
            if *anchored_era {
                broken(AnchorProblem::Missing { head: *seq })
            } else {
                AnchorState::NotYetAnchored { entries: *seq }
            }
        }
        (Some(a), _) if a.database_id != seen.database_id => broken(AnchorProblem::OtherDatabase {
            anchored: a.database_id.clone(),
            found: seen.database_id.clone(),
        }),
        (Some(a), None) if a.seq > 0 => broken(AnchorProblem::Emptied { anchored: a.seq }),
        (Some(_), None) => AnchorState::Fresh,
        (Some(a), Some((head, _, _))) if *head < a.seq => broken(AnchorProblem::Truncated {
            anchored: a.seq,
            head: *head,
        }),
        (Some(a), Some((head, _, _))) => match &seen.at_anchor {
            Some(hash) if *hash == a.hash => AnchorState::Matches {
                anchored: a.seq,
                head: *head,
            },
            _ => broken(AnchorProblem::Rewritten { anchored: a.seq }),
        },
    }
}

/// A short statement of the log's head that an operator keeps elsewhere (a ticket, a wiki, a
/// notebook): `pimcp1:9f3a2b1c:1234:<32 hex>:20261202T101500Z`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// The first hex digits of the database's identity.
    pub database: String,
    /// The entry's sequence number.
    pub seq: i64,
    /// The first hex digits of the entry's hash.
    pub hash: String,
    /// When the checkpoint was taken (real time).
    pub time: Time,
}

impl Checkpoint {
    /// The checkpoint of entry `seq` with hash `hash` of database `database_id`, taken at `time`.
    pub fn new(database_id: &str, seq: i64, hash: &str, time: Time) -> Checkpoint {
        let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
        Checkpoint {
            database: cut(database_id, CHECKPOINT_DB_HEX),
            seq,
            hash: cut(hash, CHECKPOINT_HASH_HEX),
            time: DateTime::from_timestamp(time.timestamp(), 0).unwrap_or(time),
        }
    }

    /// Parses the text form; `None` when it is not a checkpoint.
    pub fn parse(text: &str) -> Option<Checkpoint> {
        let mut parts = text.trim().split(':');
        if parts.next()? != CHECKPOINT_PREFIX {
            return None;
        }
        let database = parts
            .next()
            .filter(|d| is_hex(d, CHECKPOINT_DB_HEX..=CHECKPOINT_DB_HEX))?;
        let seq = parts.next()?.parse().ok().filter(|s: &i64| *s >= 1)?;
        let hash = parts
            .next()
            .filter(|h| is_hex(h, CHECKPOINT_HASH_HEX..=CHECKPOINT_HASH_HEX))?;
        let time = NaiveDateTime::parse_from_str(parts.next()?, "%Y%m%dT%H%M%SZ")
            .ok()?
            .and_utc();
        if parts.next().is_some() {
            return None;
        }
        Some(Checkpoint {
            database: database.to_ascii_lowercase(),
            seq,
            hash: hash.to_ascii_lowercase(),
            time,
        })
    }

    /// Whether the entry `seq` with hash `hash` of database `database_id` is this checkpoint's.
    pub fn matches(&self, database_id: &str, hash: &str) -> bool {
        database_id.starts_with(&self.database) && hash.starts_with(&self.hash)
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{CHECKPOINT_PREFIX}:{}:{}:{}:{}",
            self.database,
            self.seq,
            self.hash,
            self.time.format("%Y%m%dT%H%M%SZ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    const H1: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const H2: &str = "2222222222222222222222222222222222222222222222222222222222222222";

    fn anchor(seq: i64, hash: &str) -> Anchor {
        Anchor {
            database_id: "abcd".into(),
            seq,
            hash: hash.into(),
            written: Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap(),
        }
    }

    fn seen(head: Option<(i64, &str)>, at_anchor: Option<&str>) -> Observed {
        Observed {
            database_id: "abcd".into(),
            head: head.map(|(s, h)| (s, h.to_owned(), true)),
            at_anchor: at_anchor.map(str::to_owned),
            has_tenant: true,
        }
    }

    #[test]
    fn the_anchor_file_round_trips_and_junk_is_not_one() {
        let a = anchor(12, H1);
        assert_eq!(Anchor::from_text(&a.to_text()), Some(a));
        for junk in ["", "hello", "pim-console audit-anchor v1\ndatabase x\n"] {
            assert_eq!(Anchor::from_text(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn a_log_that_extends_its_anchor_matches() {
        let a = anchor(10, H1);
        assert_eq!(
            assess(Ok(Some(&a)), &seen(Some((10, H1)), Some(H1))),
            AnchorState::Matches {
                anchored: 10,
                head: 10
            }
        );
        assert_eq!(
            assess(Ok(Some(&a)), &seen(Some((15, H2)), Some(H1))),
            AnchorState::Matches {
                anchored: 10,
                head: 15
            }
        );
    }

    #[test]
    fn truncation_rollback_emptying_and_replacement_are_named() {
        let a = anchor(10, H1);
        let problem = |state| match state {
            AnchorState::Broken { problem } => problem,
            other => panic!("expected a problem, got {other:?}"),
        };
        assert_eq!(
            problem(assess(Ok(Some(&a)), &seen(Some((8, H2)), None))),
            AnchorProblem::Truncated {
                anchored: 10,
                head: 8
            }
        );
        assert_eq!(
            problem(assess(Ok(Some(&a)), &seen(None, None))),
            AnchorProblem::Emptied { anchored: 10 }
        );
        assert_eq!(
            problem(assess(Ok(Some(&a)), &seen(Some((12, H2)), Some(H2)))),
            AnchorProblem::Rewritten { anchored: 10 }
        );
        let mut other = seen(Some((10, H1)), Some(H1));
        other.database_id = "ffff".into();
        assert!(matches!(
            problem(assess(Ok(Some(&a)), &other)),
            AnchorProblem::OtherDatabase { .. }
        ));
        assert_eq!(
            problem(assess(Ok(None), &seen(Some((10, H1)), None))),
            AnchorProblem::Missing { head: 10 }
        );
        assert_eq!(
            problem(assess(Ok(None), &seen(None, None))),
            AnchorProblem::Missing { head: 0 },
            "a tenant without a single audit entry"
        );
        assert_eq!(
            problem(assess(Err(()), &seen(None, None))),
            AnchorProblem::Unreadable
        );
    }

    #[test]
    fn new_and_older_databases_are_not_alarms() {
        let mut new = seen(None, None);
        new.has_tenant = false;
        assert_eq!(assess(Ok(None), &new), AnchorState::Fresh);
        let mut old = seen(Some((40, H1)), None);
        old.head = Some((40, H1.into(), false));
        assert_eq!(
            assess(Ok(None), &old),
            AnchorState::NotYetAnchored { entries: 40 }
        );
    }

    #[test]
    fn checkpoints_are_short_round_trip_and_match_their_entry() {
        let t = Utc.with_ymd_and_hms(2026, 12, 2, 10, 15, 0).unwrap();
        let cp = Checkpoint::new("9f3a2b1c00000000", 1234, H1, t);
        let text = cp.to_string();
        assert_eq!(
            text,
            "pimcp1:9f3a2b1c:1234:11111111111111111111111111111111:20261202T101500Z"
        );
        assert_eq!(Checkpoint::parse(&format!(" {text}\n")), Some(cp.clone()));
        assert!(cp.matches("9f3a2b1c00000000", H1));
        assert!(!cp.matches("9f3a2b1c00000000", H2));
        assert!(!cp.matches("00000000", H1));
        for junk in [
            "",
            "pimcp1",
            "pimcp1:9f3a2b1c:0:11111111111111111111111111111111:20261202T101500Z",
            "pimcp1:9f3a2b1c:12:1111:20261202T101500Z",
            "pimcp2:9f3a2b1c:12:11111111111111111111111111111111:20261202T101500Z",
            "pimcp1:9f3a2b1c:12:11111111111111111111111111111111:yesterday",
        ] {
            assert_eq!(Checkpoint::parse(junk), None, "{junk}");
        }
    }
}
