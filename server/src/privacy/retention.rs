//! Retention: a background task that, every `--purge-interval-seconds`,
//! deletes expired agent tokens and applies each site's `retain_days`
//! (what is erased: `Store::purge_site`). Work goes in bounded rounds, each
//! one short transaction followed by a pause at least as long as the round
//! took, so a large backlog (the first run after retention is switched on)
//! holds the database at most half the time and never for long at once:
//! writers waiting on it (SQLite retries a busy lock every few ms, then
//! every 100 ms) get in between rounds. Measured with
//! `cargo run -p tandem-tests --example purge_rounds` (docs/benchmarks.md).

use std::sync::Arc;
use std::time::{Duration, Instant};

use protocol::Millis;
use tokio::sync::watch;

use crate::clock::now_ms;
use crate::store::{self, Erasure, Store};

pub const DAY_MS: Millis = 24 * 3600 * 1000;
/// Rows of each kind one round may touch (a session's events count too).
pub const ROUND: u32 = 200;
/// The shortest breathing room for other writers between two rounds.
const PAUSE: Duration = Duration::from_millis(20);

/// Data older than this is purged for a site keeping it `days` days.
pub fn purge_cutoff(now: Millis, days: u32) -> Millis {
    now.saturating_sub(i64::from(days).saturating_mul(DAY_MS))
}

/// What one pass removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub erased: Erasure,
    pub tokens: u64,
    pub idempotency_keys: u64,
    pub deliveries: u64,
}

/// How long a finished webhook delivery is kept after its event.
pub const DELIVERIES_KEPT_MS: Millis = 3 * 24 * 3600 * 1000;

/// How long the answer to an `Idempotency-Key` is replayed.
pub const IDEMPOTENCY_KEPT_MS: Millis = 24 * 3600 * 1000;

/// Runs `purge_round` (deleting at most `round` rows) until a round comes
/// back short or `stop` says so, pausing between rounds; the rows deleted.
async fn rounds<F, Fut>(
    round: u32,
    stop: &(dyn Fn() -> bool + Sync),
    purge_round: F,
) -> store::Result<u64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = store::Result<u64>>,
{
    let mut total = 0;
    loop {
        let started = Instant::now();
        let n = purge_round().await?;
        total += n;
        if n < u64::from(round) || stop() {
            return Ok(total);
        }
        tokio::time::sleep(PAUSE.max(started.elapsed())).await;
    }
}

/// One whole pass at time `now`, in rounds of at most `round` rows of a
/// kind, stopping early once `stop` says so.
pub async fn purge(
    store: &dyn Store,
    now: Millis,
    round: u32,
    stop: &(dyn Fn() -> bool + Sync),
) -> store::Result<Purged> {
    let tokens = rounds(round, stop, || store.purge_expired_tokens(now, round)).await?;
    // Webhook deliveries carry what was said: kept 3 days after their event
    // (a day of retries, and time to look at them), as docs/api.md says.
    let deliveries = rounds(round, stop, || {
        store.purge_deliveries(now - DELIVERIES_KEPT_MS, round)
    })
    .await?;
    // Answers kept for Idempotency-Key retries: a day, as docs/api.md says.
    let idempotency_keys = rounds(round, stop, || {
        store.purge_idempotency_keys(now - IDEMPOTENCY_KEPT_MS, round)
    })
    .await?;
    let mut done = Purged {
        tokens,
        deliveries,
        idempotency_keys,
        ..Purged::default()
    };
    for site in store.sites().await? {
        let Some(days) = site.retain_days else {
            continue;
        };
        let cutoff = purge_cutoff(now, days);
        loop {
            let started = Instant::now();
            let r = store.purge_site(&site.id, cutoff, now, round).await?;
            done.erased.add(r);
            if !r.filled(round) || stop() {
                break;
            }
            tokio::time::sleep(PAUSE.max(started.elapsed())).await;
        }
    }
    Ok(done)
}

/// Runs a pass at start and then every `interval` until `stopped` turns true.
pub fn spawn(
    store: Arc<dyn Store>,
    interval: Duration,
    stopped: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let flag = stopped.clone();
    crate::clock::every(interval, true, stopped, move || {
        let (store, flag) = (store.clone(), flag.clone());
        async move {
            let stop = move || *flag.borrow();
            match purge(store.as_ref(), now_ms(), ROUND, &stop).await {
                Ok(p) if p.tokens > 0 || !p.erased.is_empty() => tracing::info!(
                    tokens = p.tokens,
                    sessions = p.erased.sessions,
                    events = p.erased.events,
                    page_views = p.erased.page_views,
                    visitors_deleted = p.erased.visitors_deleted,
                    visitors_anonymised = p.erased.visitors_anonymised,
                    "retention purge"
                ),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "retention purge failed; next try at the next interval")
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_whole_days_back_and_never_underflows() {
        assert_eq!(purge_cutoff(10 * DAY_MS, 3), 7 * DAY_MS);
        assert_eq!(purge_cutoff(5, 0), 5);
        assert_eq!(purge_cutoff(0, u32::MAX), -(u32::MAX as i64) * DAY_MS);
        assert_eq!(purge_cutoff(Millis::MIN + 1, 1), Millis::MIN);
    }
}
