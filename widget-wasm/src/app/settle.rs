//! What follows from the state after every batch of inputs ([`App::settle`]):
//! receipts due, capture and call media started or stopped, the SDK
//! `status` event, the DOM, the next timer deadline. Handlers therefore
//! only change state and send what the protocol requires.

use super::call;
use super::core::App;
use crate::state::Status;
use crate::view::Scene;

impl App {
    /// Everything that follows from the state after a batch of inputs.
    pub(super) fn settle(&mut self) {
        self.send_receipts();
        self.sync_capture();
        self.sync_call();
        if self.ready {
            let status = self.convo.status();
            if self.last_status.as_ref() != Some(&status) {
                self.emitter.emit("status", &status_fields(&status));
                self.last_status = Some(status);
            }
        }
        let can_start_call = self.can_start_call();
        let scene = Scene {
            convo: &self.convo,
            open: self.open,
            unread: self.unread,
            agent_typing: self.agent_typing_until.is_some(),
            // A first attempt still in progress is not worth a warning.
            offline: !self.link.welcomed && self.link.failures > 0,
            ever_connected: self.ready,
            alert: self.alert.map(|(text, _)| text),
            call: call::scene(
                &self.convo,
                self.media.as_ref(),
                self.asking_mic.is_some(),
                self.call_notice.as_ref(),
                can_start_call,
            ),
            proposal: self.proposal.as_ref(),
            page_prompt: self.page_prompt.as_ref(),
        };
        self.view.render(&scene);
        let deadline = [
            self.link.reconnect_at,
            self.typing.deadline(),
            self.agent_typing_until,
            self.alert.map(|(_, until)| until),
            self.call_deadline(),
        ]
        .into_iter()
        .flatten()
        .reduce(f64::min);
        self.timer.schedule(deadline);
    }
}

/// The SDK's `status` event: only the fields that apply.
fn status_fields(s: &Status) -> Vec<(&'static str, wasm_bindgen::JsValue)> {
    let mut v = vec![("state", s.phase.as_str().into())];
    v.extend(s.position.map(|p| ("position", p.into())));
    v.extend(s.eta_secs.map(|secs| ("eta_secs", secs.into())));
    v.extend(
        s.unavailable
            .map(|why| ("unavailable", why.as_str().into())),
    );
    v.extend(s.callback.map(|kind| ("callback", kind.into())));
    v.extend(s.agent.as_deref().map(|a| ("agent", a.into())));
    v
}
