//! What the agent does with calls: the Call button (microphone first, then
//! `call.start`), Accept / Decline of a visitor's ringing call, hanging up,
//! muting, and wiring the call bar's level meters.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{CallPhase, ClientFrame};
use voice::{Link, Meters, MicError, Side};
use web_sys::Element;

use super::media::{drop_media, media_call, ui, update_ui};
use super::state::{CallUi, Media};
use crate::state::Console;

/// The Call button: microphone first, then `call.start`.
pub fn start(console: Console, session: String) {
    ask_mic(console, session, None);
}

/// Accept a visitor's call: microphone first, then `call.accept`.
pub fn accept(console: Console, session: String, call: String) {
    ask_mic(console, session, Some(call));
}

pub fn decline(console: Console, session: &str, call: &str) {
    console.send(ClientFrame::CallDecline {
        session: session.to_string(),
        call: call.to_string(),
    });
}

/// Hang up, or withdraw our ringing call. Media stops at once.
pub fn hang_up(console: Console, session: &str) {
    // Gone from the bar at once; the server's `call{ended}` says how it ended.
    let call = console.update_chat(session, |c| c.summary.call.take().map(|c| c.id));
    drop_media(console, session);
    if let Some(call) = call.flatten() {
        console.send(ClientFrame::CallEnd {
            session: session.to_string(),
            call,
            reason: None,
        });
    }
}

pub fn toggle_mute(console: Console, session: &str) {
    let Some(call) = media_call(console, session) else {
        return;
    };
    let muted = !ui(console, session).muted;
    console.calls.with_value(|c| {
        if let Some(peer) = c.media.get(session).and_then(|m| m.peer.as_ref()) {
            peer.set_muted(muted);
        }
    });
    update_ui(console, session, |u| u.muted = muted);
    console.send(ClientFrame::CallMute {
        session: session.to_string(),
        call,
        muted,
    });
}

/// The call bar of `session` is on screen with these meter elements (or left).
pub fn show_meters(console: Console, session: &str, elements: Option<(Element, Element)>) {
    console.calls.update_value(|c| {
        match &elements {
            Some(e) => c.meters.insert(session.to_string(), e.clone()),
            None => c.meters.remove(session),
        };
        if let Some(meters) = c.media.get(session).and_then(|m| m.meters.as_ref()) {
            let (local, remote) = elements.unzip();
            meters.set_element(Side::Local, local);
            meters.set_element(Side::Remote, remote);
        }
    });
}

fn ask_mic(console: Console, session: String, call: Option<String>) {
    if ui(console, &session).asking_mic
        || console.calls.with_value(|c| c.media.contains_key(&session))
    {
        return;
    }
    update_ui(console, &session, |u| u.asking_mic = true);
    spawn_local(async move {
        let result = voice::microphone().await;
        update_ui(console, &session, |u| u.asking_mic = false);
        let mic = match result {
            Ok(mic) => mic,
            Err(e) => {
                if let Some(call) = &call {
                    decline(console, &session, call);
                }
                console.toast(mic_text(e), Some("call_microphone"));
                return;
            }
        };
        // Still wanted? The call may have ended while the browser asked.
        let wanted = console
            .peek_chat(&session, |c| match (&call, &c.summary.call) {
                (None, None) => !c.is_ended(),
                (Some(id), Some(live)) => *id == live.id && live.phase == CallPhase::Ringing,
                _ => false,
            })
            .unwrap_or(false);
        if !wanted {
            voice::stop(&mic);
            return;
        }
        let meters = Meters::new();
        console.calls.update_value(|c| {
            if let Some(m) = &meters {
                m.set_stream(Side::Local, Some(&mic));
                if let Some((local, remote)) = c.meters.get(&session) {
                    m.set_element(Side::Local, Some(local.clone()));
                    m.set_element(Side::Remote, Some(remote.clone()));
                }
            }
            c.media.insert(
                session.clone(),
                Media {
                    call: call.clone(),
                    mic,
                    meters,
                    peer: None,
                    early: Vec::new(),
                },
            );
        });
        update_ui(console, &session, |u| {
            *u = CallUi {
                here: true,
                link: Some(Link::Connecting),
                ..CallUi::default()
            }
        });
        let frame = match call {
            Some(call) => ClientFrame::CallAccept {
                session: session.clone(),
                call,
            },
            None => ClientFrame::CallStart {
                session: session.clone(),
            },
        };
        if console.send(frame).is_none() {
            drop_media(console, &session);
            console.toast("You're not connected right now.", None);
        }
    });
}

fn mic_text(e: MicError) -> &'static str {
    match e {
        MicError::Denied => {
            "The microphone is blocked for the console. Allow it in the browser's site settings to make calls."
        }
        MicError::Unavailable => {
            "No microphone could be used (none found, or another app holds it)."
        }
        MicError::Unsupported => {
            "This browser cannot make calls from here (the console must be served over HTTPS)."
        }
    }
}
