//! Issue 7's targets, each with what was measured and whether it is met.

use std::fmt::Write as _;

use super::format::{count, mib, micros};
use super::runs::Runs;
use super::tables::cpu_per_msg;
use crate::relay::Target;

/// Issue 7's targets.
const MIN_SHARE_OF_BARE: f64 = 0.9;
const MIN_TIMES_NODE: f64 = 5.0;
const MAX_LIGHT_P99_US: f64 = 2000.0;
const MAX_IDLE_KIB: f64 = 30.0;

pub(super) fn targets(runs: &Runs) -> String {
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
