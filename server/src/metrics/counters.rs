//! Counters and histograms kept as things happen, so a Prometheus scrape
//! only reads a few atomics: it never touches the store. They start from
//! zero with the process, as Prometheus expects of `_total` counters (its
//! `rate()` and `increase()` handle the reset).
//!
//! The hub calls `Counters` at the moments that define contact-centre
//! figures (see figures.rs for the definitions): a request made, first
//! answered, abandoned, a session ended; chat messages, transfers,
//! wrap-ups, identity checks.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use protocol::{DISPOSITIONS, Millis, Role};

/// Bucket bounds, in seconds, for waits before an answer or a give-up:
/// 20 s and 60 s are the usual service-level thresholds (60 s is
/// `SERVICE_LEVEL_SECS`), the rest spread the tail out to half an hour.
pub const WAIT_BUCKETS: &[f64] = &[5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0];
/// Bucket bounds, in seconds, for handle time (first answer to end): chats
/// run from a minute to an hour or two.
pub const HANDLE_BUCKETS: &[f64] = &[
    30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
];

/// A Prometheus histogram over fixed buckets. Buckets hold plain (not yet
/// cumulative) counts; `render` adds them up. A scrape racing an
/// observation may see the sum a step ahead of the buckets, never a
/// bucket above the count (the count is taken from the buckets).
pub struct Histogram {
    bounds: &'static [f64],
    /// One per bound, then +Inf.
    buckets: Box<[AtomicU64]>,
    sum_ms: AtomicU64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            buckets: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_ms: AtomicU64::new(0),
        }
    }

    /// Records one duration (negative ones, from a clock step, count as 0).
    pub fn observe(&self, ms: Millis) {
        let ms = ms.max(0) as u64;
        let secs = ms as f64 / 1000.0;
        let i = self
            .bounds
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(self.bounds.len());
        self.buckets[i].fetch_add(1, Relaxed);
        self.sum_ms.fetch_add(ms, Relaxed);
    }

    /// (upper bound, cumulative count) per bucket, +Inf last; and the sum in seconds.
    pub fn snapshot(&self) -> (Vec<(f64, u64)>, f64) {
        let mut running = 0;
        let mut out = Vec::with_capacity(self.buckets.len());
        for (i, b) in self.buckets.iter().enumerate() {
            running += b.load(Relaxed);
            out.push((
                self.bounds.get(i).copied().unwrap_or(f64::INFINITY),
                running,
            ));
        }
        (out, self.sum_ms.load(Relaxed) as f64 / 1000.0)
    }
}

/// How an `identify` ended.
#[derive(Debug, Clone, Copy)]
pub enum IdentifyOutcome {
    Verified,
    /// No proof given: kept as the page's unverified claim.
    Unverified,
    /// A proof was given and refused (bad, expired, or a bare hash where
    /// the site does not accept it): worth an alert when it jumps.
    Refused,
}

pub struct Counters {
    pub requests: AtomicU64,
    /// Waits that ended in a first answer.
    pub answered_wait: Histogram,
    /// Waits that ended with the visitor giving up before any answer.
    pub abandoned_wait: Histogram,
    /// First answer to end, for sessions that were answered.
    pub handle: Histogram,
    pub ended_by_visitor: AtomicU64,
    pub ended_by_agent: AtomicU64,
    pub messages_from_visitors: AtomicU64,
    pub messages_from_agents: AtomicU64,
    pub transfers: AtomicU64,
    /// One per entry of `DISPOSITIONS`, in that order.
    pub wrapups: Box<[AtomicU64]>,
    pub identify_verified: AtomicU64,
    pub identify_unverified: AtomicU64,
    pub identify_refused: AtomicU64,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            requests: AtomicU64::new(0),
            answered_wait: Histogram::new(WAIT_BUCKETS),
            abandoned_wait: Histogram::new(WAIT_BUCKETS),
            handle: Histogram::new(HANDLE_BUCKETS),
            ended_by_visitor: AtomicU64::new(0),
            ended_by_agent: AtomicU64::new(0),
            messages_from_visitors: AtomicU64::new(0),
            messages_from_agents: AtomicU64::new(0),
            transfers: AtomicU64::new(0),
            wrapups: DISPOSITIONS.iter().map(|_| AtomicU64::new(0)).collect(),
            identify_verified: AtomicU64::new(0),
            identify_unverified: AtomicU64::new(0),
            identify_refused: AtomicU64::new(0),
        }
    }
}

impl Counters {
    pub fn requested(&self) {
        self.requests.fetch_add(1, Relaxed);
    }

    /// A request's first answer, `wait` after it was made.
    pub fn answered(&self, wait: Millis) {
        self.answered_wait.observe(wait);
    }

    /// A session ended: `answered_for` since its first answer, or, never
    /// answered, abandoned after `waited`.
    pub fn ended(&self, by: Role, answered_for: Option<Millis>, waited: Millis) {
        match answered_for {
            Some(handled) => self.handle.observe(handled),
            None => self.abandoned_wait.observe(waited),
        }
        let counter = match by {
            Role::Visitor => &self.ended_by_visitor,
            _ => &self.ended_by_agent,
        };
        counter.fetch_add(1, Relaxed);
    }

    /// A chat message stored and delivered.
    pub fn message(&self, author: Role) {
        let counter = match author {
            Role::Visitor => &self.messages_from_visitors,
            Role::Agent => &self.messages_from_agents,
            // (System events carry no chat messages.)
            _ => return,
        };
        counter.fetch_add(1, Relaxed);
    }

    pub fn transferred(&self) {
        self.transfers.fetch_add(1, Relaxed);
    }

    pub fn wrapped_up(&self, disposition: &str) {
        if let Some(i) = DISPOSITIONS.iter().position(|d| *d == disposition) {
            self.wrapups[i].fetch_add(1, Relaxed);
        }
    }

    pub fn identified(&self, outcome: IdentifyOutcome) {
        let counter = match outcome {
            IdentifyOutcome::Verified => &self.identify_verified,
            IdentifyOutcome::Unverified => &self.identify_unverified,
            IdentifyOutcome::Refused => &self.identify_refused,
        };
        counter.fetch_add(1, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_into_the_first_bucket_that_holds_the_value() {
        let h = Histogram::new(&[1.0, 5.0]);
        for ms in [0, 1000, 1001, 5000, 9000, -3] {
            h.observe(ms);
        }
        let (buckets, sum) = h.snapshot();
        assert_eq!(buckets, vec![(1.0, 3), (5.0, 5), (f64::INFINITY, 6)]);
        assert_eq!(sum, 16.001);
    }
}
