//! `--database-url`, which every command takes.

use clap::Args;

#[derive(Args, Clone)]
pub struct Database {
    /// sqlite://path/to/file.db or postgres://user@host/db
    #[arg(
        long,
        env = "TANDEM_DATABASE_URL",
        default_value = "sqlite://data/tandem.db",
        global = true
    )]
    pub database_url: String,
}
