//! Asking for help and waiting in line: the `help.request` (sent once per
//! connection until a session answers it), the place in line from
//! `queue.position`, and cancelling.

use protocol::{ClientEnvelope, ClientFrame};

use super::chat::clip;
use super::core::App;
use crate::browser::{self, now};
use crate::state::Place;

impl App {
    pub(super) fn on_queue_position(&mut self, session: &str, place: Place) {
        self.convo.apply_place(session, place);
    }

    pub(super) fn request_help(&mut self, topic: Option<String>, message: String) {
        let message = clip(message.trim());
        if message.is_empty() {
            return;
        }
        let client_id = self.next_client_id();
        self.convo
            .request_help(topic, message, client_id, now() as i64);
        self.send_request();
    }

    /// Sends the pending `help.request`, once per connection.
    pub(super) fn send_request(&mut self) {
        let Some(request) = &self.convo.request else {
            return;
        };
        if request.sent || !self.link.welcomed {
            return;
        }
        let rid = self.next_rid;
        self.next_rid += 1;
        let frame = ClientFrame::HelpRequest {
            topic: request.topic.clone(),
            message: request.message.clone(),
            // The first message is matched through `via_request` instead.
            client_id: None,
            page: Some(browser::page_info()),
        };
        if self.link.send(&ClientEnvelope {
            rid: Some(rid),
            ..ClientEnvelope::new(frame)
        }) {
            self.request_rid = Some(rid);
            if let Some(r) = &mut self.convo.request {
                r.sent = true;
            }
        }
    }

    pub(super) fn cancel_request(&mut self) {
        if let Some(session) = self.convo.dismiss() {
            // Offline: the next `welcome` still lists it and we cancel then.
            self.send(ClientFrame::HelpCancel { session });
        }
        self.request_rid = None;
        self.typing = Default::default();
        self.view.focus_input();
    }
}
