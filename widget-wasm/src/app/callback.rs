//! When nobody can answer soon: the visitor books a call back (an email
//! answer, a phone call, or an answer here in the browser) instead of
//! waiting in line.

use protocol::{Callback, ClientFrame};

use super::core::App;
use crate::browser::now;
use crate::view::callback::Draft;

impl App {
    /// The call-back form: checked here first so the visitor hears of a
    /// typo at once, in their language; the server checks again.
    pub(super) fn send_callback(&mut self) {
        let s = self.strings;
        let callback = match self.view.callback_draft() {
            None => return,
            Some(Draft::Email(email)) => Callback::Message { email },
            Some(Draft::Phone(phone, when)) => {
                // `datetime-local` gives the visitor's local time; Date reads it so.
                let at = (!when.is_empty())
                    .then(|| js_sys::Date::new(&when.into()).get_time())
                    .filter(|t| t.is_finite())
                    .map(|t| t as i64);
                Callback::Phone { phone, at }
            }
        };
        let problem = match &callback {
            Callback::Message { .. } if callback.validate_contact().is_err() => {
                Some(s.callback_bad_email)
            }
            Callback::Phone { .. } if callback.validate_contact().is_err() => {
                Some(s.callback_bad_phone)
            }
            _ if callback.validate(now() as i64).is_err() => Some(s.callback_bad_time),
            _ => None,
        };
        match problem {
            Some(text) => self.view.set_callback_error(text),
            None => self.request_callback(callback),
        }
    }

    pub(super) fn request_callback(&mut self, callback: Callback) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        let sent = self.send(ClientFrame::CallbackRequest { session, callback });
        // Offline, nothing went out: say so rather than pretend.
        let error = if sent { "" } else { self.strings.reconnecting };
        self.view.set_callback_error(error);
    }
}
