//! Appends N entries to a database's audit log, for the audit export benchmark
//! (`benches/audit-export.sh`). The entries are chained like any, but the anchor is not
//! moved: `pim audit verify` then reports the log as extended behind pim's back, which it was.
//!
//! Usage: cargo run --release --example seed_audit -- DB N

use pim_console::audit::AuditEntry;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(n)) = (
        args.next(),
        args.next().and_then(|n| n.parse::<usize>().ok()),
    ) else {
        std::process::exit(2);
    };
    let conn = rusqlite::Connection::open(&path).expect("open the database");
    conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
    let t = pim_console::clock::from_unix(1_795_000_000);
    for i in 0..n {
        let e = AuditEntry::new(
            pim_console::audit::activity::Activity::ActivationCompleted,
            t,
        )
        .detail("i", i)
        .written_at(t);
        let id = uuid::Uuid::new_v4().to_string();
        pim_console::store::audit::append((&conn).into(), e, id).expect("append");
    }
    conn.execute_batch("COMMIT").expect("commit");
}
