//! The `tandem` command line. Every flag can also come from a `TANDEM_*`
//! environment variable, which suits containers and service managers.
//!
//! This file holds the top level (global flags, the commands) and sends each
//! command to its file: serve.rs (`tandem serve` and its flag groups),
//! agent.rs, site.rs, token.rs, visitor.rs; database.rs has the `--database-url` flag
//! they share, parse.rs the checks of flag values.

mod agent;
mod database;
mod parse;
mod serve;
mod site;
mod token;
mod visitor;

use anyhow::Result;
use clap::{Parser, Subcommand};

pub use agent::AgentCommand;
pub use database::Database;
pub use serve::{Connections, Login, Metrics, Serve, Visitors, Voice};
pub use site::SiteCommand;
pub use token::TokenCommand;
pub use visitor::VisitorCommand;

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "Live assistance for websites: chat, co-browsing, voice"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log lines as text for people or JSON (one object a line) for collectors.
    #[arg(long, env = "TANDEM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

// `Serve` is much larger than the other commands; the enum is parsed once.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(Serve),
    /// Manage agents.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Manage sites (the websites that embed the widget).
    #[command(subcommand)]
    Site(SiteCommand),
    /// Make, list and revoke API tokens for integrations (docs/api.md).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Export or erase what is stored about a visitor (docs/privacy.md).
    #[command(subcommand)]
    Visitor(VisitorCommand),
}

/// Runs a command; the exit code tells scripts what happened (3: already exists).
pub async fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Serve(s) => serve::serve(s).await.map(|_| 0),
        Command::Agent(command) => agent::run(command).await,
        Command::Site(command) => site::run(command).await,
        Command::Token(command) => token::run(command).await,
        Command::Visitor(command) => visitor::run(command).await,
    }
}
