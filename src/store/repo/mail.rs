//! The outgoing mail: every e-mail pim sends, and each user's inbox.

use super::Sqlite;
use crate::clock::Time;
use crate::notify::Email;
use crate::store::StoreResult;
use crate::store::mail;

/// The outgoing mail: every e-mail pim sends, and each user's inbox.
pub trait Mail {
    /// The newest message's row number (0 with none), to find what a transaction queues.
    fn last_mail_rowid(&self) -> StoreResult<i64>;
    /// Recipient and subject of each message queued after row `rowid`, in order.
    fn queued_since(&self, rowid: i64) -> StoreResult<Vec<(String, String)>>;
    /// Queues a message.
    fn insert_email(&self, e: &Email) -> StoreResult<()>;
    /// One account's messages, newest first.
    fn inbox(&self, user_id: &str, unread_only: bool, limit: i64) -> StoreResult<Vec<Email>>;
    /// Unread messages of one account.
    fn unread_count(&self, user_id: &str) -> StoreResult<i64>;
    /// One message of an account (ids of other accounts' messages are not found).
    fn email_for(&self, user_id: &str, id: &str) -> StoreResult<Option<Email>>;
    /// Marks a message read.
    fn mark_read(&self, user_id: &str, id: &str, at: Time) -> StoreResult<()>;
    /// Messages oldest first, one page at a time (for export): every message, or one account's.
    fn mail_page(
        &self,
        recipient_id: Option<&str>,
        after_rowid: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Email)>>;
}

impl<T: Sqlite + ?Sized> Mail for T {
    fn last_mail_rowid(&self) -> StoreResult<i64> {
        mail::last_rowid(self.sqlite())
    }
    fn queued_since(&self, rowid: i64) -> StoreResult<Vec<(String, String)>> {
        mail::queued_since(self.sqlite(), rowid)
    }
    fn insert_email(&self, e: &Email) -> StoreResult<()> {
        mail::insert(self.sqlite(), e)
    }
    fn inbox(&self, user_id: &str, unread_only: bool, limit: i64) -> StoreResult<Vec<Email>> {
        mail::inbox(self.sqlite(), user_id, unread_only, limit)
    }
    fn unread_count(&self, user_id: &str) -> StoreResult<i64> {
        mail::unread_count(self.sqlite(), user_id)
    }
    fn email_for(&self, user_id: &str, id: &str) -> StoreResult<Option<Email>> {
        mail::get_for(self.sqlite(), user_id, id)
    }
    fn mark_read(&self, user_id: &str, id: &str, at: Time) -> StoreResult<()> {
        mail::mark_read(self.sqlite(), user_id, id, at)
    }
    fn mail_page(
        &self,
        recipient_id: Option<&str>,
        after_rowid: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Email)>> {
        mail::page(self.sqlite(), recipient_id, after_rowid, limit)
    }
}
