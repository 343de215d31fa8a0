//! Walking the whole chain: read in stretches by the main connection and read-only helpers,
//! each hashing its own, joined in order; every fault found at the first bad entry.

use rusqlite::Connection;

use crate::store::sql::{Conn, args};

use crate::audit::chain::{ChainFault, ChainVerifier, Fields, GENESIS, encode};
use crate::store::StoreResult;
use sha2::{Digest, Sha256};

use super::{COLUMNS, StoredAudit, from_row, hash_at};

/// The outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Entries that verified before the first fault (all of them when intact).
    pub verified: i64,
    /// Hash of the last verified entry.
    pub head: String,
    /// The first fault and the entry where it was found.
    pub fault: Option<(ChainFault, Box<StoredAudit>)>,
}

/// Entries hashed at a time.
const BATCH: usize = 2048;

/// Entries encoded for hashing: each is `prev_hash ‖ canonical encoding` in `bytes`, and the
/// hash stored for it.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    items: Vec<(i64, std::ops::Range<usize>, [u8; 64])>,
}

impl Batch {
    /// The first entry whose hash is not its stored one.
    fn first_bad(&self) -> Option<i64> {
        let mut hex = [0u8; 64];
        self.items.iter().find_map(|(seq, range, stored)| {
            let digest: [u8; 32] = Sha256::digest(&self.bytes[range.clone()]).into();
            (crate::auth::session::hex_into(&digest, &mut hex).as_bytes() != stored).then_some(*seq)
        })
    }

    /// Hashes what is held, remembers the first bad entry, and empties it for the next ones.
    fn flush(&mut self, bad: &mut Option<i64>) {
        if bad.is_none() {
            *bad = self.first_bad();
        }
        self.bytes.clear();
        self.items.clear();
    }
}

/// Below this many entries the log is read in one stretch: helpers would cost more than
/// they save.
const STRETCH_MIN: i64 = 50_000;

/// Stretches of the log per reader (see [`verify_with`]).
const STRETCHES_PER_READER: usize = 16;

/// One stretch of the log: entries numbered above `after` (all from the start when `None`)
/// up to `upto`.
#[derive(Clone, Copy)]
struct Stretch {
    after: Option<i64>,
    upto: i64,
}

impl Stretch {
    /// The number of the stretch's first entry.
    fn first(self) -> i64 {
        self.after.map_or(1, |a| a + 1)
    }
}

/// What reading one stretch found.
#[derive(Default)]
struct StretchRead {
    /// Entries read in order before a break.
    read: i64,
    /// The previous hash the stretch's first entry stores (to join it to the one before).
    first_prev: Option<String>,
    /// The hash of the last entry read.
    last_hash: String,
    /// The position of a broken link or gap inside the stretch.
    link_fault: Option<i64>,
    /// The first entry whose content does not hash to its stored hash.
    bad: Option<i64>,
}

/// Recomputes every hash in order and stops at the first bad entry. The log is read in
/// stretches on as many cores as there are (each on its own connection to the file, reading
/// only entries up to the head this transaction sees, which never change), each encoding and
/// hashing its own entries; the stretches are then joined in order. Every stored hash covers
/// the stored previous hash, so entries hash independently. `progress` is told how many
/// entries are done every few thousand; `subject` is given the number and details of each
/// entry about an assignment read before a break, in no particular order (meaningful when the
/// chain is intact).
pub fn verify(
    conn: Conn<'_>,
    progress: &mut dyn FnMut(i64),
    subject: &(dyn Fn(i64, &str) + Sync),
) -> StoreResult<Verification> {
    let head: i64 = conn.value("SELECT coalesce(max(seq), 0) FROM audit", args![])?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let helpers = if head >= STRETCH_MIN {
        cores.clamp(1, 16) - 1
    } else {
        0
    };
    verify_with(conn, helpers, progress, subject)
}

/// [`verify`] with `helpers` more readers (none for a database in memory, which only its own
/// connection sees).
pub(in crate::store) fn verify_with(
    conn: Conn<'_>,
    helpers: usize,
    progress: &mut dyn FnMut(i64),
    subject: &(dyn Fn(i64, &str) + Sync),
) -> StoreResult<Verification> {
    let head: i64 = conn.value("SELECT coalesce(max(seq), 0) FROM audit", args![])?;
    // Helpers read an SQLite file beside this connection; PostgreSQL is read by this one.
    let file = match conn {
        Conn::Sqlite(c) => c.path().filter(|p| !p.is_empty()).map(str::to_owned),
        Conn::Pg(_) => None,
    };
    let helpers = if file.is_some() { helpers } else { 0 };
    // Many stretches per reader, taken in turn, so a reader that meets heavier entries (or
    // reports more about assignments) does not hold the others up: the readers finish within
    // one short stretch of each other. Each stretch costs one seek.
    let parts = if helpers == 0 {
        1
    } else {
        i64::try_from((helpers + 1) * STRETCHES_PER_READER).unwrap_or(STRETCHES_PER_READER as i64)
    };
    let stretches: Vec<Stretch> = (0..parts)
        .map(|i| Stretch {
            after: (i > 0).then(|| head * i / parts),
            // A single reader reads to the end, as the log was always read; stretches stop at
            // the head this transaction sees.
            upto: if parts == 1 {
                i64::MAX
            } else {
                head * (i + 1) / parts
            },
        })
        .collect();
    let done = std::sync::atomic::AtomicI64::new(0);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = |conn: Conn<'_>, progress: &mut dyn FnMut(i64)| {
        let mut reads = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&stretch) = stretches.get(i) else {
                return Ok::<_, crate::store::StoreError>(reads);
            };
            reads.push((i, read_stretch(conn, stretch, &done, progress, subject)?));
        }
    };
    let mut reads: Vec<(usize, StretchRead)> = std::thread::scope(|scope| -> StoreResult<_> {
        let workers: Vec<_> = (0..helpers)
            .map(|_| {
                let file = file.clone().unwrap_or_default();
                let take = &take;
                scope.spawn(move || -> StoreResult<Vec<(usize, StretchRead)>> {
                    let helper = Connection::open(&file)?;
                    helper.busy_timeout(crate::store::BUSY_TIMEOUT)?;
                    helper.pragma_update(None, "query_only", true)?;
                    // Each stretch is read once, in order: a small cache does.
                    helper.pragma_update(None, "cache_size", -512)?;
                    take(Conn::Sqlite(&helper), &mut |_| {})
                })
            })
            .collect();
        let mut reads = take(conn, progress)?;
        for worker in workers {
            while !worker.is_finished() {
                std::thread::sleep(std::time::Duration::from_millis(20));
                progress(done.load(std::sync::atomic::Ordering::Relaxed));
            }
            let more = worker.join().map_err(|_| {
                crate::store::StoreError::Corrupt("a verify thread stopped".into())
            })??;
            reads.extend(more);
        }
        Ok(reads)
    })?;
    reads.sort_by_key(|(i, _)| *i);
    let reads: Vec<StretchRead> = reads.into_iter().map(|(_, r)| r).collect();
    // Join the stretches in order; the first break or bad entry ends the log's intact part.
    let mut prev = GENESIS.to_owned();
    let mut verified = 0;
    let mut first = None;
    for (stretch, read) in stretches.iter().zip(&reads) {
        if read.first_prev.as_ref().is_some_and(|p| *p != prev) {
            first = Some(stretch.first());
            break;
        }
        let fault = match (read.link_fault, read.bad) {
            (Some(l), Some(b)) => Some(l.min(b)),
            (l, b) => l.or(b),
        };
        if fault.is_some() {
            first = fault;
            break;
        }
        verified += read.read;
        if read.read > 0 {
            prev.clone_from(&read.last_hash);
        }
    }
    let Some(seq) = first else {
        return Ok(Verification {
            verified,
            head: prev,
            fault: None,
        });
    };
    // Everything before it is intact: say exactly what is wrong with it.
    let prev = if seq <= 1 {
        GENESIS.to_owned()
    } else {
        hash_at(conn, seq - 1)?.unwrap_or_default()
    };
    let stored = get_nth(conn, seq)?;
    let mut verifier = ChainVerifier::resume(&prev, seq);
    let fault = verifier
        .check(&stored.record, &stored.prev_hash, &stored.hash)
        .err()
        .unwrap_or(ChainFault::ContentChanged {
            seq: stored.record.seq,
        });
    Ok(Verification {
        verified: seq - 1,
        head: prev,
        fault: Some((fault, Box::new(stored))),
    })
}

/// The entry at position `n` (1-based) in sequence order: entry `n` itself when there is no gap.
fn get_nth(conn: Conn<'_>, n: i64) -> StoreResult<StoredAudit> {
    let sql = format!("SELECT {COLUMNS} FROM audit ORDER BY seq LIMIT 1 OFFSET ?1");
    conn.one(&sql, args![n - 1], from_row)
}

/// Reads one stretch in order: checks each entry's number and its link to the one before,
/// encodes and hashes it. The stretch's first link is checked when the stretches are joined.
fn read_stretch(
    conn: Conn<'_>,
    stretch: Stretch,
    done: &std::sync::atomic::AtomicI64,
    progress: &mut dyn FnMut(i64),
    subject: &(dyn Fn(i64, &str) + Sync),
) -> StoreResult<StretchRead> {
    let bounds = match stretch.after {
        None => "seq <= ?1",
        Some(_) => "seq > ?2 AND seq <= ?1",
    };
    let sql = format!("SELECT {COLUMNS} FROM audit WHERE {bounds} ORDER BY seq");
    let upto = stretch.upto;
    let after = stretch.after;
    let bound: Vec<&dyn crate::store::sql::Param> = match &after {
        None => vec![&upto],
        Some(after) => vec![&upto, after],
    };
    let first = stretch.first();
    let mut out = StretchRead::default();
    let mut prev: Option<String> = None;
    let mut batch = Batch::default();
    let no_text: &[u8] = &[];
    conn.stream(&sql, &bound, &mut |row| {
        if out.read % 4096 == 0 && out.read > 0 {
            let all = done.fetch_add(4096, std::sync::atomic::Ordering::Relaxed) + 4096;
            progress(all);
        }
        let text = |i: usize| row.text_bytes(i);
        let seq: i64 = row.get(0)?;
        let fields = Fields {
            seq,
            id: text(1)?.unwrap_or(no_text),
            time: row.get(2)?,
            texts: [
                text(3)?,
                text(4)?,
                Some(text(5)?.unwrap_or(no_text)),
                text(6)?,
                text(7)?,
                text(8)?,
                text(9)?,
                text(10)?,
                text(11)?,
                text(12)?,
            ],
            result: text(13)?.unwrap_or(no_text),
            details: text(14)?.unwrap_or(no_text),
            real_time: row.get(17)?,
        };
        let stored_prev = text(15)?.unwrap_or(no_text);
        let stored_hash = text(16)?.unwrap_or(no_text);
        let stored: Option<[u8; 64]> = stored_hash.try_into().ok();
        let linked = match &prev {
            Some(p) => stored_prev == p.as_bytes(),
            None => {
                out.first_prev = Some(String::from_utf8_lossy(stored_prev).into_owned());
                true
            }
        };
        let (true, true, true, Some(stored)) = (
            seq == first + out.read,
            linked,
            matches!(fields.result, b"success" | b"failure"),
            stored,
        ) else {
            out.link_fault = Some(first + out.read);
            return Ok(false);
        };
        let at = batch.bytes.len();
        batch.bytes.extend_from_slice(stored_prev);
        encode(&mut batch.bytes, &fields);
        batch.items.push((seq, at..batch.bytes.len(), stored));
        if batch.items.len() == BATCH {
            batch.flush(&mut out.bad);
        }
        if fields.result == b"success"
            && memchr::memmem::find(fields.details, b"\"assignment_id\"").is_some()
            && let Ok(details) = std::str::from_utf8(fields.details)
        {
            subject(seq, details);
        }
        out.read += 1;
        let hash = prev.get_or_insert_with(String::new);
        hash.clear();
        hash.push_str(std::str::from_utf8(stored_hash).unwrap_or_default());
        Ok(true)
    })?;
    batch.flush(&mut out.bad);
    done.fetch_add(out.read % 4096, std::sync::atomic::Ordering::Relaxed);
    // A stretch that ends before its last number is missing entries (not the open end).
    if out.link_fault.is_none() && stretch.upto != i64::MAX && first + out.read <= stretch.upto {
        out.link_fault = Some(first + out.read);
    }
    out.last_hash = prev.unwrap_or_default();
    Ok(out)
}
