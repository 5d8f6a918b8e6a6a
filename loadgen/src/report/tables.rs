//! One table per question: throughput, latency, memory, pairing, persistence,
//! and what two server settings buy.

use std::fmt::Write as _;

use super::format::{count, mib, micros, name, opt};
use super::runs::Runs;
use crate::pairing::PairingRun;
use crate::relay::{RelayRun, Target};
use crate::stats::median;

pub(super) fn relay_tables(runs: &Runs) -> String {
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

pub(super) fn memory_tables(runs: &Runs) -> String {
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
    for run in &runs.logins {
        let _ = writeln!(
            md,
            "Tandem under {} concurrent logins (each from its own address, for its own agent): \
             RSS {} before, **{} at the peak**, {} after; {} logged in, {} answered `busy` \
             (429), {} otherwise, in {:.1} s. Password checks run a few at a time (one per \
             core by default), each reusing its 19 MiB.\n",
            count(run.logins as f64),
            mib(run.before.rss),
            mib(run.peak_rss),
            mib(run.after.rss),
            count(run.ok as f64),
            count(run.busy as f64),
            count(run.other as f64),
            run.secs,
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

pub(super) fn pairing_table(pairing: &[PairingRun]) -> String {
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

pub(super) fn persistence(runs: &Runs) -> String {
    let mut md = String::from(
        "## What persisting a message costs\n\nTandem stores every chat message (one row, \
         committed with whatever else queued meanwhile) before delivering it.\n\n",
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
           Tandem's went by thread: SQLite's are `sqlite-events` (the connection that commits each \
           batch of events) and `sqlx-sqlite-wor…` (the pool's connections, for everything else; \
           sqlx runs each on its own thread and hands every statement over to it), the rest is the \
           async runtime. A context switch is the kernel moving a core from one thread to another.\n\n\
           | Pairs | Tandem µs/msg | SQLite threads | Other threads | Context switches/msg | Bare µs/msg | Bare switches/msg | Node µs/msg | Tandem as % of bare, by CPU |\n\
           |---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for pairs in runs.sizes() {
        let show = |v: Option<f64>| opt(v, |v| format!("{v:.1}"));
        let all = |t| runs.med(t, pairs, |r| cpu_per_msg(r, |_| true));
        let sqlite = runs.med(Target::Tandem, pairs, |r| cpu_per_msg(r, is_sqlite));
        let other = runs.med(Target::Tandem, pairs, |r| {
            cpu_per_msg(r, |name| !is_sqlite(name))
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

/// Tandem's SQLite threads, by the names the kernel keeps (15 bytes).
fn is_sqlite(thread: &str) -> bool {
    thread.starts_with("sqlite-events") || thread.starts_with("sqlx-sqlite")
}

/// Server CPU microseconds per message delivered at saturation, counting the
/// threads whose names `threads` accepts.
pub(super) fn cpu_per_msg(r: &RelayRun, threads: impl Fn(&str) -> bool) -> f64 {
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
pub(super) fn tuning(runs: &Runs) -> String {
    let tuned: Vec<&RelayRun> = runs.relay.iter().filter(|r| r.variant.is_some()).collect();
    if tuned.is_empty() {
        return String::new();
    }
    let mut md = String::from(
        "## What two server settings buy\n\nThe bare relay with axum's defaults (as Tandem ran \
         until it set an 8 KiB read buffer; the median of the runs above) and with `TCP_NODELAY` \
         on accepted sockets plus a 4 KiB WebSocket read buffer \
         (`WebSocketUpgrade::read_buffer_size`; tungstenite's default is 128 KiB, allocated for \
         every connection and zero-filled before every read; one run).\n\n\
         | Pairs | Settings | Saturation | Server µs/msg | RSS per connection | Light p99 | Half-load p99 |\n\
         |---:|---|---:|---:|---:|---:|---:|\n",
    );
    let metrics = |run: &RelayRun| {
        let per_conn = run
            .memory_after_setup
            .rss
            .saturating_sub(run.memory_before.rss) as f64
            / (2 * run.pairs) as f64;
        [
            run.saturation.rate,
            cpu_per_msg(run, |_| true),
            per_conn / 1024.0,
            run.light.latency.p99_us,
            run.half_load.latency.p99_us,
        ]
    };
    for r in tuned {
        let plain = runs.of(Target::Bare, r.pairs);
        if plain.is_empty() {
            continue;
        }
        let medians: Vec<f64> = (0..5)
            .map(|k| median(plain.iter().map(|p| metrics(p)[k]).collect()))
            .collect();
        for (label, m) in [
            ("axum defaults", medians.as_slice()),
            ("tuned", &metrics(r)[..]),
        ] {
            let _ = writeln!(
                md,
                "| {} | {label} | {} | {:.1} | {:.1} KiB | {} | {} |",
                count(r.pairs as f64),
                count(m[0]),
                m[1],
                m[2],
                micros(m[3]),
                micros(m[4]),
            );
        }
    }
    md + "\n"
}
