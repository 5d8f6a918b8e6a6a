//! `cargo xtask bench [--quick]`: how fast and how lean Tandem is, beside a
//! bare axum relay and a Node `ws` relay; writes docs/benchmarks.md.
//! `cargo xtask bench --soak [--soak-minutes N]`: only the soak (30 minutes
//! of steady churn by default; does memory stay flat?), which writes its own
//! section of docs/benchmarks.md.
//!
//! This file runs processes; the measuring is done by `tandem-loadgen`
//! (loadgen/), which prints one JSON line per scenario and renders the report.
//! Each server runs pinned to core 0 and each load generator to core 1, each
//! in its own session (so its own scheduling group) at nice −10 where that is
//! allowed: other work shares this machine's two cores, and without that a
//! process gets a third of its core.
//!
//! `--quick` runs each scenario once with at most 1,000 pairs, to try changes.
//!
//! `cargo xtask bench --against <commit> [--quick]`: only the relay runs, of
//! Tandem built from that commit and from this tree taking turns (against.rs).
//!
//! `cargo xtask bench --cluster`: only the relay runs on one node on
//! Postgres and on a two-node cluster, by where the sockets are (cluster.rs).
//!
//! The browser benchmarks come last, each a node script under bench/ that
//! writes its own section: voice call set-up and co-browse capture.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::paths::{cargo, ensure_npm_packages, root, run, target_dir};

mod against;
mod cluster;
mod machine;
mod runner;

use machine::machine_info;
use runner::{BENCH_FRAMES_PER_SECOND, Bench, Target, fd_limit, pinned};

/// Sizes asked for by issue 7; the largest is lowered when the open-file
/// limit cannot hold its connections (two per pair, in both processes).
const PAIRS: [usize; 3] = [100, 1_000, 10_000];
/// Runs of each relay scenario up to this many pairs; the report takes the
/// median. Larger runs take most of a minute each and run once.
const REPEATS: usize = 3;
const REPEATED_UP_TO: usize = 1_000;
/// File descriptors a process needs besides its connections.
const SPARE_FDS: usize = 100;
const IDLE_VISITORS: usize = 10_000;
const PAIRING_AGENTS: usize = 1_000;
/// Concurrent logins in the login memory scenario (issue 13).
const LOGINS: usize = 200;
const USAGE: &str = "usage: cargo xtask bench [--quick] [--against <commit>] | --soak [--soak-minutes N] | --cluster";

/// The soak (issue 13): pairs and length of the run by default.
const SOAK_PAIRS: usize = 300;
const SOAK_MINUTES: f64 = 30.0;

/// What `bench` was asked to do.
enum Mode {
    All { quick: bool },
    Soak { minutes: f64 },
    Against { commit: String, quick: bool },
    Cluster,
}

fn mode(args: &[String]) -> Result<Mode> {
    let mut quick = false;
    let mut soak = false;
    let mut minutes = None;
    let mut against = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--cluster" if args.len() == 1 => return Ok(Mode::Cluster),
            "--soak" => soak = true,
            "--against" => {
                let commit = it
                    .next()
                    .with_context(|| format!("--against takes a commit; {USAGE}"))?;
                against = Some(commit.clone());
            }
            "--soak-minutes" => {
                let n: f64 = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n: &f64| *n >= 1.0)
                    .with_context(|| {
                        format!("--soak-minutes takes a number of minutes (at least 1); {USAGE}")
                    })?;
                minutes = Some(n);
            }
            _ => bail!("{USAGE}"),
        }
    }
    match (quick, soak || minutes.is_some(), against) {
        (_, true, Some(_)) => bail!("--against and --soak do not go together; {USAGE}"),
        (true, true, None) => bail!("--quick and --soak do not go together; {USAGE}"),
        (_, true, None) => Ok(Mode::Soak {
            minutes: minutes.unwrap_or(SOAK_MINUTES),
        }),
        (quick, false, Some(commit)) => Ok(Mode::Against { commit, quick }),
        (quick, false, None) => Ok(Mode::All { quick }),
    }
}

pub fn bench(args: &[String]) -> Result<()> {
    let quick = match mode(args)? {
        Mode::All { quick } => quick,
        Mode::Soak { minutes } => return soak(minutes),
        Mode::Against { commit, quick } => return against::against(&commit, quick),
        Mode::Cluster => return cluster::cluster(),
    };
    let started = Instant::now();
    for tool in ["taskset", "setsid", "node"] {
        if !crate::paths::have(tool) {
            bail!("`{tool}` is needed for the benchmark");
        }
    }
    build_release(&["--bin", "bare-relay"])?;
    if !ensure_npm_packages()? {
        bail!("node and npm are needed for the Node relay baseline");
    }
    let mut b = Bench::new("all")?;
    let machine = machine_info();

    let max_pairs = (fd_limit()? - SPARE_FDS) / 2;
    let sizes: Vec<usize> = PAIRS
        .iter()
        .filter(|&&n| !quick || n <= 1_000)
        .map(|&n| n.min(max_pairs))
        .collect();
    if PAIRS.iter().any(|&n| n > max_pairs) && !quick {
        b.notes.push(format!(
            "The open-file limit here ({} per process, and it cannot be raised) holds at most \
             {max_pairs} pairs (two connections each, plus the process's own files), so the \
             10,000-pair runs use {max_pairs} pairs.",
            max_pairs * 2 + SPARE_FDS
        ));
    }

    b.notes.push(format!(
        "In the relay runs Tandem is started with `--frames-per-second {BENCH_FRAMES_PER_SECOND}` \
         and the generator does not pace it: the per-connection flood guard (30 text frames a \
         second by default, far above what a person types) would otherwise be what is measured."
    ));
    for &pairs in &sizes {
        let repeats = if quick || pairs > REPEATED_UP_TO {
            1
        } else {
            REPEATS
        };
        for rep in 1..=repeats {
            // Targets take turns so that noise from other work on the
            // machine falls on all three alike.
            for target in [Target::Bare, Target::Node, Target::Tandem] {
                eprintln!("xtask bench: {target:?}, {pairs} pairs (run {rep} of {repeats})");
                b.relay(target, pairs, None)?;
            }
        }
    }
    for &pairs in &sizes {
        eprintln!(
            "xtask bench: bare relay with TCP_NODELAY and a 4 KiB read buffer, {pairs} pairs"
        );
        b.relay(Target::Bare, pairs, Some("tuned"))?;
    }

    let visitors = IDLE_VISITORS
        .min(max_pairs * 2)
        .min(if quick { 1_000 } else { usize::MAX });
    eprintln!("xtask bench: memory with {visitors} idle visitors");
    let server = b.tandem(0, &[])?;
    b.loadgen(&server, &["idle", "--visitors", &visitors.to_string()])?;
    drop(server);

    eprintln!("xtask bench: memory under {LOGINS} concurrent logins");
    let mut server = b.tandem(LOGINS, &[])?;
    // They log in with the seeded password, not with the seeded tokens.
    server.tokens = None;
    b.loadgen(&server, &["logins", "--logins", &LOGINS.to_string()])?;
    drop(server);

    // Pairing: requests spaced out (as they come in life), back to back, and
    // with a backlog that makes every queue frame large.
    let requests = if quick { 30 } else { 150 };
    for (pause_ms, backlog, requests) in [
        (100, 0, requests),
        (0, 0, requests / 2),
        (100, 50, requests / 3),
    ] {
        eprintln!(
            "xtask bench: pairing, {PAIRING_AGENTS} agents online, {backlog} waiting, pause {pause_ms} ms"
        );
        let server = b.tandem(PAIRING_AGENTS, &[])?;
        let args = [
            "pairing".to_string(),
            format!("--agents={PAIRING_AGENTS}"),
            format!("--requests={requests}"),
            format!("--backlog={backlog}"),
            format!("--pause-ms={pause_ms}"),
        ];
        b.loadgen(
            &server,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )?;
    }

    eprintln!("xtask bench: persisting messages through Tandem's store");
    let db = format!("sqlite://{}", b.dir.join("persist.db").display());
    let events = if quick { "2000" } else { "10000" };
    b.record(pinned(
        0,
        &b.loadgen,
        &["persist", "--database-url", &db, "--events", events],
    ))?;

    let logged = b.tandem_warnings;
    if logged > 0 {
        b.notes.push(format!(
            "Tandem logged {logged} warnings during the runs (at its default log level), mostly \
             sqlx's \"slow statement\" and \"slow acquire\" under load; see target/bench/all/tandem-*.log."
        ));
    }
    let mut info = machine;
    info.push(format!(
        "Bench duration={:.1} min",
        started.elapsed().as_secs_f64() / 60.0
    ));
    let mut report = Command::new(&b.loadgen);
    report
        .args(["report", "--results"])
        .arg(&b.results)
        .arg("--out")
        .arg(root().join("docs/benchmarks.md"));
    for row in &info {
        report.arg("--info").arg(row);
    }
    for note in &b.notes {
        report.arg("--note").arg(note);
    }
    run(&mut report)?;
    call_setup()?;
    cobrowse(quick)?;
    eprintln!("xtask bench: done in {:.0?}", started.elapsed());
    Ok(())
}

/// Builds the release server and load generator (and `extra` binaries).
fn build_release(extra: &[&str]) -> Result<()> {
    runner::build_release_in(cargo(), extra)
}

/// The bearer token the soak's server asks for on /metrics (any 16+ characters).
const SOAK_METRICS_TOKEN: &str = "soak-metrics-token-0123";

/// `--soak`: one long run of steady churn against a release server; writes
/// the soak section of docs/benchmarks.md and leaves the rest of it alone.
fn soak(minutes: f64) -> Result<()> {
    for tool in ["taskset", "setsid"] {
        if !crate::paths::have(tool) {
            bail!("`{tool}` is needed for the benchmark");
        }
    }
    build_release(&[])?;
    let mut b = Bench::new("soak")?;
    let mut info = machine_info();
    info.retain(|row| !row.starts_with("Node="));
    eprintln!("xtask bench: soak, {SOAK_PAIRS} pairs for {minutes} minutes");
    // /metrics is off the public listener unless a token opens it; the soak
    // scrapes it as Prometheus would.
    let server = b.tandem(SOAK_PAIRS, &["--metrics-token", SOAK_METRICS_TOKEN])?;
    let mut args = vec![
        "soak".to_string(),
        format!("--pairs={SOAK_PAIRS}"),
        format!("--minutes={minutes}"),
        format!("--metrics-token={SOAK_METRICS_TOKEN}"),
        format!("--write={}", root().join("docs/benchmarks.md").display()),
    ];
    args.extend(info.iter().map(|row| format!("--info={row}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The run itself, the warm pairs' last conversations and the settling time.
    let limit = Duration::from_secs_f64(minutes * 60.0) + Duration::from_secs(300);
    b.loadgen_within(&server, &args, limit)
}

/// Voice call set-up in Chromium (bench/call-setup.mjs): needs the browser
/// bundles; writes its own section of docs/benchmarks.md, which the report
/// above carries over between runs.
fn call_setup() -> Result<()> {
    crate::preflight::check(crate::preflight::FOR_BUILD)?;
    crate::bundle::build_all(&[])?;
    run(Command::new("node")
        .current_dir(root())
        .env("TANDEM_BIN", target_dir().join("release/tandem"))
        .args([
            "bench/call-setup.mjs",
            "--runs",
            "20",
            "--write",
            "docs/benchmarks.md",
        ]))
}

/// Co-browse capture in Chromium beside rrweb (bench/cobrowse.mjs): the
/// bundles are built by `call_setup`; writes its own section likewise.
/// About two minutes, one with `--quick` (fewer sizes and runs).
fn cobrowse(quick: bool) -> Result<()> {
    let mut cmd = Command::new("node");
    cmd.current_dir(root())
        .env("TANDEM_BIN", target_dir().join("release/tandem"))
        .args(["bench/cobrowse.mjs", "--write", "docs/benchmarks.md"]);
    if quick {
        cmd.arg("--quick");
    } else {
        // Two runs per size keep the whole bench inside its ten minutes.
        cmd.args(["--runs", "2"]);
    }
    run(&mut cmd)
}

#[cfg(test)]
mod tests {
    use super::{Mode, mode};

    fn parse(args: &[&str]) -> anyhow::Result<Mode> {
        mode(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn reads_the_modes() {
        assert!(matches!(parse(&[]), Ok(Mode::All { quick: false })));
        assert!(matches!(parse(&["--quick"]), Ok(Mode::All { quick: true })));
        assert!(
            matches!(parse(&["--against", "9e58729", "--quick"]), Ok(Mode::Against { commit, quick: true }) if commit == "9e58729")
        );
        assert!(parse(&["--against"]).is_err());
        assert!(parse(&["--against", "HEAD~1", "--soak"]).is_err());
        assert!(matches!(parse(&["--soak"]), Ok(Mode::Soak { minutes }) if minutes == 30.0));
        assert!(
            matches!(parse(&["--soak", "--soak-minutes", "8"]), Ok(Mode::Soak { minutes }) if minutes == 8.0)
        );
        assert!(parse(&["--soak", "--quick"]).is_err());
        assert!(parse(&["--soak-minutes", "soon"]).is_err());
        assert!(parse(&["--fast"]).is_err());
        assert!(matches!(parse(&["--cluster"]), Ok(Mode::Cluster)));
        assert!(
            parse(&["--cluster", "--quick"]).is_err(),
            "alone or not at all"
        );
    }
}
