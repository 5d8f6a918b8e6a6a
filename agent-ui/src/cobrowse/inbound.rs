//! What the server's cobrowse frames do: the `cobrowse` frame (sharing
//! started or stopped), the binary page frames routed to their session's
//! mirror, and the replay every shared mirror asks for after a reconnect.

use leptos::prelude::*;
use protocol::ShareState;
use protocol::cobrowse::decode_header;

use super::receive::receive;
use super::replay::{finish, resync};
use super::state::Mirror;
use crate::state::Console;

/// When this tab saw sharing begin, the widget's first keyframe is on its
/// way to every agent tab: asking for the page as well would only make the
/// server ask the widget for a second one.
const FIRST_KEYFRAME_GRACE_MS: u64 = 2_000;

/// `cobrowse{session, state}`: screen sharing in a session changed state.
pub fn on_share(console: Console, session: &str, state: ShareState) {
    let before = console.update_chat(session, |chat| {
        std::mem::replace(&mut chat.summary.share, state)
    });
    if state == ShareState::Active && before.is_some_and(|b| b != ShareState::Active) {
        sharing_started(console, session);
    } else if state != ShareState::Active {
        sharing_stopped(console, session);
        // The listed fields were the capture's: they mean nothing now.
        crate::form::close(console, session);
    }
}

/// A binary page frame from the socket.
pub fn on_binary(console: Console, frame: Vec<u8>) {
    let header = match decode_header(&frame) {
        Ok(h) => h,
        Err(e) => {
            web_sys::console::warn_1(&format!("tandem: skipped page frame: {e}").into());
            return;
        }
    };
    // Frames may beat the stage's mount by a moment; keep them for it.
    let sharing = console
        .peek_chat(&header.session, |c| {
            !c.is_ended() && c.summary.share == ShareState::Active
        })
        .unwrap_or(false);
    let session = header.session.clone();
    let mut after = Vec::new();
    console.mirrors.update_value(|m| {
        let mirror = match m.map.get_mut(&session) {
            Some(mirror) => mirror,
            None if sharing => m.map.entry(session.clone()).or_insert_with(Mirror::new),
            None => return,
        };
        receive(mirror, &header, frame, &mut after);
    });
    finish(console, &session, after);
}

/// This tab saw the visitor start sharing: the widget sends its first
/// keyframe to every agent tab, so the mirror waits for it a moment before
/// asking the server for the page.
fn sharing_started(console: Console, session: &str) {
    console.mirrors.update_value(|m| {
        let mirror = m.map.entry(session.to_string()).or_insert_with(Mirror::new);
        if !mirror.tracker.is_live() {
            mirror.expect_keyframe_until =
                Some(js_sys::Date::now() + FIRST_KEYFRAME_GRACE_MS as f64);
        }
    });
}

/// Sharing ended: a mirror that never got its stage is dropped here (one
/// with a stage goes when the stage unmounts).
fn sharing_stopped(console: Console, session: &str) {
    let removed = console
        .mirrors
        .try_update_value(|m| {
            if m.map
                .get(session)
                .is_some_and(|mirror| mirror.stage.is_none())
            {
                m.map.remove(session)
            } else {
                None
            }
        })
        .flatten();
    if let Some(mut mirror) = removed {
        mirror.stop_timers();
    }
}

/// The socket came back: frames may have been lost meanwhile, so every
/// mirror of a session still shared asks for the current page.
pub fn reconnected(console: Console) {
    let sessions: Vec<String> = console
        .mirrors
        .with_value(|m| m.map.keys().cloned().collect());
    for session in sessions {
        let sharing = console
            .peek_chat(&session, |c| {
                c.summary.share == ShareState::Active && !c.is_ended()
            })
            .unwrap_or(false);
        if !sharing {
            continue;
        }
        let mut after = Vec::new();
        console.mirrors.update_value(|m| {
            if let Some(mirror) = m.map.get_mut(&session)
                && mirror.page.is_some()
            {
                if let Some(t) = mirror.retry.take() {
                    t.clear();
                }
                mirror.strikes = 0;
                resync(mirror, &mut after);
            }
        });
        finish(console, &session, after);
    }
}
