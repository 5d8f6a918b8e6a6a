//! The cluster section (`cargo xtask bench --cluster`): the relay scenario
//! on one node and on a two-node cluster, by where the sockets were, so
//! what the hop through Redis costs is read against the single node.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use super::format::{count, info_table, micros};
use super::section::write_section;
use crate::failover::FailoverRun;
use crate::relay::RelayRun;
use crate::results::Outcome;
use crate::stats::median;

pub const START: &str = "<!-- cluster:start -->";
pub const END: &str = "<!-- cluster:end -->";

#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// JSON lines of the relay runs, each labelled with its setup (`--variant`).
    #[arg(long)]
    pub results: PathBuf,
    /// The setups, in table order; the first is the baseline.
    #[arg(long = "setup")]
    pub setups: Vec<String>,
    /// The markdown file whose cluster section is written.
    #[arg(long)]
    pub out: PathBuf,
    /// `Name=value` rows for the machine table (repeatable).
    #[arg(long = "info")]
    pub info: Vec<String>,
}

pub fn cluster(args: &ClusterArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.results)
        .with_context(|| format!("reading {}", args.results.display()))?;
    let mut runs = Vec::new();
    let mut failovers = Vec::new();
    for line in text.lines().filter(|l| l.trim_start().starts_with('{')) {
        match serde_json::from_str(line).with_context(|| format!("decoding {line}"))? {
            Outcome::Relay(r) => runs.push(*r),
            Outcome::Failover(f) => failovers.push(f),
            _ => {}
        }
    }
    let mut body = section(&runs, args);
    if !body.is_empty() {
        body.push_str(&failover(&failovers));
    }
    if body.is_empty() {
        bail!("no labelled relay runs in {}", args.results.display());
    }
    write_section(&args.out, START, END, &body)?;
    eprintln!(
        "loadgen: wrote the cluster section of {}",
        args.out.display()
    );
    Ok(())
}

fn section(runs: &[RelayRun], args: &ClusterArgs) -> String {
    let of = |setup: &str| -> Vec<&RelayRun> {
        runs.iter()
            .filter(|r| r.variant.as_deref() == Some(setup))
            .collect()
    };
    let rate = |rs: &[&RelayRun]| median(rs.iter().map(|r| r.saturation.rate).collect());
    let Some(baseline) = args.setups.first().map(|s| of(s)).filter(|b| !b.is_empty()) else {
        return String::new();
    };
    let base = rate(&baseline);
    let mut rows = String::new();
    for setup in &args.setups {
        let rs = of(setup);
        if rs.is_empty() {
            continue;
        }
        let lat = |pick: fn(&RelayRun) -> f64| median(rs.iter().map(|r| pick(r)).collect());
        let lo = rs
            .iter()
            .map(|r| r.saturation.rate)
            .fold(f64::INFINITY, f64::min);
        let hi = rs.iter().map(|r| r.saturation.rate).fold(0.0, f64::max);
        let _ = writeln!(
            rows,
            "| {setup} | {} | {} ({}–{}) | {:.2} | {} | {} | {} |",
            rs.len(),
            count(rate(&rs)),
            count(lo),
            count(hi),
            rate(&rs) / base,
            micros(lat(|r| r.light.latency.p50_us)),
            micros(lat(|r| r.light.latency.p99_us)),
            micros(lat(|r| r.half_load.latency.p99_us)),
        );
    }
    let pairs = baseline[0].pairs;
    format!(
        "## A cluster: what a message pays for crossing nodes\n\n\
         `cargo xtask bench --cluster`: the relay scenario with {pairs} pairs on one node on \
         Postgres, then on two nodes sharing that Postgres and a Redis, with visitor and agent \
         on the core's node, then with the agent on the other node (each message crosses \
         Redis twice: the sender's frame to the core, the event back). A fresh database per \
         run; both nodes pinned to core 0 (so the second node's work is taken from the \
         core's CPU, not added beside it), the generator to core 1; setups take turns. \
         Saturation is the median with the lowest and highest run; latencies are medians.\n\n\
         {}\n\
         | Setup | Runs | Saturation, msg/s | vs single node | Light p50 | Light p99 | Half-load p99 |\n\
         |---|---:|---:|---:|---:|---:|---:|\n\
         {rows}",
        info_table(&args.info),
    )
}

/// The failover paragraph: time from `kill -9` of the core to each pair
/// resumed, over every trial.
fn failover(runs: &[FailoverRun]) -> String {
    let all: Vec<f64> = runs
        .iter()
        .flat_map(|r| r.resumed_ms.iter().copied())
        .collect();
    if all.is_empty() {
        return String::new();
    }
    let max = all.iter().copied().fold(0.0, f64::max);
    let pairs = runs.first().map_or(0, |r| r.pairs);
    format!(
        "\n**`kill -9` of the core, mid-conversation** ({} trials, {pairs} pairs each, visitors \
         on the core's node, agents on the other, lease `--lease-ms 1500`): every pair reconnected \
         to the surviving node, which took the core over, and exchanged a message there — \
         median **{:.2} s**, slowest **{:.2} s** after the kill.\n",
        runs.len(),
        median(all) / 1000.0,
        max / 1000.0,
    )
}
