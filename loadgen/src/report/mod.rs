//! docs/benchmarks.md from the collected JSON lines: the machine, the
//! targets from issue 7 and whether each is met, then one table per question.
//! Repeated runs of the same scenario are reduced to their median.
//!
//! The hand-written analysis between the `analysis` markers of the existing
//! file is carried over, so regenerating the numbers keeps the reading of them.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::relay::{RelayRun, Target};
use crate::results::Outcome;

mod cluster;
mod compare;
pub(crate) mod format;
mod runs;
mod section;
mod tables;
mod targets;

use format::{count, name};
use runs::Runs;
use tables::{memory_tables, pairing_table, persistence, relay_tables, tuning};
use targets::targets;

pub use cluster::{ClusterArgs, cluster};
pub use compare::{CompareArgs, compare};
pub use section::write_section;

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
/// set-up, co-browse capture, each by its script under bench/), the soak's
/// (`bench --soak`), the comparison with another build (`bench --against`)
/// and the cluster's (`bench --cluster`): kept as they are, markers
/// included, in this order.
const KEPT_SECTIONS: [(&str, &str); 5] = [
    ("<!-- call-setup:start -->", "<!-- call-setup:end -->"),
    ("<!-- cobrowse:start -->", "<!-- cobrowse:end -->"),
    (crate::soak::SECTION_START, crate::soak::SECTION_END),
    (compare::START, compare::END),
    (cluster::START, cluster::END),
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
            Outcome::Soak(_) | Outcome::Failover(_) => {}
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
    for (start, end) in KEPT_SECTIONS {
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

/// What the old report held between `start` and `end` (written by hand, or
/// by another tool), to carry over.
fn kept(old: &str, start: &str, end: &str) -> Option<String> {
    let from = old.find(start)? + start.len();
    let to = old[from..].find(end)? + from;
    Some(old[from..to].to_string())
}

fn machine(info: &[String]) -> String {
    format!("## Machine and run\n\n{}\n", format::info_table(info))
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

#[cfg(test)]
mod tests {
    use super::*;

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
