//! `pim db init`: PostgreSQL for teams and classrooms.

use serde_json::json;

use super::args::{DbCommand, DbInitArgs};
use super::output::{json, safe};
use super::{CliError, CliResult, read_stdin_line};
use crate::store::pg::{self, PasswordSource, PgTarget};

/// `pim db …`.
pub fn db(command: DbCommand) -> CliResult {
    match command {
        DbCommand::Init(a) => init(&a),
        DbCommand::Copy(a) => copy(&a),
    }
}

/// `pim db copy --from A --to B`.
fn copy(a: &super::args::DbCopyArgs) -> CliResult {
    for db in [&a.from, &a.to] {
        super::check_address(db)?;
    }
    let bar = super::output::progress_bar("Copying", 0, a.json);
    let copied = crate::service::Service::copy_database(&a.from, &a.to, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let copied = copied?;
    let shown = |p: &std::path::Path| match p.to_str().filter(|u| pg::is_url(u)) {
        Some(url) => PgTarget::parse(url).map_or_else(|_| safe(url).into_owned(), |(t, _)| t.shown),
        None => safe(&p.display().to_string()).into_owned(),
    };
    if a.json {
        return json(&json!({
            "from": shown(&a.from),
            "to": shown(&a.to),
            "rows": copied.rows,
            "audit_verified": copied.verified,
            "assignments_checked": copied.assignments,
        }));
    }
    outln!(
        "Copied the tenant from {} to {}: {} rows.",
        shown(&a.from),
        shown(&a.to),
        copied.rows
    );
    outln!(
        "The copy's audit chain verifies ({} entries), and its {} current assignment(s) are what the log recorded.",
        copied.verified,
        copied.assignments
    );
    outln!(
        "Accounts sign in there as before (the copy keeps the key that seals their authenticators)."
    );
    Ok(())
}

/// Reads a PostgreSQL address given on the command line, refusing one that carries a password
/// (it would stay in the shell's history).
pub fn target(url: &str) -> Result<PgTarget, CliError> {
    let (target, source) = PgTarget::parse(url).map_err(|e| CliError::usage(e.to_string()))?;
    if source == PasswordSource::Address {
        return Err(CliError::usage(format!(
            "the address for {} carries a password, which would stay in your shell's history; put it in PGPASSWORD or ~/.pgpass (host:port:database:user:password, mode 0600) and leave it out of the address",
            target.shown
        )));
    }
    Ok(target)
}

fn init(a: &DbInitArgs) -> CliResult {
    let target = target(&a.url)?;
    let password = if a.password_stdin {
        let p = read_stdin_line()?;
        if p.len() < 12 {
            return Err(CliError::usage(
                "the role's password must be at least 12 characters",
            ));
        }
        p
    } else {
        crate::auth::session::generate_password()
            .map_err(|e| CliError::error(format!("no randomness for a password: {e}")))?
    };
    let made =
        pg::init(&target, &a.role, &password).map_err(|e| CliError::error(safe(&e.to_string())))?;
    if a.json {
        return json(&json!({
            "schema_version": made.schema_version,
            "role": made.role,
            "password": if a.password_stdin { None } else { Some(&made.password) },
            "url": made.url,
        }));
    }
    outln!(
        "Set up pim (schema version {}) in {}.",
        made.schema_version,
        target.shown
    );
    outln!(
        "pim connects as the role {}: it may read and change pim's tables, and only add to the audit log.",
        made.role
    );
    if !a.password_stdin {
        outln!("Its password (shown once): {}", made.password);
    }
    outln!();
    outln!("Everyone runs pim with:");
    outln!("  export PIM_DB='{}'", made.url);
    if target.host().starts_with('/') {
        outln!(
            "(or over TCP, where the socket admits only same-named OS accounts, as Debian's does: postgres://{}@localhost:{}/{}?sslmode=disable)",
            made.role,
            target.port(),
            target.dbname()
        );
    }
    outln!("and the password in PGPASSWORD or ~/.pgpass (mode 0600), one line:");
    outln!(
        "  {}:{}:{}:{}:PASSWORD",
        target.pgpass_host(),
        target.port(),
        target.dbname(),
        made.role
    );
    Ok(())
}
