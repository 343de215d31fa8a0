//! Queued e-mail messages: the notification outbox and every account's inbox.

use super::sql::{Conn, Row, args};

use super::StoreResult;
use super::convert::{bad_value, opt_secs, opt_time, secs, time};
use crate::clock::Time;
use crate::notify::{Email, EmailEvent};

const COLUMNS: &str =
    "id, created_at, recipient_id, to_addr, subject, body, event, role_id, request_id, read_at";

fn from_row(r: &Row<'_>) -> StoreResult<Email> {
    let event: String = r.get(6)?;
    Ok(Email {
        id: r.get(0)?,
        time: time(r.get(1)?),
        recipient_id: r.get(2)?,
        to: r.get(3)?,
        subject: r.get(4)?,
        body: r.get(5)?,
        event: EmailEvent::parse(&event).ok_or_else(|| bad_value("e-mail event", &event))?,
        role_id: r.get(7)?,
        request_id: r.get(8)?,
        read_at: opt_time(r.get(9)?),
    })
}

/// The newest message's row number (0 with none), to find what a transaction queues.
pub fn last_rowid(conn: Conn<'_>) -> StoreResult<i64> {
    conn.one("SELECT coalesce(max(rowid), 0) FROM emails", args![], |r| {
        r.get(0)
    })
}

/// Recipient and subject of each message queued after row `rowid`, in order.
pub fn queued_since(conn: Conn<'_>, rowid: i64) -> StoreResult<Vec<(String, String)>> {
    conn.rows(
        "SELECT to_addr, subject FROM emails WHERE rowid > ?1 ORDER BY rowid",
        args![rowid],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Queues a message.
pub fn insert(conn: Conn<'_>, e: &Email) -> StoreResult<()> {
    crate::fault::point("emails.insert");
    conn.exec(
        &format!("INSERT INTO emails ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        args![
            e.id,
            secs(e.time),
            e.recipient_id,
            e.to,
            e.subject,
            e.body,
            e.event.as_str(),
            e.role_id,
            e.request_id,
            opt_secs(e.read_at)
        ],
    )?;
    Ok(())
}

/// One account's messages, newest first.
pub fn inbox(
    conn: Conn<'_>,
    user_id: &str,
    unread_only: bool,
    limit: i64,
) -> StoreResult<Vec<Email>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM emails WHERE recipient_id = ?1 AND (?2 = 0 OR read_at IS NULL)
         ORDER BY created_at DESC, rowid DESC LIMIT ?3"
    );
    conn.rows(&sql, args![user_id, unread_only, limit], from_row)
}

/// Unread messages of one account.
pub fn unread_count(conn: Conn<'_>, user_id: &str) -> StoreResult<i64> {
    conn.one(
        "SELECT count(*) FROM emails WHERE recipient_id = ?1 AND read_at IS NULL",
        args![user_id],
        |r| r.get(0),
    )
}

/// One message of an account (ids of other accounts' messages are not found).
pub fn get_for(conn: Conn<'_>, user_id: &str, id: &str) -> StoreResult<Option<Email>> {
    let sql = format!("SELECT {COLUMNS} FROM emails WHERE recipient_id = ?1 AND id = ?2");
    conn.row(&sql, args![user_id, id], from_row)
}

/// Marks a message read.
pub fn mark_read(conn: Conn<'_>, user_id: &str, id: &str, at: Time) -> StoreResult<()> {
    conn.exec(
        "UPDATE emails SET read_at = coalesce(read_at, ?3) WHERE recipient_id = ?1 AND id = ?2",
        args![user_id, id, secs(at)],
    )?;
    Ok(())
}

/// Messages oldest first, one page at a time (for export): every message, or one account's.
pub fn page(
    conn: Conn<'_>,
    recipient_id: Option<&str>,
    after_rowid: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, Email)>> {
    let sql = format!(
        "SELECT rowid, {COLUMNS} FROM emails
         WHERE rowid > ?1 AND (CAST(?3 AS TEXT) IS NULL OR recipient_id = ?3) ORDER BY rowid LIMIT ?2"
    );
    conn.rows(&sql, args![after_rowid, limit, recipient_id], |r| {
        let rowid: i64 = r.get(0)?;
        let event: String = r.get(7)?;
        Ok((
            rowid,
            Email {
                id: r.get(1)?,
                time: time(r.get(2)?),
                recipient_id: r.get(3)?,
                to: r.get(4)?,
                subject: r.get(5)?,
                body: r.get(6)?,
                event: EmailEvent::parse(&event)
                    .ok_or_else(|| bad_value("e-mail event", &event))?,
                role_id: r.get(8)?,
                request_id: r.get(9)?,
                read_at: opt_time(r.get(10)?),
            },
        ))
    })
}
