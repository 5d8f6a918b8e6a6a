//! `cargo xtask bench --cluster`: what a cluster costs a message, measured
//! in one run on this machine — the relay scenario (100 pairs chatting as
//! fast as the window allows, then light and half load) on one node on
//! Postgres, on a two-node cluster with visitor and agent on the core's
//! node, and with the agent on the other node (every message crosses
//! Redis twice). Each run gets a fresh Postgres database; both nodes are
//! pinned to core 0, the generator to core 1. Then trials of `kill -9` of
//! the core mid-conversation: how long until every pair has resumed on the
//! other node. Writes the cluster section of docs/benchmarks.md.

use std::process::Command;

use anyhow::{Result, bail};

use super::machine::machine_info;
use super::runner::{BENCH_FRAMES_PER_SECOND, Bench, Build, build_release_in};
use crate::paths::{cargo, root, run};
use crate::preflight::{self, Need, postgres_admin_url, redis_url, with_database};

const PAIRS: usize = 100;
const REPEATS: usize = 2;
/// Failover: trials of `kill -9` of the core, pairs chatting in each.
const FAILOVER_TRIALS: usize = 3;
const FAILOVER_PAIRS: usize = 20;

/// The setups, by the label their runs carry.
const SINGLE: &str = "single node, Postgres";
const SAME: &str = "cluster, both on the core's node";
const ACROSS: &str = "cluster, agent on the other node";

pub(super) fn cluster() -> Result<()> {
    for tool in ["taskset", "setsid", "psql"] {
        if !crate::paths::have(tool) {
            bail!("`{tool}` is needed for the benchmark");
        }
    }
    preflight::check(&[Need::Postgres, Need::Redis])?;
    build_release_in(cargo(), &[])?;
    let mut b = Bench::new("cluster")?;
    let admin = postgres_admin_url();
    let build = Build::current();
    for rep in 1..=REPEATS {
        // The setups take turns, so noise falls on all three alike.
        for setup in [SINGLE, SAME, ACROSS] {
            eprintln!("xtask bench: {setup}, {PAIRS} pairs (run {rep} of {REPEATS})");
            let name = format!("tandem_bench_cluster_{rep}_{}", b.runs);
            preflight::drop_database(&admin, &name)?;
            preflight::create_database(&admin, &name)?;
            let db = with_database(&admin, &name);
            let cluster_flags = [
                "--frames-per-second",
                BENCH_FRAMES_PER_SECOND,
                "--redis-url",
                &redis_url(),
                "--cluster-name",
                &name,
            ];
            let flags: &[&str] = match setup {
                SINGLE => &cluster_flags[..2],
                _ => &cluster_flags,
            };
            // The first node takes the core lease; the second joins it.
            let core = b.tandem_on(&build, Some(&db), PAIRS, flags)?;
            let other = match setup {
                ACROSS => Some(b.tandem_on(&build, Some(&db), 0, flags)?),
                _ => None,
            };
            let agent_url = other.as_ref().map_or(core.url.clone(), |o| o.url.clone());
            let args = [
                "relay".to_string(),
                "--target=tandem".to_string(),
                format!("--pairs={PAIRS}"),
                "--unpaced".to_string(),
                format!("--variant={setup}"),
                format!("--agent-url={agent_url}"),
            ];
            b.loadgen(&core, &args.iter().map(String::as_str).collect::<Vec<_>>())?;
            drop(other);
            drop(core);
            preflight::drop_database(&admin, &name)?;
        }
    }
    for trial in 1..=FAILOVER_TRIALS {
        eprintln!(
            "xtask bench: kill -9 of the core, {FAILOVER_PAIRS} pairs (trial {trial} of {FAILOVER_TRIALS})"
        );
        let name = format!("tandem_bench_failover_{trial}_{}", b.runs);
        preflight::drop_database(&admin, &name)?;
        preflight::create_database(&admin, &name)?;
        let db = with_database(&admin, &name);
        let redis = redis_url();
        let flags = [
            "--redis-url",
            &redis,
            "--cluster-name",
            &name,
            "--lease-ms",
            "1500",
        ];
        let core = b.tandem_on(&build, Some(&db), FAILOVER_PAIRS, &flags)?;
        let other = b.tandem_on(&build, Some(&db), 0, &flags)?;
        let args = [
            "failover".to_string(),
            format!("--agent-url={}", other.url),
            format!("--pairs={FAILOVER_PAIRS}"),
        ];
        b.loadgen(&core, &args.iter().map(String::as_str).collect::<Vec<_>>())?;
        drop(other);
        drop(core);
        preflight::drop_database(&admin, &name)?;
    }
    let mut report = Command::new(&b.loadgen);
    report
        .args(["cluster-report", "--results"])
        .arg(&b.results)
        .arg("--out")
        .arg(root().join("docs/benchmarks.md"));
    for setup in [SINGLE, SAME, ACROSS] {
        report.arg("--setup").arg(setup);
    }
    for row in machine_info().iter().filter(|r| !r.starts_with("Node=")) {
        report.arg("--info").arg(row);
    }
    run(&mut report)
}
