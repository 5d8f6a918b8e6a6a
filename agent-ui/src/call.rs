//! Voice calls on the agent's side: the Call button asks for the
//! microphone, then `call.start`; a visitor's call rings in the chat with
//! Accept / Decline. The console holds, per session, the microphone, the
//! level meters and the peer connection (the agent is the impolite peer of
//! perfect negotiation) while the call lasts. Media lives outside the
//! reactive state (`Calls`); what the views show of it lives in
//! `Console::call_ui`.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{
    CallEndReason, CallInfo, CallPhase, ClientFrame, ErrorCode, IceServer, Millis, Signal,
};
use voice::{Link, MediaStream, Meters, MicError, Peer, PeerEvent, Side};
use web_sys::Element;

use crate::clock;
use crate::state::Console;

/// How long the call bar keeps saying how the last call ended.
pub const ENDED_SHOWN_MS: Millis = 8_000;

/// What the views show of one session's call besides the server's `CallInfo`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallUi {
    /// Waiting for the browser's microphone permission.
    pub asking_mic: bool,
    /// This console holds the call's media.
    pub here: bool,
    pub link: Option<Link>,
    pub muted: bool,
    pub remote_muted: bool,
    /// Local time the path first connected (the duration counts from it).
    pub connected_at: Option<Millis>,
    /// The last call that ended, and when (local time).
    pub ended: Option<(CallInfo, Millis)>,
}

/// The media of every call this console takes part in.
#[derive(Default)]
pub struct Calls {
    media: HashMap<String, Media>,
    /// Meter elements of the call bars on screen, per session.
    meters: HashMap<String, (Element, Element)>,
}

struct Media {
    /// `None` while our `call.start` waits for the server's `call` frame.
    call: Option<String>,
    mic: MediaStream,
    meters: Option<Meters>,
    peer: Option<Peer>,
    /// Signaling that came before the peer.
    early: Vec<Signal>,
}

impl Drop for Media {
    fn drop(&mut self) {
        self.peer = None;
        voice::stop(&self.mic);
    }
}

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

pub fn ui(console: Console, session: &str) -> CallUi {
    console
        .call_ui
        .with_untracked(|m| m.get(session).cloned().unwrap_or_default())
}

fn update_ui(console: Console, session: &str, f: impl FnOnce(&mut CallUi)) {
    console
        .call_ui
        .update(|m| f(m.entry(session.to_string()).or_default()));
}

fn media_call(console: Console, session: &str) -> Option<String> {
    console
        .calls
        .with_value(|c| c.media.get(session).and_then(|m| m.call.clone()))
}

fn drop_media(console: Console, session: &str) {
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

fn on_peer(console: Console, session: &str, event: PeerEvent) {
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
