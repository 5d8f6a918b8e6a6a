//! One soak run as recorded (samples of the server, totals of the pairs)
//! and the figures drawn from it: growth after the warm-up, its slope.

use serde::{Deserialize, Serialize};

use super::counters::Totals;

/// The server as /proc saw it at one moment.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds since the load started.
    pub secs: f64,
    pub rss: u64,
    /// The anonymous part of `rss` (heap, stacks): what the program holds,
    /// without mapped files.
    #[serde(default)]
    pub anon: u64,
    pub fds: u64,
    pub threads: u64,
    /// Conversations started so far.
    pub sessions: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SoakRun {
    pub pairs: usize,
    pub share_pairs: usize,
    pub minutes: f64,
    pub warmup_secs: f64,
    pub offered_rate: f64,
    pub visitor_reconnect: f64,
    pub agent_reconnect: f64,
    /// Chat messages sent per second over the whole run.
    pub rate: f64,
    /// Seconds between /metrics scrapes (0: none).
    #[serde(default)]
    pub scrape_secs: u64,
    pub scrapes: u64,
    pub scrape_failures: u64,
    pub totals: Totals,
    pub samples: Vec<Sample>,
    /// After every client left and `settle_secs` passed.
    pub after_leaving: Sample,
    pub info: Vec<String>,
}

/// The window whose median stands for a moment (warm-up end, run end).
const WINDOW_SECS: f64 = 60.0;

impl SoakRun {
    fn under_load(&self) -> impl Iterator<Item = &Sample> {
        let end = self.minutes * 60.0;
        self.samples.iter().filter(move |s| s.secs <= end)
    }

    fn median_between(&self, from: f64, to: f64, f: impl Fn(&Sample) -> u64) -> u64 {
        let mut v: Vec<u64> = self
            .under_load()
            .filter(|s| s.secs >= from && s.secs <= to)
            .map(f)
            .collect();
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or(0)
    }

    /// (at the end of the warm-up, at the end of the load), each the median of a minute.
    pub fn ends(&self, f: impl Fn(&Sample) -> u64 + Copy) -> (u64, u64) {
        let end = self.minutes * 60.0;
        let window = WINDOW_SECS.min((end - self.warmup_secs) / 4.0);
        (
            self.median_between(self.warmup_secs, self.warmup_secs + window, f),
            self.median_between(end - window, end, f),
        )
    }

    pub fn rss_growth_percent(&self) -> f64 {
        let (a, b) = self.ends(|s| s.rss);
        if a == 0 {
            return 0.0;
        }
        (b as f64 - a as f64) / a as f64 * 100.0
    }

    /// Least-squares slope of RSS after the warm-up, in MiB per hour.
    pub fn rss_slope_mib_per_hour(&self) -> f64 {
        let pts: Vec<(f64, f64)> = self
            .under_load()
            .filter(|s| s.secs >= self.warmup_secs)
            .map(|s| (s.secs, s.rss as f64 / 1048576.0))
            .collect();
        let n = pts.len() as f64;
        if n < 2.0 {
            return 0.0;
        }
        let (mx, my) = (
            pts.iter().map(|p| p.0).sum::<f64>() / n,
            pts.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        if sxx == 0.0 { 0.0 } else { sxy / sxx * 3600.0 }
    }

    /// Highest value after the warm-up.
    pub fn max_after_warmup(&self, f: impl Fn(&Sample) -> u64) -> u64 {
        self.under_load()
            .filter(|s| s.secs >= self.warmup_secs)
            .map(f)
            .max()
            .unwrap_or(0)
    }
}
