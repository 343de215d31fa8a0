//! Fault injection for the crash tests: in a debug build, `PIM_FAULT=N` makes the process
//! abort (as a power cut or `kill -9` would) at the N-th durable write point it reaches.
//! Release builds compile the points to nothing.
//!
//! The points are where a crash could leave something half-done: inside a transaction before
//! and after each write, just before and after `COMMIT`, and around the atomic replacement of
//! the files beside the database. The crash tests run an operation with N = 1, 2, … until it
//! completes, and check after each abort that the database opens, the audit chain and anchor
//! verify, and the operation happened completely or not at all.
//!
//! `PIM_FAULT_PAUSE=NAME` instead holds the process for three seconds at the point `NAME`
//! (saying so on stderr), so a test can take the database server away mid-transaction.

/// Marks a durable write point.
#[cfg(debug_assertions)]
pub fn point(name: &str) {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static TARGET: OnceLock<Option<u64>> = OnceLock::new();
    static REACHED: AtomicU64 = AtomicU64::new(0);
    static PAUSE: OnceLock<Option<String>> = OnceLock::new();
    if PAUSE
        .get_or_init(|| std::env::var("PIM_FAULT_PAUSE").ok())
        .as_deref()
        == Some(name)
    {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "pim: paused at {name}");
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
    let Some(target) =
        *TARGET.get_or_init(|| std::env::var("PIM_FAULT").ok().and_then(|v| v.parse().ok()))
    else {
        return;
    };
    if REACHED.fetch_add(1, Ordering::SeqCst) + 1 == target {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "pim: fault injected at {name}");
        std::process::abort();
    }
}

/// Marks a durable write point (nothing in release builds).
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn point(_name: &str) {}
