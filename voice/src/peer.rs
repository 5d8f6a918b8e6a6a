//! One side of a call: an `RTCPeerConnection` sending the microphone and
//! playing the other side, negotiated with the "perfect negotiation"
//! pattern so either side may (re)negotiate at any time. On a collision the
//! polite side (the visitor) rolls its own offer back and answers; the
//! impolite side (the agent) ignores the offer that collided with its own.
//!
//! The peer never calls back synchronously from its own methods: every
//! [`PeerEvent`] comes from a browser event, a timer or a settled promise,
//! so an app may call the peer while holding its own state.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Date, Object};
use protocol::{IceServer, SdpType, Signal};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::Element;

use crate::health::{Action, Health, Link};
use crate::js::{self, MediaElement, MediaStream, PeerConnection, RtpSender, get, set};

/// Ask for fresh ICE servers before a restart when the current ones expire
/// sooner than this: a restart may need the TURN server again.
const CREDENTIALS_MARGIN_MS: f64 = 30_000.0;

/// What the peer tells its app.
#[derive(Debug)]
pub enum PeerEvent {
    /// Send this to the other side (`call.signal`).
    Signal(Signal),
    /// The network path changed state.
    Link(Link),
    /// The other side's audio arrived (it is already playing): meter it.
    Remote(MediaStream),
    /// An ICE restart waits for fresh ICE servers (`call.credentials`);
    /// hand them to [`Peer::set_ice_servers`].
    NeedCredentials,
    /// No network path: end the call with reason `failed`.
    Failed,
}

type Handler = Closure<dyn FnMut(web_sys::Event)>;

pub struct Peer {
    inner: Rc<Inner>,
}

struct Inner {
    pc: PeerConnection,
    polite: bool,
    /// Perfect negotiation's two flags.
    making_offer: Cell<bool>,
    ignore_offer: Cell<bool>,
    health: RefCell<Health>,
    /// When the current ICE servers' TURN credentials stop working.
    expires_at: Cell<f64>,
    /// A restart is waiting for fresh credentials.
    restart_waits: Cell<bool>,
    /// Set once the microphone's track is on the connection (see `start`).
    sender: RefCell<Option<RtpSender>>,
    mic: MediaStream,
    track: JsValue,
    muted: Cell<bool>,
    /// Local candidates gathered, to tell "no path at all" early.
    candidates: Cell<u32>,
    audio: MediaElement,
    emit: Box<dyn Fn(PeerEvent)>,
    /// The link state last reported.
    shown: Cell<Option<Link>>,
    timer: Closure<dyn FnMut()>,
    timer_handle: Cell<Option<i32>>,
    handlers: RefCell<Vec<(&'static str, Handler)>>,
}

impl Peer {
    /// Starts the connection: sends `mic` and plays what comes back in an
    /// `<audio autoplay>` added to `audio_parent` (removed with the peer).
    pub fn start(
        polite: bool,
        ice_servers: &[IceServer],
        expires_at: f64,
        mic: &MediaStream,
        audio_parent: &Element,
        emit: impl Fn(PeerEvent) + 'static,
    ) -> Result<Peer, JsValue> {
        let pc = PeerConnection::new(&config(ice_servers))?;
        let track = mic.get_tracks().get(0);
        // The impolite side sends its microphone (and so makes the first
        // offer) at once; the polite side adds it to its answer. With both
        // offering at once every call would start with a collision, and a
        // rolled-back offer can leave Chromium without relay candidates.
        let sender = (!polite).then(|| pc.add_track(&track, mic));
        let audio = audio_parent
            .owner_document()
            .ok_or(JsValue::NULL)?
            .create_element("audio")?
            .unchecked_into::<MediaElement>();
        let _ = audio.set_attribute("autoplay", "");
        let _ = audio_parent.append_child(&audio);
        let inner = Rc::new_cyclic(|weak: &Weak<Inner>| {
            let w = weak.clone();
            Inner {
                pc,
                polite,
                making_offer: Cell::new(false),
                ignore_offer: Cell::new(false),
                health: RefCell::new(Health::new(Date::now())),
                expires_at: Cell::new(expires_at),
                restart_waits: Cell::new(false),
                sender: RefCell::new(sender),
                mic: mic.clone(),
                track,
                muted: Cell::new(false),
                candidates: Cell::new(0),
                audio,
                emit: Box::new(emit),
                shown: Cell::new(None),
                timer: Closure::new(move || {
                    if let Some(i) = w.upgrade() {
                        i.timer_handle.set(None);
                        let action = i.health.borrow_mut().on_time(Date::now());
                        i.act(action);
                    }
                }),
                timer_handle: Cell::new(None),
                handlers: RefCell::new(Vec::new()),
            }
        });
        let weak = Rc::downgrade(&inner);
        let on = |kind: &'static str, f: fn(&Rc<Inner>, web_sys::Event)| {
            let w = weak.clone();
            let handler: Handler = Closure::new(move |e: web_sys::Event| {
                if let Some(i) = w.upgrade() {
                    f(&i, e)
                }
            });
            let _ = inner
                .pc
                .add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
            inner.handlers.borrow_mut().push((kind, handler));
        };
        on("negotiationneeded", |i, _| negotiate(i));
        on("icecandidate", Inner::on_candidate);
        on("track", Inner::on_track);
        on("iceconnectionstatechange", |i, _| {
            let action = i
                .health
                .borrow_mut()
                .on_ice(&i.pc.ice_connection_state(), Date::now());
            i.act(action);
        });
        inner.arm_timer();
        Ok(Peer { inner })
    }

    /// Signaling from the other side.
    pub fn on_signal(&self, signal: Signal) {
        let i = &self.inner;
        match signal {
            Signal::Description { sdp_type, sdp } => {
                let offer = sdp_type == SdpType::Offer;
                let collision =
                    offer && (i.making_offer.get() || i.pc.signaling_state() != "stable");
                i.ignore_offer.set(!i.polite && collision);
                if i.ignore_offer.get() {
                    return;
                }
                let description = Object::new();
                set(&description, "type", sdp_type_name(sdp_type));
                set(&description, "sdp", sdp);
                let inner = Rc::clone(i);
                spawn_local(async move {
                    // A polite peer with an offer of its own out rolls it
                    // back implicitly here.
                    let applied = JsFuture::from(inner.pc.set_remote_description(&description));
                    if applied.await.is_ok() && offer {
                        inner.add_mic();
                        inner.send_local_description().await;
                    }
                });
            }
            Signal::Candidate {
                candidate,
                sdp_mid,
                sdp_mline_index,
                username_fragment,
            } => {
                let init = Object::new();
                set(&init, "candidate", candidate);
                if let Some(mid) = sdp_mid {
                    set(&init, "sdpMid", mid);
                }
                if let Some(index) = sdp_mline_index {
                    set(&init, "sdpMLineIndex", index);
                }
                if let Some(ufrag) = username_fragment {
                    set(&init, "usernameFragment", ufrag);
                }
                // Candidates of an offer we ignored fail to apply: expected.
                let added = JsFuture::from(i.pc.add_ice_candidate(&init));
                spawn_local(async move {
                    let _ = added.await;
                });
            }
            // Chromium needs no end-of-candidates mark, and it would need an
            // m-line to apply to.
            Signal::EndOfCandidates => {}
        }
    }

    /// Stops or resumes sending audio. A muted side sends no RTP at all
    /// (`replaceTrack(null)`), not silence.
    pub fn set_muted(&self, muted: bool) {
        self.inner.muted.set(muted);
        self.inner.apply_mute();
    }

    /// Fresh ICE servers (`call.credentials`); a restart waiting for them goes ahead.
    pub fn set_ice_servers(&self, ice_servers: &[IceServer], expires_at: f64) {
        let i = &self.inner;
        i.expires_at.set(expires_at);
        let _ = i.pc.set_configuration(&config(ice_servers));
        if i.restart_waits.replace(false) {
            i.pc.restart_ice();
        }
    }

    pub fn link(&self) -> Link {
        self.inner.health.borrow().link
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let i = &self.inner;
        i.pc.close();
        for (kind, handler) in i.handlers.borrow_mut().drain(..) {
            let _ =
                i.pc.remove_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
        }
        if let Some(h) = i.timer_handle.take() {
            js::clear_timeout(h);
        }
        i.audio.set_src_object(None);
        i.audio.remove();
    }
}

/// `negotiationneeded`: make an offer (or, mid-collision, whatever the
/// signaling state calls for) and send it.
fn negotiate(inner: &Rc<Inner>) {
    let inner = Rc::clone(inner);
    spawn_local(async move {
        inner.making_offer.set(true);
        inner.send_local_description().await;
        inner.making_offer.set(false);
    });
}

impl Inner {
    /// The polite side's microphone goes on the connection with its first answer.
    fn add_mic(&self) {
        if self.sender.borrow().is_none() {
            let sender = self.pc.add_track(&self.track, &self.mic);
            *self.sender.borrow_mut() = Some(sender);
            if self.muted.get() {
                self.apply_mute();
            }
        }
    }

    fn apply_mute(&self) {
        let Some(sender) = self.sender.borrow().clone() else {
            return;
        };
        let track = if self.muted.get() {
            JsValue::NULL
        } else {
            self.track.clone()
        };
        let replaced = JsFuture::from(sender.replace_track(&track));
        spawn_local(async move {
            let _ = replaced.await;
        });
    }

    async fn send_local_description(&self) {
        if JsFuture::from(self.pc.set_local_description())
            .await
            .is_err()
        {
            return;
        }
        let d = self.pc.local_description();
        let sdp_type = get(&d, "type").as_string().and_then(|t| parse_sdp_type(&t));
        if let (Some(sdp_type), Some(sdp)) = (sdp_type, get(&d, "sdp").as_string()) {
            (self.emit)(PeerEvent::Signal(Signal::Description { sdp_type, sdp }));
        }
    }

    fn on_candidate(self: &Rc<Self>, e: web_sys::Event) {
        let c = get(&e, "candidate");
        let line = get(&c, "candidate").as_string().unwrap_or_default();
        if line.is_empty() {
            (self.emit)(PeerEvent::Signal(Signal::EndOfCandidates));
            let action = self.health.borrow_mut().on_gathered(self.candidates.get());
            self.act(action);
            return;
        }
        self.candidates.set(self.candidates.get() + 1);
        (self.emit)(PeerEvent::Signal(Signal::Candidate {
            candidate: line,
            sdp_mid: get(&c, "sdpMid").as_string(),
            sdp_mline_index: get(&c, "sdpMLineIndex").as_f64().map(|n| n as u16),
            username_fragment: get(&c, "usernameFragment").as_string(),
        }));
    }

    fn on_track(self: &Rc<Self>, e: web_sys::Event) {
        let stream = js_sys::Array::from(&get(&e, "streams")).get(0);
        if let Some(stream) = stream.dyn_ref::<MediaStream>() {
            self.audio.set_src_object(Some(stream));
            (self.emit)(PeerEvent::Remote(stream.clone()));
        }
    }

    /// Carries out what the health check decided, then re-arms its timer.
    fn act(&self, action: Option<Action>) {
        let link = self.health.borrow().link;
        match action {
            Some(Action::RestartIce) => {
                if self.expires_at.get() - Date::now() < CREDENTIALS_MARGIN_MS {
                    self.restart_waits.set(true);
                    (self.emit)(PeerEvent::NeedCredentials);
                } else {
                    self.pc.restart_ice();
                }
            }
            Some(Action::GiveUp) => (self.emit)(PeerEvent::Failed),
            None => {}
        }
        if self.shown.replace(Some(link)) != Some(link) {
            (self.emit)(PeerEvent::Link(link));
        }
        self.arm_timer();
    }

    fn arm_timer(&self) {
        if let Some(h) = self.timer_handle.take() {
            js::clear_timeout(h);
        }
        if let Some(at) = self.health.borrow().deadline() {
            let delay = (at - Date::now()).max(0.0) as i32;
            self.timer_handle.set(Some(js::set_timeout(
                self.timer.as_ref().unchecked_ref(),
                delay,
            )));
        }
    }
}

/// RTCConfiguration with these ICE servers (field names match RTCIceServer).
fn config(ice_servers: &[IceServer]) -> JsValue {
    // Not `json!`: its `unwrap` would link serde_json's error formatting
    // into the widget (kilobytes) for an error that cannot happen.
    let servers = serde_json::to_string(ice_servers).unwrap_or_else(|_| "[]".into());
    js_sys::JSON::parse(&format!(r#"{{"iceServers":{servers}}}"#))
        .unwrap_or_else(|_| Object::new().into())
}

/// The spelling of `RTCSessionDescription.type` (and of the protocol).
pub fn sdp_type_name(t: SdpType) -> &'static str {
    match t {
        SdpType::Offer => "offer",
        SdpType::Answer => "answer",
        SdpType::Pranswer => "pranswer",
        SdpType::Rollback => "rollback",
    }
}

fn parse_sdp_type(s: &str) -> Option<SdpType> {
    [
        SdpType::Offer,
        SdpType::Answer,
        SdpType::Pranswer,
        SdpType::Rollback,
    ]
    .into_iter()
    .find(|t| sdp_type_name(*t) == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdp_types_read_back_as_written() {
        for t in [
            SdpType::Offer,
            SdpType::Answer,
            SdpType::Pranswer,
            SdpType::Rollback,
        ] {
            assert_eq!(parse_sdp_type(sdp_type_name(t)), Some(t));
            // The same spelling as the protocol's serde.
            assert_eq!(
                serde_json::to_value(t).unwrap(),
                serde_json::json!(sdp_type_name(t))
            );
        }
        assert_eq!(parse_sdp_type("nonsense"), None);
    }
}
