//! The audit log table: append (with the hash chain), filtered listing, and verification.
//! There is no update or delete here, and triggers refuse them in SQL too.

use super::sql::{Conn, Row, args};
use crate::store::sql::Value;

use super::StoreResult;
use super::convert::{bad_value, opt_secs, opt_time, secs, time};
use crate::audit::AuditEntry;
use crate::audit::chain::{AuditRecord, AuditResult, GENESIS, chain_hash};
use crate::audit::state::AssignmentState;
use crate::clock::Time;
use crate::policy::text::clip;

mod verify;

#[cfg(test)]
pub(super) use verify::verify_with;
pub use verify::{Verification, verify};

const COLUMNS: &str = "seq, id, time, actor_id, actor, activity, role_id, role, target_id, target,
    justification, ticket_number, ticket_system, result, details, prev_hash, hash, real_time";

/// A stored entry with its links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAudit {
    /// The entry.
    pub record: AuditRecord,
    /// The previous entry's hash as stored.
    pub prev_hash: String,
    /// This entry's hash as stored.
    pub hash: String,
}

fn from_row(r: &Row<'_>) -> StoreResult<StoredAudit> {
    let result: String = r.get(13)?;
    Ok(StoredAudit {
        record: AuditRecord {
            seq: r.get(0)?,
            id: r.get(1)?,
            time: time(r.get(2)?),
            actor_id: r.get(3)?,
            actor: r.get(4)?,
            activity: r.get(5)?,
            role_id: r.get(6)?,
            role: r.get(7)?,
            target_id: r.get(8)?,
            target: r.get(9)?,
            justification: r.get(10)?,
            ticket_number: r.get(11)?,
            ticket_system: r.get(12)?,
            result: AuditResult::parse(&result)
                .ok_or_else(|| bad_value("audit result", &result))?,
            details: r.get(14)?,
            real_time: opt_time(r.get(17)?),
        },
        prev_hash: r.get(15)?,
        hash: r.get(16)?,
    })
}

/// Longest text column of an audit entry, in characters. The engine checks what people type
/// against tighter limits before it gets here; this bounds what any one entry can add to the
/// log whatever reaches it.
pub const MAX_FIELD_CHARS: usize = 1024;
/// Longest string inside an entry's details, in characters.
pub const MAX_DETAIL_CHARS: usize = 4096;

fn clip_field(v: Option<String>) -> Option<String> {
    v.map(|s| clip(&s, MAX_FIELD_CHARS).into_owned())
}

fn clip_details(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(c) = clip(s, MAX_DETAIL_CHARS) {
                *s = c;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(clip_details),
        serde_json::Value::Object(map) => map.values_mut().for_each(clip_details),
        _ => {}
    }
}

/// Appends an entry, chained to the newest one. Call inside the transaction of the change.
/// Oversized text is clipped (see [`MAX_FIELD_CHARS`]) before it is hashed and stored.
pub fn append(conn: Conn<'_>, entry: AuditEntry, id: String) -> StoreResult<AuditRecord> {
    let last: Option<(i64, String)> = conn.row(
        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
    let mut details = serde_json::Value::Object(entry.details);
    clip_details(&mut details);
    let record = AuditRecord {
        seq,
        id,
        time: entry.time,
        actor_id: clip_field(entry.actor_id),
        actor: clip_field(entry.actor),
        activity: clip(&entry.activity, MAX_FIELD_CHARS).into_owned(),
        role_id: clip_field(entry.role_id),
        role: clip_field(entry.role),
        target_id: clip_field(entry.target_id),
        target: clip_field(entry.target),
        justification: clip_field(entry.justification),
        ticket_number: clip_field(entry.ticket_number),
        ticket_system: clip_field(entry.ticket_system),
        result: entry.result,
        details: details.to_string(),
        real_time: entry.real_time,
    };
    let hash = chain_hash(&prev, &record);
    conn.exec(&format!(
            "INSERT INTO audit ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
        ), args![
            record.seq,
            record.id,
            secs(record.time),
            record.actor_id,
            record.actor,
            record.activity,
            record.role_id,
            record.role,
            record.target_id,
            record.target,
            record.justification,
            record.ticket_number,
            record.ticket_system,
            record.result.as_str(),
            record.details,
            prev,
            hash,
            opt_secs(record.real_time)
        ])?;
    if record.seq % TEXT_BATCH == 0 && !conn.is_pg() {
        index_text(conn)?;
    }
    Ok(record)
}

/// How many entries the text index trails the log by at most (`0010_text_batches.sql`): the
/// append that completes a batch adds the batch's words in one statement, one FTS5 segment.
pub const TEXT_BATCH: i64 = 64;

/// The newest entry the text index holds (SQLite; `meta`), as SQL. No row reads as 0: a search
/// then checks every entry directly, slower but still right.
macro_rules! text_through {
    () => {
        "coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'audit_text_through'), 0)"
    };
}

/// Adds the words of every entry after the text index's newest to it, unless a bulk append
/// has deferred the index (it catches up when the bulk ends). The deferral is asked first:
/// a bulk's appends reach a batch's end thousands of times, and each must cost nothing.
fn index_text(conn: Conn<'_>) -> StoreResult<()> {
    let deferred: bool = conn.value(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'audit_text_deferred')",
        args![],
    )?;
    if deferred {
        return Ok(());
    }
    conn.exec(
        concat!(
            "INSERT INTO audit_text (rowid, justification, ticket_number, actor, target, details)
             SELECT seq, justification, ticket_number, actor, target, details FROM audit
             WHERE seq > ",
            text_through!()
        ),
        args![],
    )?;
    conn.exec(
        "INSERT INTO meta (key, value)
         VALUES ('audit_text_through', coalesce((SELECT max(seq) FROM audit), 0))
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![],
    )?;
    Ok(())
}

/// Brings the text index up to the newest entry (SQLite), for rows that arrived other than by
/// [`append`] (a copy from another database).
pub fn index_all_text(conn: Conn<'_>) -> StoreResult<()> {
    if conn.is_pg() {
        return Ok(());
    }
    index_text(conn)
}

/// Starts a bulk append: until [`index_deferred_text`] in the same transaction, appended
/// entries are not added to the text index, not even a batch at a time: FTS5 writes a segment
/// at the end of every statement that touches it, and a bulk is many statements.
pub fn defer_text_index(conn: Conn<'_>) -> StoreResult<()> {
    if conn.is_pg() {
        // PostgreSQL's words are a generated column: nothing to defer.
        return Ok(());
    }
    conn.exec(
        "INSERT INTO meta (key, value) VALUES ('audit_text_deferred', '1')
         ON CONFLICT (key) DO NOTHING",
        args![],
    )?;
    Ok(())
}

/// Ends a bulk append: indexes the words of every entry the index does not hold yet, in one
/// statement.
pub fn index_deferred_text(conn: Conn<'_>) -> StoreResult<()> {
    if !conn.is_pg() {
        conn.exec(
            "DELETE FROM meta WHERE key = 'audit_text_deferred'",
            args![],
        )?;
    }
    index_all_text(conn)
}

/// Indexes set aside for a bulk load, with the statements that build them again.
#[derive(Debug, Default)]
#[must_use = "indexes set aside must be built again before the transaction commits"]
pub struct SetAside {
    built_by: Vec<String>,
    /// Whether the schema was marked checked as it stood (see `migrate::check_tables`): its
    /// tables do not change here, so the mark moves to the schema with the indexes built again.
    checked: bool,
}

/// Starts a bulk load of assignments and audit entries: drops the indexes each new row lands
/// at a random place in, the assignments' lookups and the log's by actor, target and role.
/// A seed of a hundred thousand assignments and a million entries rewrote most of their pages
/// again and again (the page cache cannot hold them); built once from the finished tables,
/// each is one sorted pass. Kept: the unique ones (they are rules), the log's by time (entries
/// append to it) and by subject (recording an assignment's state reads it), and the
/// assignments' one-current index every insert checks. Only inside the load's own
/// transaction, which must end with [`build_again`]: nothing else ever sees the tables without
/// them, and a load that fails rolls the drop back too. PostgreSQL keeps its indexes.
pub fn set_aside_for_bulk(conn: Conn<'_>) -> StoreResult<SetAside> {
    let Conn::Sqlite(c) = conn else {
        return Ok(SetAside::default());
    };
    let checked = super::migrate::marked_checked(c)?;
    let set: Vec<(String, String)> = c
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
               AND tbl_name IN ('assignments', 'audit') AND sql NOT LIKE 'CREATE UNIQUE%'
               AND name NOT IN ('audit_time', 'audit_subject')
             ORDER BY tbl_name, name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &set {
        c.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(SetAside {
        built_by: set.into_iter().map(|(_, sql)| sql).collect(),
        checked,
    })
}

/// Ends a bulk load: builds again the indexes [`set_aside_for_bulk`] dropped, as they were.
/// SQLite sorts in memory as large as the page cache, which a bulk load has enlarged and
/// filled: the cache is made small while they are built, so the two together stay within
/// the memory budget (the sort spills to a temporary file instead), then put back.
pub fn build_again(conn: Conn<'_>, set: SetAside) -> StoreResult<()> {
    if let Conn::Sqlite(c) = conn {
        let cache = super::swap_cache_kib(c, SORT_CACHE_KIB)?;
        let built = set.built_by.iter().try_for_each(|sql| c.execute_batch(sql));
        super::swap_cache_kib(c, cache)?;
        built?;
        if set.checked {
            super::migrate::mark_checked(c)?;
        }
    }
    Ok(())
}

/// The page cache (KiB) while [`build_again`] sorts.
const SORT_CACHE_KIB: i64 = 4096;

/// Which entries to list.
#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    /// Only entries this user acted in or was the target of (a non-admin's "My audit").
    pub involving: Option<&'a str>,
    /// Only entries about this user, as actor or target (`--user`).
    pub user: Option<&'a str>,
    /// Only this role.
    pub role_id: Option<&'a str>,
    /// Activity name contains this (case-insensitive).
    pub activity: Option<&'a str>,
    /// At or after this time.
    pub since: Option<Time>,
    /// Justification, ticket or details contain this.
    pub text: Option<&'a str>,
    /// Only successes or only failures.
    pub result: Option<AuditResult>,
    /// Entries older than this sequence number (paging backwards).
    pub before_seq: Option<i64>,
    /// Page size.
    pub limit: i64,
}

/// Newest first, one page.
pub fn list(conn: Conn<'_>, f: &Filter<'_>) -> StoreResult<Vec<AuditRecord>> {
    let mut out = Vec::new();
    select(conn, f, "DESC", &mut |e| {
        out.push(e.record);
        true
    })?;
    Ok(out)
}

/// Every entry the filter selects, oldest first, one at a time (nothing is held in memory);
/// `each` returns false to stop. How many were given.
pub fn for_each(
    conn: Conn<'_>,
    f: &Filter<'_>,
    each: &mut dyn FnMut(StoredAudit) -> bool,
) -> StoreResult<u64> {
    select(conn, f, "ASC", each)
}

/// The words of a search as an FTS5 query: each a word or a word's beginning, all of them
/// present. `None` when the text has no words (punctuation only).
fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// [`fts_query`] for PostgreSQL's text search: every word as a prefix (`'inc':* & 'db':*`).
fn tsquery(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("'{w}':*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" & "))
}

/// The WHERE conditions of a filter other than whose entries they are, and their parameters.
fn conditions(
    f: &Filter<'_>,
    pg: bool,
) -> (Vec<&'static str>, Vec<(&'static str, Value<'static>)>) {
    let text = |s: &str| Value::Text(s.to_owned().into());
    let mut wheres = Vec::new();
    let mut params = Vec::new();
    if let (Some(inv), Some(user)) = (f.involving, f.user)
        && inv != user
    {
        // Both given and different: the merge walks `user`; this one is a plain condition.
        wheres.push("(actor_id = :inv OR target_id = :inv)");
        params.push((":inv", text(inv)));
    }
    if let Some(role) = f.role_id {
        wheres.push("role_id = :role");
        params.push((":role", text(role)));
    }
    if let Some(activity) = f.activity {
        wheres.push("activity LIKE :activity ESCAPE '\\'");
        params.push((":activity", text(&super::users::like_pattern(activity))));
    }
    if let Some(since) = f.since {
        wheres.push("time >= :since");
        params.push((":since", Value::Int(secs(since))));
    }
    if let Some(t) = f.text {
        if pg {
            if let Some(q) = tsquery(t) {
                wheres.push("words @@ to_tsquery('simple', :fts)");
                params.push((":fts", Value::Text(q.into())));
            }
        } else if let Some(q) = fts_query(t) {
            // The index's matches, and those of the few entries it does not hold yet, found
            // the same way in a copy of them (`load_text_tail`).
            wheres.push(
                "seq IN (SELECT rowid FROM audit_text WHERE audit_text MATCH :fts
                         UNION ALL SELECT rowid FROM temp.audit_tail WHERE audit_tail MATCH :fts)",
            );
            params.push((":fts", Value::Text(q.into())));
        }
        wheres.push(
            "(justification LIKE :text ESCAPE '\\' OR ticket_number LIKE :text ESCAPE '\\'
              OR actor LIKE :text ESCAPE '\\' OR target LIKE :text ESCAPE '\\'
              OR details LIKE :text ESCAPE '\\')",
        );
        params.push((":text", text(&super::users::like_pattern(t))));
    }
    if let Some(result) = f.result {
        wheres.push("result = :result");
        params.push((":result", text(result.as_str())));
    }
    if let Some(before) = f.before_seq {
        wheres.push("seq < :before");
        params.push((":before", Value::Int(before)));
    }
    (wheres, params)
}

/// One ordered cursor over the entries `extra` and the filter's conditions select.
fn cursor_sql(f: &Filter<'_>, pg: bool, extra: Option<&str>, order: &str) -> String {
    let (mut wheres, _) = conditions(f, pg);
    wheres.extend(extra);
    let wheres = if wheres.is_empty() {
        "1 = 1".to_owned()
    } else {
        wheres.join(" AND ")
    };
    format!("SELECT {COLUMNS} FROM audit WHERE {wheres} ORDER BY seq {order} LIMIT :limit")
}

/// Copies the entries the text index does not hold yet (at most a batch, see [`TEXT_BATCH`])
/// into a text index of their own in this connection's temporary storage, so a search finds
/// them by the same words as the rest. Nothing is written to the database.
fn load_text_tail(conn: Conn<'_>) -> StoreResult<()> {
    conn.exec(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.audit_tail USING fts5(
             justification, ticket_number, actor, target, details, detail = 'none', columnsize = 0)",
        args![],
    )?;
    conn.exec("DELETE FROM temp.audit_tail", args![])?;
    conn.exec(
        concat!(
            "INSERT INTO temp.audit_tail (rowid, justification, ticket_number, actor, target, details)
             SELECT seq, justification, ticket_number, actor, target, details FROM main.audit
             WHERE seq > ",
            text_through!()
        ),
        args![],
    )?;
    Ok(())
}

fn select(
    conn: Conn<'_>,
    f: &Filter<'_>,
    order: &str,
    each: &mut dyn FnMut(StoredAudit) -> bool,
) -> StoreResult<u64> {
    let pg = conn.is_pg();
    if !pg && f.text.and_then(fts_query).is_some() {
        load_text_tail(conn)?;
    }
    let (_, mut params) = conditions(f, pg);
    params.push((":limit", Value::Int(f.limit)));
    let who = f.user.or(f.involving);
    if let Some(who) = who {
        params.push((":who", Value::Text(who.to_owned().into())));
    }
    let bound = super::bind(&params);
    let Some(_) = who else {
        let mut n = 0;
        conn.stream(&cursor_sql(f, pg, None, order), &bound, &mut |row| {
            n += 1;
            Ok(each(from_row(row)?))
        })?;
        return Ok(n);
    };
    // A user's entries: as actor and as target, each read in order on its own index (a page
    // of each at most) and merged, so the page costs what it returns whatever the log holds.
    let by_actor = conn.rows(
        &cursor_sql(f, pg, Some("actor_id = :who"), order),
        &bound,
        from_row,
    )?;
    let by_target = conn.rows(
        &cursor_sql(f, pg, Some("target_id = :who"), order),
        &bound,
        from_row,
    )?;
    let mut actor_rows = by_actor.into_iter();
    let mut target_rows = by_target.into_iter();
    let next = |rows: &mut std::vec::IntoIter<StoredAudit>| -> StoreResult<Option<StoredAudit>> {
        Ok(rows.next())
    };
    let mut a = next(&mut actor_rows)?;
    let mut t = next(&mut target_rows)?;
    let descending = order == "DESC";
    let mut n = 0;
    while n < u64::try_from(f.limit).unwrap_or(0) {
        let take_actor = match (&a, &t) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(x), Some(y)) => {
                (x.record.seq > y.record.seq) == descending || x.record.seq == y.record.seq
            }
        };
        let entry = if take_actor {
            let entry = a.take();
            a = next(&mut actor_rows)?;
            entry
        } else {
            let entry = t.take();
            t = next(&mut target_rows)?;
            entry
        };
        let Some(entry) = entry else { break };
        // An entry by and about the same user comes from both cursors: give it once.
        if t.as_ref().is_some_and(|y| y.record.seq == entry.record.seq) {
            t = next(&mut target_rows)?;
        }
        n += 1;
        if !each(entry) {
            break;
        }
    }
    Ok(n)
}

/// The newest entry: its sequence number, hash, and whether it carries a real time (written
/// by a pim that anchors its log).
pub fn head(conn: Conn<'_>) -> StoreResult<Option<(i64, String, bool)>> {
    conn.row(
        "SELECT seq, hash, real_time IS NOT NULL FROM audit ORDER BY seq DESC LIMIT 1",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// The stored hash of entry `seq`, if there is one.
pub fn hash_at(conn: Conn<'_>, seq: i64) -> StoreResult<Option<String>> {
    conn.row("SELECT hash FROM audit WHERE seq = ?1", args![seq], |r| {
        r.get(0)
    })
}

/// The newest successful entry about an assignment: its sequence number and the state it
/// recorded (`None` for entries written before states were recorded).
pub fn latest_state(
    conn: Conn<'_>,
    assignment_id: &str,
) -> StoreResult<Option<(i64, Option<AssignmentState>)>> {
    let row: Option<(i64, String)> = conn.row(
        "SELECT seq, details FROM audit WHERE subject_id = ?1 AND result = 'success'
             ORDER BY seq DESC LIMIT 1",
        args![assignment_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(row.map(|(seq, details)| {
        let state = serde_json::from_str::<serde_json::Value>(&details)
            .ok()
            .and_then(|mut v| v.get_mut("state").map(serde_json::Value::take))
            .and_then(|s| serde_json::from_value(s).ok());
        (seq, state)
    }))
}

/// One entry by sequence number.
pub fn get(conn: Conn<'_>, seq: i64) -> StoreResult<Option<StoredAudit>> {
    let sql = format!("SELECT {COLUMNS} FROM audit WHERE seq = ?1");
    conn.row(&sql, args![seq], from_row)
}
