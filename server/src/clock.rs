//! Wall-clock time in the wire's unit.

use protocol::Millis;

pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

/// Runs `work` every `interval` until `stopped` turns true: a background
/// task's loop (the retention purge, the memory trim). The first run is at
/// once, or one interval in when `first_at_once` is false. Runs that fall
/// behind are delayed, never bunched.
pub fn every<F, Fut>(
    interval: std::time::Duration,
    first_at_once: bool,
    mut stopped: tokio::sync::watch::Receiver<bool>,
    mut work: F,
) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        if !first_at_once {
            tick.tick().await;
        }
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
            work().await;
        }
    })
}
