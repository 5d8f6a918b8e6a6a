//! Voice calls on the visitor's side (only with the visitor's yes, and
//! visible while active). The agent's call rings here with Accept / Decline; where the
//! site allows it the visitor may call too. The microphone is asked for
//! only after the visitor said yes, and the tab where they did holds it and
//! the peer connection (the visitor is the polite peer) until the call ends.
//! Other tabs of the same visitor show the call without controls of media.
//!
//! The server owns the call's lifecycle (`call` frames); like screen
//! sharing, media follows the state in `sync_call`, part of `settle`.

use protocol::{
    CallEndReason, CallInfo, CallPhase, ClientFrame, ErrorCode, IceServer, Role, Signal,
};
use voice::{Link, MediaStream, Meters, MicError, Peer, PeerEvent, Side};
use wasm_bindgen_futures::spawn_local;

use super::core::App;
use super::media::{Media, MicFor};
use crate::browser::now;
use crate::i18n::fill;
use crate::input::{Input, VoiceEvent};
use crate::state::{Conversation, Phase};
use crate::view::call::{CallScene, MediaScene, duration};

/// How long the line saying how a call ended stays in the call bar.
const NOTICE_TTL_MS: f64 = 8000.0;

impl App {
    /// `call{session, call}`: sent on every change, to both sides.
    pub(super) fn on_call(&mut self, session: &str, info: &CallInfo) {
        if !self.convo.apply_call(session, info) {
            return;
        }
        match info.phase {
            CallPhase::Ringing if info.started_by == Role::Agent => {
                // The visitor must see the question.
                self.set_open(true, false);
            }
            CallPhase::Ringing | CallPhase::Active => {
                if let Some(m) = &mut self.media
                    && m.call.is_none()
                    && info.started_by == Role::Visitor
                {
                    m.call = Some(info.id.clone());
                }
            }
            CallPhase::Ended => {
                let s = self.strings;
                let text = match info.end_reason {
                    Some(CallEndReason::Declined) => s.call_declined.to_string(),
                    Some(CallEndReason::Cancelled) => s.call_cancelled.to_string(),
                    Some(CallEndReason::NoAnswer) => s.call_missed.to_string(),
                    Some(CallEndReason::Failed) => s.call_failed.to_string(),
                    Some(CallEndReason::Interrupted) => s.call_interrupted.to_string(),
                    _ => match (info.answered_at, info.ended_at) {
                        (Some(a), Some(e)) => {
                            fill(s.call_ended_after, duration((e - a).max(0) as u64))
                        }
                        _ => s.call_ended.to_string(),
                    },
                };
                self.call_notice = Some((text, now() + NOTICE_TTL_MS));
            }
        }
    }

    pub(super) fn on_call_credentials(
        &mut self,
        session: &str,
        call: &str,
        ice_servers: &[IceServer],
        expires_at: i64,
    ) {
        let audio_parent = self.view.call_audio_parent();
        let d = self.dispatcher.clone();
        let Some(m) = self.call_media(session, call) else {
            return;
        };
        match &m.peer {
            Some(peer) => peer.set_ice_servers(ice_servers, expires_at as f64),
            None => {
                let started = Peer::start(
                    true,
                    ice_servers,
                    expires_at as f64,
                    &m.mic,
                    &audio_parent,
                    move |e| d.send(Input::Voice(VoiceEvent::Peer(e))),
                );
                if let Ok(peer) = started {
                    for signal in m.early.drain(..) {
                        peer.on_signal(signal);
                    }
                    m.peer = Some(peer);
                }
            }
        }
    }

    pub(super) fn on_call_signal(&mut self, session: &str, call: &str, signal: Signal) {
        if let Some(m) = self.call_media(session, call) {
            match &m.peer {
                Some(peer) => peer.on_signal(signal),
                None => m.early.push(signal),
            }
        }
    }

    pub(super) fn on_call_mute(&mut self, session: &str, call: &str, muted: bool) {
        if let Some(m) = self.call_media(session, call) {
            m.remote_muted = muted;
        }
    }

    /// Our microphone and peer, if `call` in our session is the call they
    /// belong to (frames of an older call are dropped).
    fn call_media(&mut self, session: &str, call: &str) -> Option<&mut Media> {
        if !self.is_ours(session) {
            return None;
        }
        self.media
            .as_mut()
            .filter(|m| m.call.as_deref() == Some(call))
    }

    /// The server refused a call frame of ours.
    pub(super) fn on_call_refused(&mut self, code: ErrorCode) {
        if self.media.as_ref().is_some_and(|m| m.call.is_none()) {
            // Our own call.start: give the microphone back.
            self.media = None;
        }
        if code == ErrorCode::VoiceDisabled {
            self.calls_refused = true;
            self.set_alert(self.strings.call_unavailable);
        }
    }

    pub(super) fn on_voice(&mut self, event: VoiceEvent) {
        match event {
            VoiceEvent::Mic(result) => self.on_mic(result),
            VoiceEvent::Peer(e) => self.on_peer(e),
        }
    }

    fn on_mic(&mut self, result: Result<MediaStream, MicError>) {
        let purpose = self.asking_mic.take();
        let s = self.strings;
        let ringing = |id: &str| {
            self.convo
                .call
                .as_ref()
                .is_some_and(|c| c.id == id && c.phase == CallPhase::Ringing)
        };
        match (purpose, result) {
            (Some(MicFor::Answer(id)), Ok(mic)) if ringing(&id) => {
                self.media = Some(self.new_media(mic, Some(id.clone())));
                if let Some(session) = self.convo.session.clone() {
                    self.send(ClientFrame::CallAccept { session, call: id });
                }
            }
            (Some(MicFor::Start), Ok(mic))
                if self.convo.phase == Phase::Active && self.convo.call.is_none() =>
            {
                let session = self.convo.session.clone().unwrap_or_default();
                self.media = Some(self.new_media(mic, None));
                if !self.send(ClientFrame::CallStart { session }) {
                    self.media = None;
                }
            }
            // Too late (the call ended meanwhile): give it back.
            (_, Ok(mic)) => voice::stop(&mic),
            (purpose, Err(e)) => {
                if let (Some(MicFor::Answer(call)), Some(session)) =
                    (purpose, self.convo.session.clone())
                {
                    self.send(ClientFrame::CallDecline { session, call });
                }
                self.set_alert(match e {
                    MicError::Denied => s.call_mic_denied,
                    _ => s.call_mic_unavailable,
                });
            }
        }
    }

    fn new_media(&self, mic: MediaStream, call: Option<String>) -> Media {
        let meters = Meters::new();
        if let Some(meters) = &meters {
            let (local, remote) = self.view.call_meters();
            meters.set_element(Side::Local, Some(local));
            meters.set_element(Side::Remote, Some(remote));
            meters.set_stream(Side::Local, Some(&mic));
        }
        Media {
            mic,
            meters,
            peer: None,
            call,
            link: Link::Connecting,
            muted: false,
            remote_muted: false,
            connected_at: None,
            early: Vec::new(),
        }
    }

    fn on_peer(&mut self, event: PeerEvent) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        let Some(m) = &mut self.media else { return };
        let Some(call) = m.call.clone() else { return };
        match event {
            PeerEvent::Signal(signal) => {
                self.send(ClientFrame::CallSignal {
                    session,
                    call,
                    signal,
                });
            }
            PeerEvent::Link(link) => {
                m.link = link;
                if link == Link::Connected && m.connected_at.is_none() {
                    m.connected_at = Some(now());
                }
            }
            PeerEvent::Remote(stream) => {
                if let Some(meters) = &m.meters {
                    meters.set_stream(Side::Remote, Some(&stream));
                }
            }
            PeerEvent::NeedCredentials => {
                self.send(ClientFrame::CallCredentials { session, call });
            }
            PeerEvent::Failed => {
                self.convo.call = None;
                self.media = None;
                self.call_notice =
                    Some((self.strings.call_failed.to_string(), now() + NOTICE_TTL_MS));
                self.send(ClientFrame::CallEnd {
                    session,
                    call,
                    reason: Some(CallEndReason::Failed),
                });
            }
        }
    }

    /// Accept: the microphone first; `call.accept` once the browser gave it.
    pub(super) fn call_accept(&mut self) {
        let Some(call) = self.convo.call.as_ref() else {
            return;
        };
        if call.phase == CallPhase::Ringing && self.media.is_none() && self.asking_mic.is_none() {
            self.ask_mic(MicFor::Answer(call.id.clone()));
        }
    }

    pub(super) fn call_decline(&mut self) {
        let (Some(session), Some(call)) = (self.convo.session.clone(), self.convo.call.as_ref())
        else {
            return;
        };
        let call = call.id.clone();
        self.asking_mic = None;
        self.send(ClientFrame::CallDecline { session, call });
    }

    /// "Call": the microphone first; `call.start` once the browser gave it.
    pub(super) fn call_start(&mut self) {
        if self.can_start_call() && self.asking_mic.is_none() {
            self.ask_mic(MicFor::Start);
        }
    }

    pub(super) fn call_mute(&mut self) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        let Some(m) = &mut self.media else { return };
        let Some(call) = m.call.clone() else { return };
        m.muted = !m.muted;
        if let Some(peer) = &m.peer {
            peer.set_muted(m.muted);
        }
        let muted = m.muted;
        self.send(ClientFrame::CallMute {
            session,
            call,
            muted,
        });
    }

    /// Hang up (or cancel our own ringing call): media stops at once.
    pub(super) fn call_hang_up(&mut self) {
        let (Some(session), Some(call)) = (self.convo.session.clone(), self.convo.call.as_ref())
        else {
            return;
        };
        let call = call.id.clone();
        // Gone from the bar at once; the server's `call{ended}` says how it ended.
        self.convo.call = None;
        self.media = None;
        self.send(ClientFrame::CallEnd {
            session,
            call,
            reason: None,
        });
    }

    /// Leaving the page ends the call: the peer connection cannot follow.
    pub(super) fn call_page_hide(&mut self) {
        if self.media.as_ref().is_some_and(|m| m.call.is_some()) {
            self.call_hang_up();
        }
    }

    pub(super) fn can_start_call(&self) -> bool {
        self.options.call_button
            && !self.calls_refused
            && self.convo.phase == Phase::Active
            && self.convo.call.is_none()
            && self.media.is_none()
    }

    fn ask_mic(&mut self, purpose: MicFor) {
        self.asking_mic = Some(purpose);
        let d = self.dispatcher.clone();
        spawn_local(async move {
            let result = voice::microphone().await;
            d.send(Input::Voice(VoiceEvent::Mic(result)));
        });
    }

    /// Media follows the call: part of `settle`.
    pub(super) fn sync_call(&mut self) {
        let live = self.convo.call.as_ref().map(|c| c.id.as_str());
        let stale = self
            .media
            .as_ref()
            .is_some_and(|m| m.call.is_some() && m.call.as_deref() != live);
        if stale || self.convo.phase == Phase::Ended {
            self.media = None;
        }
        if self
            .call_notice
            .as_ref()
            .is_some_and(|(_, until)| *until <= now())
        {
            self.call_notice = None;
        }
    }

    /// When the call bar's clock next changes (each second while connected).
    pub(super) fn call_deadline(&self) -> Option<f64> {
        let tick = self.media.as_ref().and_then(|m| m.connected_at).map(|at| {
            let t = now();
            t + 1000.0 - (t - at) % 1000.0
        });
        let notice = self.call_notice.as_ref().map(|(_, until)| *until);
        [tick, notice].into_iter().flatten().reduce(f64::min)
    }
}

/// What the call UI shows. A free function over the fields it reads, so
/// the scene can borrow them while the view is rendered.
pub(super) fn scene<'a>(
    convo: &'a Conversation,
    media: Option<&Media>,
    asking_mic: bool,
    notice: Option<&'a (String, f64)>,
    can_start: bool,
) -> CallScene<'a> {
    CallScene {
        info: convo.call.as_ref(),
        media: media.map(|m| MediaScene {
            link: m.link,
            muted: m.muted,
            remote_muted: m.remote_muted,
            connected_for: m.connected_at.map(|at| now() - at),
        }),
        asking_mic,
        notice: notice.map(|(text, _)| text.as_str()),
        can_start: can_start && !asking_mic,
    }
}
