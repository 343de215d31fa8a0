//! `pim db copy`: a whole tenant moved between databases, SQLite and PostgreSQL either way,
//! with its audit chain verified where it lands.

use std::path::Path;

use super::{Service, ServiceError, ServiceResult};
use crate::store::{OpenMode, StoreError, files, keys, pg};

/// What a copy did.
#[derive(Debug, Clone)]
pub struct DbCopied {
    /// Rows copied, the audit log's entries among them.
    pub rows: u64,
    /// Audit entries that verified in the copy.
    pub verified: i64,
    /// Current assignments in the copy, each as its audited operations made it.
    pub assignments: i64,
}

impl Service {
    /// Copies the tenant in `from` (a file or a PostgreSQL address) into `to`: a new file, or
    /// a PostgreSQL database set up with `pim db init` and holding nothing yet. One
    /// transaction on the target: all of it or none. The copy keeps the source's identity and
    /// the key that seals its TOTP secrets, so accounts sign in there as before; its audit
    /// chain is verified before this returns. `progress` hears (rows done, rows).
    pub fn copy_database(
        from: &Path,
        to: &Path,
        progress: &mut dyn FnMut(u64, u64),
    ) -> ServiceResult<DbCopied> {
        let on_server = |p: &Path| p.to_str().is_some_and(pg::is_url);
        if from == to {
            return Err(ServiceError::Invalid(
                "the source and the target are the same database".into(),
            ));
        }
        if !on_server(to) && files::check_not_a_link(to)?.is_some() {
            return Err(StoreError::Exists(to.to_path_buf()).into());
        }
        let mut source = Service::open(from, OpenMode::Existing)?;
        let mut target = Service::open(to, OpenMode::Create)?;
        let key = source.sealer.key_text();
        let copied = {
            let read = source.store.read()?;
            let write = target.store.write()?;
            if let Some(t) = write.tenant()? {
                return Err(ServiceError::Conflict(format!(
                    "the target already holds the tenant {}; pim db copy writes into a new file, or a database set up with `pim db init` and nothing else",
                    t.domain
                )));
            }
            let rows = crate::store::copy::copy(read.raw(), write.raw(), progress)?;
            write.set_database_id(&read.database_id()?)?;
            if let Some(mark) = read.real_time_mark()? {
                write.set_real_time_mark(mark)?;
            }
            if on_server(to)
                && let Some(key) = &key
            {
                crate::store::copy::set_seal_key(write.raw(), key)?;
            }
            write.commit()?;
            rows
        };
        drop(target);
        if !on_server(to)
            && let Some(key) = &key
        {
            files::write_atomic_private(&keys::key_path(to), key.as_bytes())?;
        }
        // Where it landed, as anyone opening it would see it: its anchor first (this host's,
        // for a server), on the head it was copied with, then the whole check.
        let mut check = Service::open(to, OpenMode::Existing)?;
        check.force_anchor();
        if let Some(warning) = check.take_warnings().into_iter().next() {
            return Err(ServiceError::Invalid(warning));
        }
        let v = check.verify_audit(None, &mut |_, _, _| {})?;
        if let Some((fault, entry)) = &v.fault {
            return Err(ServiceError::Invalid(format!(
                "the copy's audit log does not verify at entry #{} ({fault:?}); the copy is not to be used",
                entry.record.seq
            )));
        }
        if !v.assignments.mismatches.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "{} assignment(s) in the copy differ from what the audit log recorded; the copy is not to be used",
                v.assignments.mismatches.len()
            )));
        }
        Ok(DbCopied {
            rows: copied,
            verified: v.verified,
            assignments: v.assignments.checked,
        })
    }
}
