//! The comparison section (`cargo xtask bench --against REF`): Tandem built
//! from this tree beside Tandem built from an earlier commit, the same relay
//! runs taking turns, so what a change costs in throughput is read against
//! how much repeated runs of one build differ.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use super::format::{count, info_table, micros};
use super::section::write_section;
use super::tables::cpu_per_msg;
use crate::relay::{RelayRun, Target};
use crate::results::Outcome;
use crate::stats::median;

pub const START: &str = "<!-- compare:start -->";
pub const END: &str = "<!-- compare:end -->";

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// JSON lines of the relay runs of both builds.
    #[arg(long)]
    pub results: PathBuf,
    /// The `--variant` label the earlier build's runs carry; this tree's
    /// runs carry none.
    #[arg(long)]
    pub reference: String,
    /// What the earlier build is, in words (e.g. "9e58729, before the
    /// hardening").
    #[arg(long)]
    pub reference_name: String,
    /// What this tree is, in words (e.g. "b25456f").
    #[arg(long)]
    pub current_name: String,
    /// The markdown file whose comparison section is written.
    #[arg(long)]
    pub out: PathBuf,
    /// `Name=value` rows for the machine table (repeatable).
    #[arg(long = "info")]
    pub info: Vec<String>,
}

pub fn compare(args: &CompareArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.results)
        .with_context(|| format!("reading {}", args.results.display()))?;
    let mut runs = Vec::new();
    for line in text.lines().filter(|l| l.trim_start().starts_with('{')) {
        if let Outcome::Relay(r) =
            serde_json::from_str(line).with_context(|| format!("decoding {line}"))?
        {
            runs.push(*r);
        }
    }
    let body = section(&runs, args);
    if body.is_empty() {
        bail!(
            "no Tandem relay runs of both builds in {}",
            args.results.display()
        );
    }
    write_section(&args.out, START, END, &body)?;
    eprintln!(
        "loadgen: wrote the comparison section of {}",
        args.out.display()
    );
    Ok(())
}

/// The figures of one run that the comparison shows, in table order.
fn figures(r: &RelayRun) -> [f64; 4] {
    [
        r.saturation.rate,
        cpu_per_msg(r, |_| true),
        r.light.latency.p99_us,
        r.half_load.latency.p99_us,
    ]
}

/// Median, lowest and highest of one figure over runs.
fn spread(runs: &[&RelayRun], k: usize) -> (f64, f64, f64) {
    let v: Vec<f64> = runs.iter().map(|r| figures(r)[k]).collect();
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (median(v), lo, hi)
}

fn section(runs: &[RelayRun], args: &CompareArgs) -> String {
    let tandem = |reference: bool, pairs: usize| -> Vec<&RelayRun> {
        runs.iter()
            .filter(|r| r.target == Target::Tandem && r.pairs == pairs)
            .filter(|r| match &r.variant {
                Some(v) => reference && *v == args.reference,
                None => !reference,
            })
            .collect()
    };
    let mut sizes: Vec<usize> = runs.iter().map(|r| r.pairs).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut rows = String::new();
    let mut verdicts = String::new();
    for pairs in sizes {
        let (before, after) = (tandem(true, pairs), tandem(false, pairs));
        if before.is_empty() || after.is_empty() {
            continue;
        }
        for (name, side) in [
            (&args.reference_name, &before),
            (&args.current_name, &after),
        ] {
            let rate = spread(side, 0);
            let _ = writeln!(
                rows,
                "| {} | {name} | {} | {} ({}–{}) | {:.1} | {} | {} |",
                count(pairs as f64),
                side.len(),
                count(rate.0),
                count(rate.1),
                count(rate.2),
                spread(side, 1).0,
                micros(spread(side, 2).0),
                micros(spread(side, 3).0),
            );
        }
        let (b, a) = (spread(&before, 0), spread(&after, 0));
        let change = (a.0 / b.0 - 1.0) * 100.0;
        // Noise: how far apart the runs of either build were, against their median.
        let noise = [b, a]
            .iter()
            .map(|(m, lo, hi)| (hi - lo) / m * 100.0)
            .fold(0.0, f64::max);
        let within = change.abs() <= noise;
        let _ = writeln!(
            verdicts,
            "- {} pairs: saturation {change:+.1} % (runs of one build differ by up to {noise:.1} %): {}.",
            count(pairs as f64),
            if within {
                "**within noise**"
            } else if change > 0.0 {
                "**faster** beyond the noise"
            } else {
                "**slower** beyond the noise"
            }
        );
    }
    if rows.is_empty() {
        return String::new();
    }
    let mut md = format!(
        "## Before and after: {} → {}\n\n`cargo xtask bench --against <commit>`: the relay \
         scenario (pairs chatting as fast as the window allows, then light and half load) \
         against Tandem built from that commit and from this tree, the two taking turns run \
         after run so that noise from other work on the machine falls on both. Each build runs \
         with the flags it knows (an earlier build lacks the later limits, which is the point). \
         Saturation is the median of the runs with their lowest and highest; the other figures \
         are medians.\n\n",
        args.reference_name, args.current_name
    );
    md += &info_table(&args.info);
    md += "\n| Pairs | Build | Runs | Saturation, msg/s | Server µs/msg | Light p99 | Half-load p99 |\n\
           |---:|---|---:|---:|---:|---:|---:|\n";
    md += &rows;
    md += "\n";
    md += &verdicts;
    md + "\n"
}
