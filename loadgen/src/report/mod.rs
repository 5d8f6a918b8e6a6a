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
use crate::logins::LoginRun;
use crate::pairing::PairingRun;
use crate::persist::PersistRun;
use crate::relay::{RelayRun, Target};
use crate::results::Outcome;
use crate::stats::median;

mod tables;
mod targets;

use tables::{memory_tables, pairing_table, persistence, relay_tables, tuning};
use targets::targets;

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
/// Sections written by other runs: the browser benchmarks' (voice call
/// set-up, co-browse capture, each by its script under bench/) and the soak's
/// (`bench --soak`): kept as they are, markers included, in this order.
const BROWSER_SECTIONS: [(&str, &str); 3] = [
    ("<!-- call-setup:start -->", "<!-- call-setup:end -->"),
    ("<!-- cobrowse:start -->", "<!-- cobrowse:end -->"),
    (crate::soak::SECTION_START, crate::soak::SECTION_END),
];

pub fn report(args: &ReportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.results)
        .with_context(|| format!("reading {}", args.results.display()))?;
    let mut runs = Runs::default();
    for line in text.lines().filter(|l| l.trim_start().starts_with('{')) {
        match serde_json::from_str(line).with_context(|| format!("decoding {line}"))? {
            Outcome::Relay(r) => runs.relay.push(*r),
            Outcome::Idle(r) => runs.idle.push(r),
            Outcome::Pairing(r) => runs.pairing.push(r),
            Outcome::Persist(r) => runs.persist.push(r),
            Outcome::Logins(r) => runs.logins.push(r),
            // The soak writes its own section, kept below.
            Outcome::Soak(_) => {}
        }
    }
    let old = std::fs::read_to_string(&args.out).ok();
    let analysis = old
        .as_deref()
        .and_then(|old| kept(old, ANALYSIS_START, ANALYSIS_END))
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
    for (start, end) in BROWSER_SECTIONS {
        if let Some(section) = old.as_deref().and_then(|old| kept(old, start, end)) {
            let _ = write!(md, "{start}{section}{end}\n\n");
        }
    }
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
    logins: Vec<LoginRun>,
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

/// What the old report held between `start` and `end` (written by hand, or
/// by another tool), to carry over.
fn kept(old: &str, start: &str, end: &str) -> Option<String> {
    let from = old.find(start)? + start.len();
    let to = old[from..].find(end)? + from;
    Some(old[from..to].to_string())
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
        assert_eq!(
            kept(&old, ANALYSIS_START, ANALYSIS_END).as_deref(),
            Some("\nmine\n")
        );
        assert_eq!(kept("no markers", ANALYSIS_START, ANALYSIS_END), None);
    }
}
