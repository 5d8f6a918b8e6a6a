//! Co-browsing (screen sharing): consent (nothing is shared without the
//! visitor's yes, and it shows while it lasts), starting and
//! stopping the capture, and the agent's pointer and highlights.
//!
//! The server owns the state (`off`, `requested`, `active`); the widget
//! answers for the visitor and captures only in the tab where the visitor
//! said yes. That tab remembers it in sessionStorage (the session id under
//! `tandem.<site>.share`), so on the next page of the site, once `welcome`
//! says sharing is still active, capture resumes with a keyframe and no
//! new request. Other tabs of the same visitor show the banner only.

use protocol::{ClientFrame, ShareState};

use super::core::App;
use crate::browser::Store;
use crate::capture::Capture;
use crate::input::CaptureEvent;
use crate::state::Phase;

impl App {
    /// `cobrowse{session, state}` from the server.
    pub(super) fn on_cobrowse(&mut self, session: &str, state: ShareState) {
        if !self.convo.apply_share(session, state) {
            return;
        }
        match state {
            // The visitor must see the question: open the panel (without
            // taking focus from what they are doing).
            ShareState::Requested => self.set_open(true, false),
            ShareState::Off => self.share_asked = false,
            ShareState::Active => {
                if std::mem::take(&mut self.share_asked) {
                    // The visitor said yes in this tab: this tab shares,
                    // here and on the next pages.
                    Store::Session.set(&self.options.share_key(), session);
                }
            }
        }
    }

    /// "Allow" on the agent's request.
    pub(super) fn share_allow(&mut self) {
        self.start_sharing();
    }

    /// "Share my screen".
    pub(super) fn share_start(&mut self) {
        if self.convo.share == ShareState::Off {
            self.start_sharing();
        }
    }

    fn start_sharing(&mut self) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        if self.convo.phase != Phase::Active {
            return;
        }
        // Capture starts in this tab when the server confirms with
        // `cobrowse{active}`.
        self.share_asked = self.send(ClientFrame::CobrowseStart { session });
    }

    /// "Deny" on the agent's request.
    pub(super) fn share_deny(&mut self) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        if self.convo.share == ShareState::Requested
            && self.send(ClientFrame::CobrowseDeny {
                session: session.clone(),
            })
        {
            self.convo.apply_share(&session, ShareState::Off);
        }
    }

    /// "Stop" on the banner: capture stops at once, before the server answers.
    pub(super) fn share_stop(&mut self) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        self.convo.apply_share(&session, ShareState::Off);
        self.capture = None;
        self.send(ClientFrame::CobrowseStop { session });
    }

    fn forget_share(&mut self) {
        Store::Session.remove(&self.options.share_key());
    }

    /// Whether this tab should be capturing now.
    fn should_capture(&self) -> bool {
        let Some(session) = &self.convo.session else {
            return false;
        };
        self.link.welcomed
            && self.convo.phase == Phase::Active
            && self.convo.share == ShareState::Active
            && Store::Session.get(&self.options.share_key()).as_deref() == Some(session.as_str())
    }

    /// Starts or stops capture to match the state; part of `settle`.
    pub(super) fn sync_capture(&mut self) {
        let want = self.should_capture();
        if want && self.capture.is_none() {
            let session = self.convo.session.clone().expect("sharing needs a session");
            self.capture = Some(Capture::start(
                self.dispatcher.clone(),
                session,
                self.options.epoch_key(),
                self.mask.joined(),
                self.passwords.seen.clone(),
                self.view.host(),
            ));
        } else if !want && self.capture.is_some() {
            self.capture = None;
        }
        if self.capture.is_none() {
            // Its fields were this capture's: the push can no longer apply.
            self.proposal = None;
        }
        if self.capture.is_none() && self.view.overlay.is_active() {
            self.view.overlay.clear();
        }
        // Only once the server told us the state (first `welcome`).
        if self.ready && self.shown_share != Some(self.convo.share) {
            if self.convo.share == ShareState::Off {
                // Stopped, denied, or the session ended: the next page
                // must not resume sharing.
                self.forget_share();
            }
            let state = match self.convo.share {
                ShareState::Off => "off",
                ShareState::Requested => "requested",
                ShareState::Active => "active",
            };
            // No event for the initial "off": nothing happened yet.
            if self.shown_share.is_some() || self.convo.share != ShareState::Off {
                self.emitter.emit("share", &[("state", state.into())]);
            }
            self.shown_share = Some(self.convo.share);
        }
    }

    pub(super) fn on_keyframe_request(&mut self, session: &str) {
        if self.is_ours(session)
            && let Some(c) = &mut self.capture
        {
            c.request_keyframe();
        }
    }

    /// The agent's pointer moved (node absent: hide it).
    pub(super) fn on_pointer(&mut self, session: &str, at: Option<(u32, f32, f32)>) {
        if !self.is_ours(session) {
            return;
        }
        let Some(c) = &self.capture else { return };
        self.view.overlay.point(at, &|id| c.element(id));
    }

    pub(super) fn on_highlight(&mut self, session: &str, node: u32, label: Option<&str>) {
        if !self.is_ours(session) {
            return;
        }
        let Some(el) = self.capture.as_ref().and_then(|c| c.element(node)) else {
            return;
        };
        self.view.overlay.highlight(node, label, &el);
    }

    pub(super) fn on_highlight_clear(&mut self, session: &str) {
        if self.is_ours(session) {
            self.view.overlay.clear_highlights();
        }
    }

    /// Site selectors changed (`Tandem.mask`): a capture in progress resends
    /// the page under the new rules.
    pub(super) fn add_mask(&mut self, selector: &str) {
        if self.mask.add(selector)
            && let Some(c) = &mut self.capture
        {
            c.set_selectors(self.mask.joined());
        }
    }

    pub(super) fn on_capture(&mut self, event: CaptureEvent) {
        let Some(c) = &mut self.capture else { return };
        let follow = matches!(
            event,
            CaptureEvent::Frame | CaptureEvent::Scroll(_) | CaptureEvent::Resize
        );
        c.handle(event, &self.link);
        if follow && self.view.overlay.is_active() {
            self.view.overlay.reposition(&|id| c.element(id));
        }
    }
}
