//! What the server's call frames do: `call` (ringing, active, ended),
//! `call.credentials` (starts the peer connection), `call.signal` and
//! `call.mute`, and a refused call frame. The media follows the session's
//! call (`sync`).

use leptos::prelude::*;
use protocol::{CallInfo, CallPhase, ErrorCode, IceServer, Millis, Signal};
use voice::Peer;

use super::media::{drop_media, on_peer, update_ui};
use crate::clock;
use crate::state::Console;

/// `call{session, call}` from the server.
pub fn on_call(console: Console, session: &str, info: CallInfo) {
    let live = (info.phase != CallPhase::Ended).then(|| info.clone());
    if console
        .update_chat(session, |c| c.summary.call = live)
        .is_none()
    {
        return;
    }
    match info.phase {
        CallPhase::Ringing if info.started_by == protocol::Role::Visitor => {
            let who = console
                .peek_chat(session, |c| {
                    crate::format::visitor_label(
                        c.summary.visitor_name.as_deref(),
                        &c.summary.visitor_id,
                    )
                })
                .unwrap_or_default();
            console.toast(format!("{who} is calling you"), Some("call_incoming"));
        }
        CallPhase::Ringing | CallPhase::Active => {
            console.calls.update_value(|c| {
                if let Some(m) = c.media.get_mut(session)
                    && m.call.is_none()
                {
                    m.call = Some(info.id.clone());
                }
            });
        }
        CallPhase::Ended => {
            update_ui(console, session, |u| {
                u.ended = Some((info.clone(), clock::now()))
            });
        }
    }
    sync(console, session);
}

/// Media follows the session's call: a call that ended (or a session
/// summary without it) lets go of the microphone.
pub fn sync(console: Console, session: &str) {
    let live = console
        .peek_chat(session, |c| {
            (!c.is_ended())
                .then(|| c.summary.call.as_ref().map(|c| c.id.clone()))
                .flatten()
        })
        .flatten();
    let stale = console.calls.with_value(|c| {
        c.media
            .get(session)
            .is_some_and(|m| m.call.is_some() && m.call != live)
    });
    if stale {
        drop_media(console, session);
    }
}

pub fn on_credentials(
    console: Console,
    session: &str,
    call: &str,
    servers: Vec<IceServer>,
    expires_at: Millis,
) {
    let parent = document().body();
    console.calls.update_value(|c| {
        let Some(m) = c
            .media
            .get_mut(session)
            .filter(|m| m.call.as_deref() == Some(call))
        else {
            return;
        };
        if let Some(peer) = &m.peer {
            peer.set_ice_servers(&servers, expires_at as f64);
            return;
        }
        let Some(parent) = parent else { return };
        let s = session.to_string();
        let started = Peer::start(
            false,
            &servers,
            expires_at as f64,
            &m.mic,
            &parent,
            move |e| on_peer(console, &s, e),
        );
        if let Ok(peer) = started {
            for signal in m.early.drain(..) {
                peer.on_signal(signal);
            }
            m.peer = Some(peer);
        }
    });
}

pub fn on_signal(console: Console, session: &str, call: &str, signal: Signal) {
    console.calls.update_value(|c| {
        if let Some(m) = c
            .media
            .get_mut(session)
            .filter(|m| m.call.as_deref() == Some(call))
        {
            match &m.peer {
                Some(peer) => peer.on_signal(signal),
                None => m.early.push(signal),
            }
        }
    });
}

pub fn on_mute(console: Console, session: &str, muted: bool) {
    update_ui(console, session, |u| u.remote_muted = muted);
}

/// The server refused a call frame: a call.start of ours gives its microphone back.
pub fn on_refused(console: Console, session: Option<&str>, _code: ErrorCode) {
    let Some(session) = session else { return };
    let starting = console
        .calls
        .with_value(|c| c.media.get(session).is_some_and(|m| m.call.is_none()));
    if starting {
        drop_media(console, session);
    }
}

/// Whether `code` is about calls, and what the agent reads for it (none
/// for `no_call`: both sides ending a call at once, e.g. when no path was
/// found, is normal and the bar already says how the call ended).
pub fn error_text(code: ErrorCode) -> Option<Option<&'static str>> {
    Some(match code {
        ErrorCode::VoiceDisabled => Some("Voice calls are turned off for this site."),
        ErrorCode::CallInProgress => Some("This chat already has a call."),
        ErrorCode::NoCall => None,
        _ => return None,
    })
}
