//! `tandem`: see `tandem --help`. The work happens in the library (lib.rs).

use std::io::IsTerminal;

use clap::Parser;
use tandem_server::cli::{Cli, LogFormat};
use tracing_subscriber::EnvFilter;

/// Under steady churn glibc's allocator kept pages that hold a few live
/// blocks, and the server grew for the first quarter hour of a soak before
/// it levelled off (+4.9 % after the warm-up); jemalloc, with its background
/// threads purging freed pages, levelled off within minutes (+1.9 %), for
/// about 4 MiB more at start (docs/benchmarks.md, "Memory under steady
/// churn"). Only the binary: the crate's tests keep the system allocator.
/// SQLite and other C code still allocate from glibc (memory.rs).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    // Before any thread allocates: arenas are made as threads first allocate.
    tandem_server::memory::one_arena_per_core();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    runtime.block_on(run());
}

async fn run() {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_env("TANDEM_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colours for a person at a terminal, not in files and collectors.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // Either way a value from a client cannot start a line of its own: JSON
    // escapes it, and text logs print string fields quoted and escaped
    // (client input goes in fields, never in the message: docs/security.md).
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    match tandem_server::cli::run(cli).await {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}
