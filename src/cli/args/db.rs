//! Arguments of `pim db`: setting up a PostgreSQL database for pim.

use super::*;

// `pim db …`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum DbCommand {
    /// Set up a PostgreSQL database for pim (run once, by the database's owner): pim's schema
    /// and a role that may only add to the audit log
    Init(DbInitArgs),
    /// Copy a whole tenant between databases (SQLite file or PostgreSQL, either way) with its
    /// audit log, and verify the chain where it lands
    Copy(DbCopyArgs),
}

// `pim db copy`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct DbCopyArgs {
    /// The database to copy: a file, or postgres://…
    #[arg(long, value_name = "DB")]
    pub from: PathBuf,
    /// Where to: a new file, or a PostgreSQL database set up with `pim db init` and empty
    #[arg(long, value_name = "DB")]
    pub to: PathBuf,
    /// Print one JSON document instead of text
    #[arg(long)]
    pub json: bool,
}

// `pim db init`. Its help is the subcommand's own line.
#[derive(Debug, Args)]
pub struct DbInitArgs {
    /// The database, as its owner: postgres://OWNER@HOST:PORT/DB or postgresql:///DB?host=/socket/dir
    /// (the password comes from PGPASSWORD or ~/.pgpass, never from the address)
    #[arg(value_name = "URL")]
    pub url: String,
    /// The role pim will connect as (created, or given a new password if it exists)
    #[arg(long, default_value = "pim_app", value_name = "NAME")]
    pub role: String,
    /// Read the role's password from standard input instead of generating one
    #[arg(long)]
    pub password_stdin: bool,
    /// Print one JSON document instead of text
    #[arg(long)]
    pub json: bool,
}
