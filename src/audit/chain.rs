//! The audit log's hash chain: each entry's SHA-256 covers an unambiguous encoding of its
//! fields and the previous entry's hash, so editing, deleting or reordering any entry breaks
//! every hash after it.
//!
//! Limits, stated plainly: whoever can write the database file can recompute the whole chain,
//! and deleting only the newest entries leaves a valid shorter chain. The chain makes tampering
//! evident to `pim audit verify`; it cannot prevent it.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::session::hex;
use crate::clock::{Time, to_unix};

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Success or failure of the audited activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditResult {
    /// It happened.
    Success,
    /// It was refused or failed.
    Failure,
}

impl AuditResult {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditResult::Success => "success",
            AuditResult::Failure => "failure",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "success" => Some(AuditResult::Success),
            "failure" => Some(AuditResult::Failure),
            _ => None,
        }
    }
}

/// One audit entry with everything its hash covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Position in the log, 1-based, no gaps.
    pub seq: i64,
    /// GUID.
    pub id: String,
    /// Policy time of the activity.
    pub time: Time,
    /// Acting user id (none for the system).
    pub actor_id: Option<String>,
    /// Acting user's UPN, kept so the entry survives the account.
    pub actor: Option<String>,
    /// Entra's activity name, e.g. `Add member to role completed (PIM activation)`.
    pub activity: String,
    /// Role template id.
    pub role_id: Option<String>,
    /// Role display name.
    pub role: Option<String>,
    /// Target user id.
    pub target_id: Option<String>,
    /// Target UPN.
    pub target: Option<String>,
    /// Justification given.
    pub justification: Option<String>,
    /// Ticket number given.
    pub ticket_number: Option<String>,
    /// Ticket system given.
    pub ticket_system: Option<String>,
    /// Success or failure.
    pub result: AuditResult,
    /// A JSON object with the rest (rule, before/after values, ids), as stored.
    pub details: String,
    /// When the entry was written, in real time (`time` is the lab's policy time). `None` for
    /// entries written before schema version 3.
    pub real_time: Option<Time>,
}

fn bytes(v: &Option<String>) -> Option<&[u8]> {
    v.as_deref().map(str::as_bytes)
}

fn field(out: &mut Vec<u8>, value: Option<&[u8]>) {
    match value {
        Some(v) => {
            out.extend_from_slice(&(v.len() as u64).to_be_bytes());
            out.extend_from_slice(v);
        }
        None => out.extend_from_slice(&u64::MAX.to_be_bytes()),
    }
}

/// An entry's fields as the canonical encoding reads them, borrowed (from a record, or
/// straight from a database row when a long log is verified).
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    /// Sequence number.
    pub seq: i64,
    /// Entry id.
    pub id: &'a [u8],
    /// Policy time, Unix seconds.
    pub time: i64,
    /// Actor id and name, activity, role id and name, target id and name, justification,
    /// ticket number and system, in that order.
    pub texts: [Option<&'a [u8]>; 10],
    /// `success` or `failure`.
    pub result: &'a [u8],
    /// Details (JSON).
    pub details: &'a [u8],
    /// Real time, Unix seconds (v2 entries).
    pub real_time: Option<i64>,
}

impl AuditRecord {
    /// The fields the canonical encoding reads.
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            seq: self.seq,
            id: self.id.as_bytes(),
            time: to_unix(self.time),
            texts: [
                bytes(&self.actor_id),
                bytes(&self.actor),
                Some(self.activity.as_bytes()),
                bytes(&self.role_id),
                bytes(&self.role),
                bytes(&self.target_id),
                bytes(&self.target),
                bytes(&self.justification),
                bytes(&self.ticket_number),
                bytes(&self.ticket_system),
            ],
            result: self.result.as_str().as_bytes(),
            details: self.details.as_bytes(),
            real_time: self.real_time.map(to_unix),
        }
    }
}

/// The canonical encoding: every field length-prefixed (8 bytes, big-endian) in a fixed order,
/// with a distinct marker for "no value", so no two different entries encode the same. Entries
/// with a real time are "v2" (the real time is the last field); older entries keep the "v1"
/// encoding they were hashed with.
pub fn canonical(r: &AuditRecord) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + r.details.len());
    encode(&mut out, &r.fields());
    out
}

/// Appends the canonical encoding of `f` to `out`.
pub fn encode(out: &mut Vec<u8>, f: &Fields<'_>) {
    out.extend_from_slice(if f.real_time.is_some() {
        b"pim-audit-v2"
    } else {
        b"pim-audit-v1"
    });
    let mut number = itoa_buf();
    field(out, Some(number.format(f.seq)));
    field(out, Some(f.id));
    field(out, Some(number.format(f.time)));
    for v in &f.texts {
        field(out, *v);
    }
    field(out, Some(f.result));
    field(out, Some(f.details));
    if let Some(real) = f.real_time {
        field(out, Some(number.format(real)));
    }
}

/// A small formatter for integers without allocating.
struct Itoa([u8; 24], usize);

fn itoa_buf() -> Itoa {
    Itoa([0; 24], 0)
}

impl Itoa {
    /// `n` in decimal, as `to_string` writes it.
    fn format(&mut self, n: i64) -> &[u8] {
        let mut at = self.0.len();
        let mut rest = n.unsigned_abs();
        loop {
            at -= 1;
            self.0[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if n < 0 {
            at -= 1;
            self.0[at] = b'-';
        }
        self.1 = at;
        &self.0[at..]
    }
}

/// The entry's hash given the previous entry's hash.
pub fn chain_hash(prev_hash: &str, record: &AuditRecord) -> String {
    let mut buf = Vec::with_capacity(256 + record.details.len());
    hex(&chain_digest(prev_hash, &record.fields(), &mut buf))
}

/// The entry's hash as bytes, encoding into `buf` (cleared first; reused across entries).
pub fn chain_digest(prev_hash: &str, f: &Fields<'_>, buf: &mut Vec<u8>) -> [u8; 32] {
    buf.clear();
    encode(buf, f);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(&buf[..]);
    h.finalize().into()
}

/// What is wrong at the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum ChainFault {
    /// The entry's content does not match its stored hash (edited).
    ContentChanged {
        /// The entry.
        seq: i64,
    },
    /// The entry does not point at the previous entry's hash (entries removed or reordered).
    BrokenLink {
        /// The entry.
        seq: i64,
    },
    /// Sequence numbers skip (entries deleted).
    Gap {
        /// The sequence number expected.
        expected: i64,
        /// The one found.
        found: i64,
    },
}

impl ChainFault {
    /// The sequence number of the first bad entry.
    pub fn seq(&self) -> i64 {
        match self {
            ChainFault::ContentChanged { seq } | ChainFault::BrokenLink { seq } => *seq,
            ChainFault::Gap { found, .. } => *found,
        }
    }
}

/// Walks the log in order, one entry at a time, so verifying millions of entries needs no
/// more memory than one.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev_hash: String,
    next_seq: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            prev_hash: GENESIS.into(),
            next_seq: 1,
        }
    }
}

impl ChainVerifier {
    /// A verifier that has checked every entry before `next_seq`, the last with hash `prev_hash`.
    pub fn resume(prev_hash: &str, next_seq: i64) -> Self {
        Self {
            prev_hash: prev_hash.to_owned(),
            next_seq,
        }
    }

    /// Checks the next entry with its stored links.
    pub fn check(
        &mut self,
        record: &AuditRecord,
        stored_prev: &str,
        stored_hash: &str,
    ) -> Result<(), ChainFault> {
        if record.seq != self.next_seq {
            return Err(ChainFault::Gap {
                expected: self.next_seq,
                found: record.seq,
            });
        }
        if stored_prev != self.prev_hash {
            return Err(ChainFault::BrokenLink { seq: record.seq });
        }
        if chain_hash(stored_prev, record) != stored_hash {
            return Err(ChainFault::ContentChanged { seq: record.seq });
        }
        self.prev_hash = stored_hash.to_owned();
        self.next_seq += 1;
        Ok(())
    }

    /// Entries verified so far.
    pub fn count(&self) -> i64 {
        self.next_seq - 1
    }

    /// Hash of the newest verified entry.
    pub fn head(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn record(seq: i64, justification: Option<&str>) -> AuditRecord {
        AuditRecord {
            seq,
            id: format!("id-{seq}"),
            time: Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap(),
            actor_id: Some("u1".into()),
            actor: Some("pimuser@pimlab.onmicrosoft.com".into()),
            activity: "Add member to role completed (PIM activation)".into(),
            role_id: Some("r".into()),
            role: Some("Security Reader".into()),
            target_id: None,
            target: None,
            justification: justification.map(Into::into),
            ticket_number: None,
            ticket_system: None,
            result: AuditResult::Success,
            details: "{}".into(),
            real_time: None,
        }
    }

    #[test]
    fn none_and_empty_encode_differently_and_fields_cannot_slide() {
        assert_ne!(canonical(&record(1, None)), canonical(&record(1, Some(""))));
        let mut a = record(1, Some("ab"));
        a.ticket_number = Some("c".into());
        let mut b = record(1, Some("a"));
        b.ticket_number = Some("bc".into());
        assert_ne!(canonical(&a), canonical(&b));
    }

    #[test]
    fn the_real_time_is_covered_by_the_hash_and_old_entries_keep_their_encoding() {
        let old = record(1, None);
        let mut new = record(1, None);
        new.real_time = Some(old.time);
        assert_ne!(canonical(&old), canonical(&new));
        assert!(canonical(&old).starts_with(b"pim-audit-v1"));
        let mut moved = new.clone();
        moved.real_time = Some(old.time + chrono::TimeDelta::seconds(1));
        assert_ne!(chain_hash(GENESIS, &new), chain_hash(GENESIS, &moved));
    }

    #[test]
    fn a_chain_verifies_and_an_edit_is_found_at_its_entry() {
        let mut rows = Vec::new();
        let mut prev = GENESIS.to_owned();
        for seq in 1..=3 {
            let r = record(seq, Some("reason"));
            let h = chain_hash(&prev, &r);
            rows.push((r, prev.clone(), h.clone()));
            prev = h;
        }
        let mut v = ChainVerifier::default();
        for (r, p, h) in &rows {
            v.check(r, p, h).unwrap();
        }
        assert_eq!(v.count(), 3);
        assert_eq!(v.head(), prev);

        rows[1].0.justification = Some("edited".into());
        let mut v = ChainVerifier::default();
        v.check(&rows[0].0, &rows[0].1, &rows[0].2).unwrap();
        assert_eq!(
            v.check(&rows[1].0, &rows[1].1, &rows[1].2),
            Err(ChainFault::ContentChanged { seq: 2 })
        );

        let mut v = ChainVerifier::default();
        v.check(&rows[0].0, &rows[0].1, &rows[0].2).unwrap();
        assert_eq!(
            v.check(&rows[2].0, &rows[2].1, &rows[2].2),
            Err(ChainFault::Gap {
                expected: 2,
                found: 3
            })
        );
    }
}
