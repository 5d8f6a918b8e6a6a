//! Build orchestration for Tandem.
//!
//! `cargo xtask build`  builds the widget and the console to wasm into static/dist/
//! `cargo xtask run`    builds everything, seeds a demo agent, starts the server
//! `cargo xtask cluster` the same with three nodes, Postgres, Redis and HAProxy
//! `cargo xtask test`   builds everything and runs every test (Rust, then browser e2e)
//! `cargo xtask layout` checks the code's shape: no import cycle, no oversized file
//! `cargo xtask preflight` checks what `test` needs from the machine, and stops
//!
//! Everything a fresh machine lacks that can be fetched safely is fetched here
//! (the wasm32 target, the npm packages; Chromium and a local Postgres start
//! when running as root), and anything else is named with the command to run
//! before a build starts (preflight/), so the README's two commands work on
//! a clean clone or say at once why not.

mod bench;
mod bundle;
mod cluster;
mod layout;
mod paths;
mod preflight;
mod run;
mod shrink;
mod test;

use anyhow::{Result, bail};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = &args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("build") => {
            preflight::check(preflight::FOR_BUILD)?;
            bundle::build_all(rest)
        }
        Some("run") => run::run(rest),
        Some("cluster") => cluster::cluster(rest),
        Some("test") => test::test(rest),
        Some("bench") => bench::bench(rest),
        Some("layout") => layout::layout(rest),
        Some("preflight") => preflight::check(preflight::FOR_TEST),
        _ => {
            eprintln!("usage: cargo xtask <build|run|cluster|test|bench|layout|preflight>");
            eprintln!(
                "  build   wasm bundles of the widget and the console into static/dist/ (or: build <package>…)"
            );
            eprintln!("  run     build, seed the demo agent, start tandem (console + demo shop)");
            eprintln!("  cluster like run, with three nodes on Postgres and Redis behind HAProxy");
            eprintln!(
                "  test    check the machine (preflight), build, then run the Rust tests and the Chromium e2e tests"
            );
            eprintln!(
                "  bench   measure relay throughput, latency, memory and pairing; write docs/benchmarks.md"
            );
            eprintln!(
                "          (bench --soak [--soak-minutes N]: only the 30-minute soak of steady churn;\n           bench --cluster: only one node against a two-node cluster on Postgres and Redis)"
            );
            eprintln!("  layout  no import cycle between files, no source file over 600 lines");
            eprintln!(
                "  preflight  what `test` needs from the machine (wasm target, node, Chromium, Postgres, Redis, HAProxy):"
            );
            eprintln!(
                "          provides what is safe to provide, else names the command to run (test runs it first)"
            );
            bail!("unknown or missing command")
        }
    }
}
