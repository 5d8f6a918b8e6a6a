//! `tandem-loadgen`: the load generator behind `cargo xtask bench`.
//!
//! Each scenario command prints one JSON line on stdout (see results.rs) and
//! its progress on stderr; `report` turns the collected lines into
//! docs/benchmarks.md. xtask starts the servers, pins processes to cores and
//! runs these commands; they can also be run by hand:
//!
//! ```text
//! tandem-loadgen seed --database-url sqlite:///tmp/b.db --agents 100 --tokens /tmp/tokens
//! tandem serve --listen 127.0.0.1:9000 --database-url sqlite:///tmp/b.db --allow-origin demo=http://bench.local \
//!     --max-connections-per-ip 0   # every simulated client is 127.0.0.1
//! tandem-loadgen relay --target tandem --url http://127.0.0.1:9000 --server-pid PID --pairs 100 --tokens /tmp/tokens --max-pair-rate 28
//! ```
//!
//! Every loop is bounded in count and time, and only 127.0.0.0/8 is dialled.
#![forbid(unsafe_code)]

mod baseline;
mod failover;
mod idle;
mod logins;
mod net;
mod pairing;
mod pairs;
mod persist;
mod relay;
mod report;
mod results;
mod seed;
mod soak;
mod stats;
mod tandem;
mod usage;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::relay::{RelayArgs, SiteArgs};
use crate::results::Outcome;

#[derive(Parser)]
#[command(
    name = "tandem-loadgen",
    about = "Load generator for `cargo xtask bench`"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add agents with bearer tokens to a Tandem database (before the server starts).
    Seed {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        agents: usize,
        /// Where to write the tokens, one a line.
        #[arg(long)]
        tokens: PathBuf,
    },
    /// Relay throughput and latency through N visitor/agent pairs.
    Relay(RelayArgs),
    /// Server memory with many idle visitor connections (Tandem).
    Idle {
        #[arg(long)]
        url: String,
        #[arg(long)]
        server_pid: u32,
        #[arg(long)]
        visitors: usize,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Server memory under many concurrent logins of seeded agents (Tandem).
    Logins {
        #[arg(long)]
        url: String,
        #[arg(long)]
        server_pid: u32,
        #[arg(long, default_value_t = 200)]
        logins: usize,
    },
    /// Time from a help request to online agents seeing it in their queue (Tandem).
    Pairing {
        #[arg(long)]
        url: String,
        #[arg(long)]
        server_pid: u32,
        #[arg(long)]
        tokens: PathBuf,
        #[arg(long, default_value_t = 1000)]
        agents: usize,
        #[arg(long, default_value_t = 300)]
        requests: usize,
        /// Requests left waiting in the queue while the measured ones are made.
        #[arg(long, default_value_t = 0)]
        backlog: usize,
        /// Quiet time before each request, in milliseconds.
        #[arg(long, default_value_t = 0)]
        pause_ms: u64,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// What storing chat messages costs, through Tandem's store, without the network.
    Persist {
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 10_000)]
        events: usize,
        #[arg(long, default_value_t = 100)]
        text_bytes: usize,
    },
    /// Time from `kill -9` of a cluster's core to every pair resumed (Tandem cluster).
    Failover {
        /// The core's node: visitors connect here first.
        #[arg(long)]
        url: String,
        /// Another node of the cluster: agents connect here, and everyone after the kill.
        #[arg(long)]
        agent_url: String,
        /// The core's process, killed with SIGKILL mid-conversation.
        #[arg(long)]
        server_pid: u32,
        #[arg(long)]
        tokens: PathBuf,
        #[arg(long, default_value_t = 20)]
        pairs: usize,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Hours of churn compressed into minutes: does the server's memory stay flat? (Tandem)
    Soak(soak::SoakArgs),
    /// Turn collected results into docs/benchmarks.md.
    Report(report::ReportArgs),
    /// Write the section of docs/benchmarks.md that sets Tandem's relay runs
    /// beside those of an earlier build (`cargo xtask bench --against`).
    Compare(report::CompareArgs),
    /// Write the section of docs/benchmarks.md that sets a cluster's relay
    /// runs beside a single node's (`cargo xtask bench --cluster`).
    ClusterReport(report::ClusterArgs),
    /// Write the soak section again from a recorded run (the JSON line a
    /// `soak` printed), after a change to how the section reads it.
    SoakReport {
        /// The JSON lines file holding the run (its last soak line is used).
        #[arg(long)]
        results: PathBuf,
        /// The markdown file whose soak section is replaced.
        #[arg(long)]
        write: PathBuf,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    // xtask pins this process to one core: one thread does all the work, and
    // no time goes to moving tasks between threads.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli.command))
}

async fn run(command: Command) -> Result<()> {
    let outcome = match command {
        Command::Seed {
            database_url,
            agents,
            tokens,
        } => return seed::seed(&database_url, agents, &tokens).await,
        Command::Report(args) => return report::report(&args),
        Command::Compare(args) => return report::compare(&args),
        Command::ClusterReport(args) => return report::cluster(&args),
        Command::SoakReport { results, write } => {
            return soak::write_section(&soak::recorded(&results)?, &write);
        }
        Command::Soak(args) => {
            let run = soak::soak(&args).await?;
            if let Some(out) = &args.write {
                soak::write_section(&run, out)?;
            }
            Outcome::Soak(Box::new(run))
        }
        Command::Relay(args) => Outcome::Relay(Box::new(relay::run(&args).await?)),
        Command::Failover {
            url,
            agent_url,
            server_pid,
            tokens,
            pairs,
            site,
        } => {
            let tokens = tandem::read_tokens(&tokens)?;
            let (core, other) = (site.tandem(&url)?, site.tandem(&agent_url)?);
            Outcome::Failover(failover::failover(&core, &other, server_pid, &tokens, pairs).await?)
        }
        Command::Idle {
            url,
            server_pid,
            visitors,
            site,
        } => Outcome::Idle(idle::idle(&site.tandem(&url)?, visitors, server_pid).await?),
        Command::Logins {
            url,
            server_pid,
            logins,
        } => Outcome::Logins(logins::logins(&url, logins, server_pid).await?),
        Command::Pairing {
            url,
            server_pid,
            tokens,
            agents,
            requests,
            backlog,
            pause_ms,
            site,
        } => {
            let tokens = tandem::read_tokens(&tokens)?;
            let tandem = site.tandem(&url)?;
            Outcome::Pairing(
                pairing::pairing(
                    &tandem,
                    &tokens,
                    agents,
                    requests,
                    backlog,
                    Duration::from_millis(pause_ms),
                    server_pid,
                )
                .await?,
            )
        }
        Command::Persist {
            database_url,
            events,
            text_bytes,
        } => {
            let text = pairs::Frames::new(text_bytes);
            Outcome::Persist(persist::persist(&database_url, events, text.text()).await?)
        }
    };
    println!("{}", outcome.to_json());
    Ok(())
}
