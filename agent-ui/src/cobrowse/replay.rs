//! Getting a mirror back in step: when it cannot be trusted the console asks
//! the server for a replay (`cobrowse.subscribe`), and asks again on a timer
//! with a growing delay until a keyframe comes. Also publishes what the
//! views show of a mirror when it changed.

use std::time::Duration;

use leptos::prelude::*;
use protocol::{ClientFrame, ShareState};

use super::state::{Mirror, MirrorStatus};
use crate::mirror::stream;
use crate::state::Console;

/// Ask again if no keyframe came this long after asking; doubled for each
/// failure in a row (a replay that fails the same way again means the
/// server's log itself is unusable until the widget's next keyframe).
const RETRY_MS: u64 = 5_000;
const RETRY_MAX_MS: u64 = 60_000;

/// What to do once the mirrors are no longer borrowed.
pub(super) enum After {
    Send(ClientFrame),
    /// Arm the "ask again" timer for this session.
    Retry,
    /// Ask for the page after this many milliseconds unless it came.
    RetryIn(u64),
}

/// The page can no longer be trusted: ask for a replay and say so.
pub(super) fn resync(mirror: &mut Mirror, after: &mut Vec<After>) {
    mirror.tracker.broken();
    mirror.status = if mirror.page.as_ref().is_some_and(|p| !p.url.is_empty()) {
        MirrorStatus::Resyncing
    } else {
        MirrorStatus::Loading
    };
    mirror.strikes += 1;
    if mirror.retry.is_some() {
        // Already waiting for an answer; the timer asks again if none comes.
        return;
    }
    if let Some(fresh) = stream::recovery(mirror.strikes) {
        after.push(After::Send(ClientFrame::CobrowseSubscribe {
            session: String::new(),
            fresh,
        }));
    }
    after.push(After::Retry);
}

fn retry_delay(strikes: u32) -> u64 {
    (RETRY_MS << strikes.saturating_sub(1).min(4)).min(RETRY_MAX_MS)
}

/// Sends what was decided and publishes the mirror's info if it changed.
pub(super) fn finish(console: Console, session: &str, after: Vec<After>) {
    for step in after {
        match step {
            After::Send(frame) => {
                console.send(with_session(frame, session));
            }
            After::Retry => arm_retry(console, session, None),
            After::RetryIn(ms) => arm_retry(console, session, Some(ms)),
        }
    }
    publish(console, session);
}

/// The frames `resync` and `attach` queue are built before the session id is at hand.
fn with_session(frame: ClientFrame, session: &str) -> ClientFrame {
    match frame {
        ClientFrame::CobrowseSubscribe { fresh, .. } => ClientFrame::CobrowseSubscribe {
            session: session.to_string(),
            fresh,
        },
        other => other,
    }
}

/// Asks again later (after `delay_ms`, or a delay growing with the failures)
/// if the mirror is still not live by then.
fn arm_retry(console: Console, session: &str, delay_ms: Option<u64>) {
    let id = session.to_string();
    let strikes = console
        .mirrors
        .with_value(|m| m.map.get(session).map_or(1, |mirror| mirror.strikes));
    let delay = delay_ms.unwrap_or_else(|| retry_delay(strikes));
    let handle = set_timeout_with_handle(
        move || {
            let mut again = false;
            console.mirrors.update_value(|m| {
                if let Some(mirror) = m.map.get_mut(&id) {
                    mirror.retry = None;
                    again = !mirror.tracker.is_live();
                }
            });
            if again {
                let sharing = console
                    .peek_chat(&id, |c| {
                        c.summary.share == ShareState::Active && !c.is_ended()
                    })
                    .unwrap_or(false);
                if sharing {
                    console.send(ClientFrame::CobrowseSubscribe {
                        session: id.clone(),
                        fresh: false,
                    });
                    arm_retry(console, &id, None);
                }
            }
        },
        Duration::from_millis(delay),
    )
    .ok();
    let session = session.to_string();
    console
        .mirrors
        .update_value(|m| match m.map.get_mut(&session) {
            Some(mirror) => {
                if let Some(old) = std::mem::replace(&mut mirror.retry, handle) {
                    old.clear();
                }
            }
            None => {
                if let Some(h) = handle {
                    h.clear();
                }
            }
        });
}

pub(super) fn publish(console: Console, session: &str) {
    let info = console
        .mirrors
        .try_update_value(|m| {
            let mirror = m.map.get_mut(session)?;
            let info = mirror.info();
            if mirror.published.as_ref() == Some(&info) {
                return None;
            }
            mirror.published = Some(info.clone());
            Some(info)
        })
        .flatten();
    if let Some(info) = info {
        console.mirror_info.update(|m| {
            m.insert(session.to_string(), info);
        });
    }
}
