//! One session's call media while the call lasts: reading and changing what
//! the views show of it, letting the media go, and the peer connection's
//! events (the agent is the impolite peer of perfect negotiation).

use leptos::prelude::*;
use protocol::{CallEndReason, ClientFrame};
use voice::{Link, PeerEvent, Side};

use super::state::CallUi;
use crate::clock;
use crate::state::Console;

pub fn ui(console: Console, session: &str) -> CallUi {
    console
        .call_ui
        .with_untracked(|m| m.get(session).cloned().unwrap_or_default())
}

pub(super) fn update_ui(console: Console, session: &str, f: impl FnOnce(&mut CallUi)) {
    console
        .call_ui
        .update(|m| f(m.entry(session.to_string()).or_default()));
}

pub(super) fn media_call(console: Console, session: &str) -> Option<String> {
    console
        .calls
        .with_value(|c| c.media.get(session).and_then(|m| m.call.clone()))
}

pub(super) fn drop_media(console: Console, session: &str) {
    let gone = console
        .calls
        .try_update_value(|c| c.media.remove(session))
        .flatten();
    // Dropped outside the store: closing the peer must not run inside it.
    drop(gone);
    update_ui(console, session, |u| {
        let ended = u.ended.take();
        *u = CallUi {
            ended,
            ..CallUi::default()
        };
    });
}

pub(super) fn on_peer(console: Console, session: &str, event: PeerEvent) {
    let Some(call) = media_call(console, session) else {
        return;
    };
    match event {
        PeerEvent::Signal(signal) => {
            console.send(ClientFrame::CallSignal {
                session: session.to_string(),
                call,
                signal,
            });
        }
        PeerEvent::Link(link) => update_ui(console, session, |u| {
            u.link = Some(link);
            if link == Link::Connected && u.connected_at.is_none() {
                u.connected_at = Some(clock::now());
            }
        }),
        PeerEvent::Remote(stream) => console.calls.with_value(|c| {
            if let Some(meters) = c.media.get(session).and_then(|m| m.meters.as_ref()) {
                meters.set_stream(Side::Remote, Some(&stream));
            }
        }),
        PeerEvent::NeedCredentials => {
            console.send(ClientFrame::CallCredentials {
                session: session.to_string(),
                call,
            });
        }
        PeerEvent::Failed => {
            console.update_chat(session, |c| c.summary.call = None);
            drop_media(console, session);
            console.send(ClientFrame::CallEnd {
                session: session.to_string(),
                call,
                reason: Some(CallEndReason::Failed),
            });
        }
    }
}
