//! docs/benchmarks.md from the collected JSON lines: the machine, the
//! targets from issue 7 and whether each is met, then one table per question.
//! Repeated runs of the same scenario are reduced to their median.
//!
//! The hand-written analysis between the `analysis` markers of the existing
//! file is carried over, so regenerating the numbers keeps the reading of them.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::idle::IdleRun;
use crate::pairing::PairingRun;
use crate::persist::PersistRun;
use crate::relay::{RelayRun, Target};
use crate::results::Outcome;
use crate::stats::median;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// JSON lines printed by the scenario commands.
    #[arg(long)]
    pub results: PathBuf,
    /// The markdown file to write (its analysis section is kept).
    #[arg(long)]
    pub out: PathBuf,
    /// `Name=value` rows for the machine table, in order (repeatable).
    #[arg(long = "info")]
    pub info: Vec<String>,
    /// Sentences about how this run went, listed under the method (repeatable).
    #[arg(long = "note")]
    pub notes: Vec<String>,
}

const ANALYSIS_START: &str = "<!-- analysis:start -->";
const ANALYSIS_END: &str = "<!-- analysis:end -->";

/// Issue 7's targets.
const MIN_SHARE_OF_BARE: f64 = 0.9;
const MIN_TIMES_NODE: f64 = 5.0;
const MAX_LIGHT_P99_US: f64 = 2000.0;
const MAX_IDLE_KIB: f64 = 30.0;

pub fn report(args: &ReportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.results)
        .with_context(|| format!("reading {}", args.results.display()))?;
    let mut runs = Runs::default();
    for line in text.lines().filter(|l| l.trim_start().starts_with('{')) {
        match serde_json::from_str(line).with_context(|| format!("decoding {line}"))? {
            Outcome::Relay(r) => runs.relay.push(r),
            Outcome::Idle(r) => runs.idle.push(r),
            Outcome::Pairing(r) => runs.pairing.push(r),
            Outcome::Persist(r) => runs.persist.push(r),
        }
    }
    let analysis = std::fs::read_to_string(&args.out)
        .ok()
        .and_then(|old| kept_analysis(&old))
        .unwrap_or_else(|| "\n_No analysis written yet._\n".into());

    let mut md = String::new();
    md += "# Benchmarks\n\n";
    md += "Written by `cargo xtask bench`; the tables are regenerated on every run, \
           the analysis at the end is written by hand and kept.\n\n";
    md += &machine(&args.info);
    md += &method(&runs, &args.notes);
    md += &targets(&runs);
    md += &relay_tables(&runs);
    md += &memory_tables(&runs);
    md += &pairing_table(&runs.pairing);
    md += &persistence(&runs);
    md += &tuning(&runs);
    md += &anomalies(&runs.relay);
    let _ = write!(
        md,
        "## Analysis\n\n{ANALYSIS_START}{analysis}{ANALYSIS_END}\n"
    );
    std::fs::write(&args.out, md).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("loadgen: wrote {}", args.out.display());
    Ok(())
}

#[derive(Default)]
struct Runs {
    relay: Vec<RelayRun>,
    idle: Vec<IdleRun>,
    pairing: Vec<PairingRun>,
    persist: Vec<PersistRun>,
}

impl Runs {
    fn sizes(&self) -> Vec<usize> {
        let sizes: BTreeSet<usize> = self.relay.iter().map(|r| r.pairs).collect();
        sizes.into_iter().collect()
    }

    /// Runs of the servers as they ship (not the tuned variants).
    fn main(&self) -> impl Iterator<Item = &RelayRun> {
        self.relay.iter().filter(|r| r.variant.is_none())
    }

    fn of(&self, target: Target, pairs: usize) -> Vec<&RelayRun> {
        self.main()
            .filter(|r| r.target == target && r.pairs == pairs)
            .collect()
    }

    /// The largest run of a target.
    fn largest(&self, target: Target) -> Option<&RelayRun> {
        self.main()
            .filter(|r| r.target == target)
            .max_by_key(|r| r.pairs)
    }

    /// The generator, not the server, set the saturation rate: it used its
    /// whole core while the server had time to spare.
    fn generator_bound(&self, target: Target, pairs: usize) -> bool {
        let server = self.med(target, pairs, |r| r.saturation.server_cpu.cores());
        let generator = self.med(target, pairs, |r| r.saturation.loadgen_cpu.cores());
        matches!((server, generator), (Some(s), Some(g)) if g > 0.9 && s < 0.9)
    }

    /// Median of `metric` over the repeated runs of one target and size.
    fn med(&self, target: Target, pairs: usize, metric: impl Fn(&RelayRun) -> f64) -> Option<f64> {
        let runs = self.of(target, pairs);
        (!runs.is_empty()).then(|| median(runs.into_iter().map(metric).collect()))
    }

    /// Lowest and highest of `metric` over the repeated runs, when there were several.
    fn spread(
        &self,
        target: Target,
        pairs: usize,
        metric: impl Fn(&RelayRun) -> f64,
    ) -> Option<(f64, f64)> {
        let values: Vec<f64> = self.of(target, pairs).into_iter().map(metric).collect();
        (values.len() > 1).then(|| {
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lo, hi)
        })
    }

    /// Tandem's saturation was its per-connection limit, not its capacity.
    fn rate_limited(&self, pairs: usize) -> bool {
        self.of(Target::Tandem, pairs).iter().any(|r| {
            r.max_pair_rate
                .is_some_and(|cap| r.saturation.rate >= 0.95 * cap * r.pairs as f64)
        })
    }
}

fn kept_analysis(old: &str) -> Option<String> {
    let start = old.find(ANALYSIS_START)? + ANALYSIS_START.len();
    let end = old[start..].find(ANALYSIS_END)? + start;
    Some(old[start..end].to_string())
}

fn machine(info: &[String]) -> String {
    let mut md = String::from("## Machine and run\n\n| | |\n|---|---|\n");
    for row in info {
        let (name, value) = row.split_once('=').unwrap_or((row, ""));
        let _ = writeln!(md, "| {name} | {value} |");
    }
    md + "\n"
}

fn method(runs: &Runs, notes: &[String]) -> String {
    let mut md = String::from("## Method\n\n");
    let frame = runs.relay.first().map_or(0, |r| r.frame_bytes);
    let text = runs.relay.first().map_or(0, |r| r.text_bytes);
    let cap = runs
        .relay
        .iter()
        .find_map(|r| r.max_pair_rate.filter(|_| r.target == Target::Tandem));
    let _ = writeln!(
        md,
        "- The server under test runs pinned to core 0, the load generator (`tandem-loadgen`, one \
         thread) to core 1 (`taskset`). Everything is on loopback; client sockets are spread over \
         127.0.1.1–127.0.1.250."
    );
    let _ = writeln!(
        md,
        "- Tandem is the release `tandem serve` on SQLite, with real authentication and routing: \
         agents are seeded through the server's library with real bearer tokens and say \
         `hello{{token}}`; visitors connect from an allowed origin, say `hello` and \
         `help.request`; each agent takes one visitor with `queue.accept`. Visitors then send \
         `chat.send`, and a message counts when its `event` reaches the agent. The baselines \
         relay the same `chat.send` frames ({frame} bytes, {text} characters of text) from the \
         visitor's socket to the agent's."
    );
    let _ = writeln!(
        md,
        "- Latency is one-way, visitor send to agent receive, on one clock. **Light load**: one \
         message in flight in the whole run, 1 ms apart, from each pair in turn. **Saturation**: \
         closed loop, each pair keeping a window of messages in flight (about 2,000 in flight in \
         all); the rate counts messages delivered in a 3 s window after 1 s of warm-up. **Half \
         load**: open loop at half the saturation rate on a fixed timetable; latency counts from \
         the planned send time, so a generator that falls behind does not hide queueing."
    );
    if let Some(cap) = cap {
        let _ = writeln!(
            md,
            "- Tandem limits each connection to {} frames/s (`protocol::limits::FRAMES_PER_SECOND`, \
             bursts of twice that); the generator paces each Tandem visitor at {cap} messages/s so \
             no frame is refused, which caps Tandem at pairs × {cap} messages/s. The baselines have \
             no such limit and are not paced.",
            protocol::limits::FRAMES_PER_SECOND
        );
    }
    let _ = writeln!(
        md,
        "- CPU use comes from /proc (user + system time over the measured window, 1.0 = one core \
         busy); memory is VmRSS from /proc/PID/status. Where several runs were made, tables show \
         the median."
    );
    for note in notes {
        let _ = writeln!(md, "- {note}");
    }
    md + "\n"
}

fn targets(runs: &Runs) -> String {
    let mut md =
        String::from("## Targets (issue 7)\n\n| Target | Measured | Met |\n|---|---|---|\n");
    for pairs in runs.sizes() {
        let sat = |t| runs.med(t, pairs, |r| r.saturation.rate);
        let limited = if runs.rate_limited(pairs) {
            " (Tandem at its per-connection limit)"
        } else {
            ""
        };
        if let (Some(t), Some(b)) = (sat(Target::Tandem), sat(Target::Bare)) {
            // The bare relay may have been held back by the generator; the
            // CPU each spends per message compares them without it.
            let cpu = |t| runs.med(t, pairs, |r| cpu_per_msg(r, |_| true));
            let by_cpu = match (cpu(Target::Tandem), cpu(Target::Bare)) {
                (Some(tc), Some(bc)) if tc > 0.0 => bc / tc,
                _ => t / b,
            };
            let share = (t / b).min(by_cpu);
            let _ = writeln!(
                md,
                "| ≥ {:.0}% of the bare relay's throughput, {} pairs | {:.1}% by rate{limited}, {:.1}% by CPU per message | {} |",
                MIN_SHARE_OF_BARE * 100.0,
                count(pairs as f64),
                t / b * 100.0,
                by_cpu * 100.0,
                verdict(
                    share >= MIN_SHARE_OF_BARE,
                    format!("short by {:.0} points", (MIN_SHARE_OF_BARE - share) * 100.0)
                ),
            );
        }
        if let (Some(t), Some(n)) = (sat(Target::Tandem), sat(Target::Node)) {
            let times = t / n;
            let _ = writeln!(
                md,
                "| ≥ {MIN_TIMES_NODE:.0}× the Node relay's throughput, {} pairs | {times:.2}×{limited} | {} |",
                count(pairs as f64),
                verdict(
                    times >= MIN_TIMES_NODE,
                    format!("{:.1}× short", MIN_TIMES_NODE / times)
                ),
            );
        }
    }
    for pairs in runs.sizes() {
        if let Some(p99) = runs.med(Target::Tandem, pairs, |r| r.light.latency.p99_us) {
            let _ = writeln!(
                md,
                "| Light-load p99 < 2 ms, {} pairs | {} | {} |",
                count(pairs as f64),
                micros(p99),
                verdict(
                    p99 < MAX_LIGHT_P99_US,
                    format!("{:.1}× over", p99 / MAX_LIGHT_P99_US)
                ),
            );
        }
    }
    if let Some(idle) = runs.idle.first() {
        let kib = idle.bytes_per_connection / 1024.0;
        let _ = writeln!(
            md,
            "| < {MAX_IDLE_KIB:.0} KiB per idle connection | {kib:.1} KiB ({} visitors) | {} |",
            count(idle.visitors as f64),
            verdict(
                kib < MAX_IDLE_KIB,
                format!("{:.1}× over", kib / MAX_IDLE_KIB)
            ),
        );
    }
    if let Some(big) = runs.largest(Target::Tandem) {
        // Buffers fill up during the first load; what must not happen is
        // growth from one load phase to the next, or connections failing.
        let settled = big.memory_after_saturation.rss.max(1) as f64;
        let growth = big.memory_after_load.rss as f64 / settled - 1.0;
        let trouble: u64 = [&big.light, &big.saturation, &big.half_load]
            .iter()
            .map(|p| p.errors + p.lost + p.closed)
            .sum();
        let _ = writeln!(
            md,
            "| {} active pairs hold steady | RSS {} after setup, {} after saturation, {} after half load ({:+.1}%); {trouble} errors, lost messages or closed connections | {} |",
            count(big.pairs as f64),
            mib(big.memory_after_setup.rss),
            mib(big.memory_after_saturation.rss),
            mib(big.memory_after_load.rss),
            growth * 100.0,
            verdict(trouble == 0 && growth < 0.05, "see the errors below".into()),
        );
    }
    md += "| Widget < 150 KB gzip | not measured here: the browser-side benchmarks belong to the widget's issues | — |\n\n";
    md
}

fn verdict(met: bool, miss: String) -> String {
    if met {
        "yes".into()
    } else {
        format!("**no**: {miss}")
    }
}

fn relay_tables(runs: &Runs) -> String {
    let mut md = String::from(
        "## Throughput at saturation\n\nMessages per second delivered to agents: the median, with \
         the lowest and highest of the repeated runs in brackets. CPU in cores over \
         the measured window (server / load generator): a generator near 1.0 with a server below \
         it means the generator, not the server, was the limit, and the server's figure is a lower bound.\n\n\
         | Pairs | Tandem | Bare axum | Node ws | Tandem / bare | Tandem / Node | CPU Tandem | CPU bare | CPU Node |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for pairs in runs.sizes() {
        let rate = |t| runs.med(t, pairs, |r| r.saturation.rate);
        let cpu = |t| {
            let server = runs.med(t, pairs, |r| r.saturation.server_cpu.cores());
            let gen_ = runs.med(t, pairs, |r| r.saturation.loadgen_cpu.cores());
            match (server, gen_) {
                (Some(s), Some(g)) => format!("{s:.2} / {g:.2}"),
                _ => "–".into(),
            }
        };
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
            _ => "–".into(),
        };
        let (t, b, n) = (rate(Target::Tandem), rate(Target::Bare), rate(Target::Node));
        let mark = if runs.rate_limited(pairs) { " ¹" } else { "" };
        // "≥": the generator was the limit, so the server could do more. The
        // range over repeated runs says how far to trust the median.
        let shown = |target, v: Option<f64>| {
            let at_least = if runs.generator_bound(target, pairs) {
                "≥ "
            } else {
                ""
            };
            let range = runs
                .spread(target, pairs, |r| r.saturation.rate)
                .map(|(lo, hi)| format!(" ({}–{})", count(lo), count(hi)))
                .unwrap_or_default();
            opt(v, |v| format!("{at_least}{}{range}", count(v)))
        };
        let _ = writeln!(
            md,
            "| {} | {}{mark} | {} | {} | {} | {} | {} | {} | {} |",
            count(pairs as f64),
            shown(Target::Tandem, t),
            shown(Target::Bare, b),
            shown(Target::Node, n),
            ratio(t, b),
            ratio(t, n),
            cpu(Target::Tandem),
            cpu(Target::Bare),
            cpu(Target::Node),
        );
    }
    if runs.sizes().iter().any(|&p| runs.rate_limited(p)) {
        md +=
            "\n¹ At Tandem's per-connection limit (pairs × the paced rate), not at its capacity.\n";
    }
    md += "\nWhere a rate is a lower bound, the CPU each server spends per message (below, under \
           persistence) compares them without the generator in the way.\n";

    md += "\n## Latency\n\nOne-way, visitor to agent. Half load is an open loop at half of each \
           target's own saturation rate (shown), so each target is compared at the same relative load.\n\n\
           The generator's CPU during half load is shown because an open loop costs it a wake-up per \
           message: near 1.0, part of the half-load latency is the generator's own queueing.\n\n\
           | Pairs | Target | Light p50 | Light p99 | Half-load rate | Half p50 | Half p99 | Half max | Generator CPU |\n\
           |---:|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for pairs in runs.sizes() {
        for target in [Target::Tandem, Target::Bare, Target::Node] {
            if runs.of(target, pairs).is_empty() {
                continue;
            }
            let m = |f: fn(&RelayRun) -> f64| runs.med(target, pairs, f).unwrap_or(0.0);
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {}/s | {} | {} | {} | {:.2} |",
                count(pairs as f64),
                name(target),
                micros(m(|r| r.light.latency.p50_us)),
                micros(m(|r| r.light.latency.p99_us)),
                count(m(|r| r.half_load.rate)),
                micros(m(|r| r.half_load.latency.p50_us)),
                micros(m(|r| r.half_load.latency.p99_us)),
                micros(m(|r| r.half_load.latency.max_us)),
                m(|r| r.half_load.loadgen_cpu.cores()),
            );
        }
    }
    md + "\n"
}

fn memory_tables(runs: &Runs) -> String {
    let mut md = String::from("## Memory\n\n");
    for idle in &runs.idle {
        let _ = writeln!(
            md,
            "Tandem with {} idle visitors (`hello` done, no session): RSS {} before, {} after, \
             **{:.1} KiB per connection** (connected in {:.1} s).\n",
            count(idle.visitors as f64),
            mib(idle.before.rss),
            mib(idle.after.rss),
            idle.bytes_per_connection / 1024.0,
            idle.connect_secs,
        );
    }
    md += "Active pairs (two connections each), server RSS around the relay runs (largest run of each target):\n\n\
           | Target | Pairs | Before | After setup | After saturation | After half load | Peak | Per connection (after setup) |\n\
           |---|---:|---:|---:|---:|---:|---:|---:|\n";
    for target in [Target::Tandem, Target::Bare, Target::Node] {
        let Some(r) = runs.largest(target) else {
            continue;
        };
        let per = r.memory_after_setup.rss.saturating_sub(r.memory_before.rss) as f64
            / (2 * r.pairs) as f64;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {:.1} KiB |",
            name(target),
            count(r.pairs as f64),
            mib(r.memory_before.rss),
            mib(r.memory_after_setup.rss),
            mib(r.memory_after_saturation.rss),
            mib(r.memory_after_load.rss),
            mib(r.memory_after_load.peak),
            per / 1024.0,
        );
    }
    md + "\n"
}

fn pairing_table(pairing: &[PairingRun]) -> String {
    if pairing.is_empty() {
        return String::new();
    }
    let mut md = String::from(
        "## Pairing\n\nFrom a visitor's `help.request` to the agent the distributor chose \
         receiving the `offer`, and to the online agents receiving a `queue` frame that lists the \
         request (the first of them, and the last: every online agent gets the whole queue on \
         each change). Requests one at a time, each accepted by the agent it was offered to; \
         server CPU is per request (the request and its accept).\n\n\
         | Online agents | Already waiting | Pause before each | Requests | Offer p50 | p99 | Queue, first agent p50 | p99 | Queue, last agent p50 | p99 | Queue frame | Server CPU per request |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for p in pairing {
        let _ = writeln!(
            md,
            "| {} | {} | {} ms | {} | {} | {} | {} | {} | {} | {} | {:.0} B | {} |",
            count(p.agents as f64),
            p.backlog,
            p.pause_ms,
            p.requests,
            micros(p.offer.p50_us),
            micros(p.offer.p99_us),
            micros(p.first_agent.p50_us),
            micros(p.first_agent.p99_us),
            micros(p.all_agents.p50_us),
            micros(p.all_agents.p99_us),
            p.queue_frame_bytes,
            micros(p.server_cpu.cpu_secs * 1e6 / p.requests.max(1) as f64),
        );
    }
    md + "\n"
}

fn persistence(runs: &Runs) -> String {
    let mut md = String::from(
        "## What persisting a message costs\n\nTandem stores every chat message (insert the \
         event, move the session's last seq) before delivering it.\n\n",
    );
    for p in &runs.persist {
        let _ = write!(
            md,
            "Through Tandem's `Store` alone (no network), pinned to the server's core, {} messages \
             each way. A call returns once its events are committed.\n\n\
             | How | Writers | Events per call | Call p50 | p99 | max | Messages/s |\n\
             |---|---:|---:|---:|---:|---:|---:|\n",
            count(p.events as f64),
        );
        for w in &p.ways {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                w.how,
                w.writers,
                w.per_call,
                micros(w.call.p50_us),
                micros(w.call.p99_us),
                micros(w.call.max_us),
                count(w.events_per_sec),
            );
        }
        md += "\n";
    }
    md += "Server CPU per delivered message at saturation (whatever limited the rate), and where \
           Tandem's went by thread: `sqlx-sqlite-wor…` are SQLite's worker threads (sqlx runs each \
           connection on its own thread and hands every statement over to it), the rest is the \
           async runtime. A context switch is the kernel moving a core from one thread to another.\n\n\
           | Pairs | Tandem µs/msg | SQLite threads | Other threads | Context switches/msg | Bare µs/msg | Bare switches/msg | Node µs/msg | Tandem as % of bare, by CPU |\n\
           |---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for pairs in runs.sizes() {
        let show = |v: Option<f64>| opt(v, |v| format!("{v:.1}"));
        let all = |t| runs.med(t, pairs, |r| cpu_per_msg(r, |_| true));
        let sqlite = runs.med(Target::Tandem, pairs, |r| {
            cpu_per_msg(r, |name| name.starts_with("sqlx-sqlite"))
        });
        let other = runs.med(Target::Tandem, pairs, |r| {
            cpu_per_msg(r, |name| !name.starts_with("sqlx-sqlite"))
        });
        let switches = |t| runs.med(t, pairs, switches_per_msg);
        let by_cpu = match (all(Target::Tandem), all(Target::Bare)) {
            (Some(t), Some(b)) if t > 0.0 => format!("{:.1}%", b / t * 100.0),
            _ => "–".into(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {by_cpu} |",
            count(pairs as f64),
            show(all(Target::Tandem)),
            show(sqlite),
            show(other),
            show(switches(Target::Tandem)),
            show(all(Target::Bare)),
            show(switches(Target::Bare)),
            show(all(Target::Node)),
        );
    }
    md + "\n"
}

/// Server CPU microseconds per message delivered at saturation, counting the
/// threads whose names `threads` accepts.
fn cpu_per_msg(r: &RelayRun, threads: impl Fn(&str) -> bool) -> f64 {
    let cpu = &r.saturation.server_cpu;
    let secs: f64 = cpu
        .by_thread
        .iter()
        .filter(|(name, _)| threads(name))
        .map(|(_, s)| s)
        .sum();
    secs * 1e6 / delivered(r).max(1.0)
}

fn switches_per_msg(r: &RelayRun) -> f64 {
    r.saturation.server_cpu.switches as f64 / delivered(r).max(1.0)
}

/// Messages delivered in the saturation phase's measured window.
fn delivered(r: &RelayRun) -> f64 {
    r.saturation.rate * r.saturation.server_cpu.wall_secs
}

/// The bare relay as shipped beside the same relay with settings changed,
/// to show what those settings would buy Tandem (which uses axum's defaults).
fn tuning(runs: &Runs) -> String {
    let tuned: Vec<&RelayRun> = runs.relay.iter().filter(|r| r.variant.is_some()).collect();
    if tuned.is_empty() {
        return String::new();
    }
    let mut md = String::from(
        "## What two server settings buy\n\nThe bare relay with axum's defaults (as Tandem runs) \
         and with `TCP_NODELAY` on accepted sockets plus a 4 KiB WebSocket read buffer \
         (`WebSocketUpgrade::read_buffer_size`; tungstenite's default is 128 KiB, allocated for \
         every connection and zero-filled before every read). One run each.\n\n\
         | Pairs | Settings | Saturation | Server µs/msg | RSS per connection | Light p99 | Half-load p99 |\n\
         |---:|---|---:|---:|---:|---:|---:|\n",
    );
    for r in tuned {
        let Some(plain) = runs.of(Target::Bare, r.pairs).into_iter().next() else {
            continue;
        };
        for (label, run) in [("axum defaults", plain), ("tuned", r)] {
            let per_conn = run
                .memory_after_setup
                .rss
                .saturating_sub(run.memory_before.rss) as f64
                / (2 * run.pairs) as f64;
            let _ = writeln!(
                md,
                "| {} | {label} | {} | {:.1} | {:.1} KiB | {} | {} |",
                count(run.pairs as f64),
                count(run.saturation.rate),
                cpu_per_msg(run, |_| true),
                per_conn / 1024.0,
                micros(run.light.latency.p99_us),
                micros(run.half_load.latency.p99_us),
            );
        }
    }
    md + "\n"
}

/// Anything that went wrong during a run, so a number is never read without it.
fn anomalies(relay: &[RelayRun]) -> String {
    let mut md = String::new();
    for r in relay {
        for (phase, p) in [
            ("light", &r.light),
            ("saturation", &r.saturation),
            ("half load", &r.half_load),
        ] {
            if p.errors + p.lost + p.closed > 0 {
                let _ = writeln!(
                    md,
                    "- {} × {} pairs, {phase}: {} error frames, {} messages lost, {} connections closed{}",
                    name(r.target),
                    count(r.pairs as f64),
                    p.errors,
                    p.lost,
                    p.closed,
                    p.first_failure
                        .as_ref()
                        .map(|f| format!(" (first: {f})"))
                        .unwrap_or_default(),
                );
            }
        }
    }
    if md.is_empty() {
        "## Errors\n\nNone: no error frames, lost messages or closed connections in any run.\n\n"
            .into()
    } else {
        format!("## Errors\n\n{md}\n")
    }
}

fn name(target: Target) -> &'static str {
    match target {
        Target::Tandem => "Tandem",
        Target::Bare => "bare axum",
        Target::Node => "Node ws",
    }
}

fn opt(v: Option<f64>, show: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "–".into(), show)
}

/// 12,345 style.
fn count(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn micros(us: f64) -> String {
    if us >= 10_000.0 {
        format!("{:.0} ms", us / 1000.0)
    } else if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count(1234567.4), "1,234,567");
        assert_eq!(count(999.0), "999");
        assert_eq!(micros(87.2), "87 µs");
        assert_eq!(micros(1234.0), "1.23 ms");
        assert_eq!(micros(45_000.0), "45 ms");
    }

    #[test]
    fn analysis_is_kept() {
        let old = format!("x\n## Analysis\n\n{ANALYSIS_START}\nmine\n{ANALYSIS_END}\n");
        assert_eq!(kept_analysis(&old).as_deref(), Some("\nmine\n"));
        assert_eq!(kept_analysis("no markers"), None);
    }
}
