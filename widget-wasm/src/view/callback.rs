//! When nobody can answer soon: the offer to be answered by email or called
//! back (by phone, at a chosen time, or here in the browser), its small form,
//! and once sent, what the visitor can expect.

use protocol::{Callback, Unavailable};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement};

use super::dom::{append, attr, button, child, set_text, show};
use crate::dispatcher::Dispatcher;
use crate::i18n::{Strings, fill};
use crate::input::{Input, UiEvent};
use crate::listener::Listener;

pub struct CallbackView {
    away: Element,
    reason: Element,
    form: Element,
    email_row: Element,
    email: HtmlInputElement,
    phone_row: Element,
    phone: HtmlInputElement,
    when: HtmlInputElement,
    error: Element,
    /// Which form is open: None (just the offer), Some(false) email, Some(true) phone.
    open: Option<bool>,
}

/// What the visitor typed in the form, before checking.
pub enum Draft {
    Email(String),
    /// The number and the chosen local time (`YYYY-MM-DDTHH:MM`, or empty).
    Phone(String, String),
}

impl CallbackView {
    /// Built inside the waiting box, above its Cancel link.
    pub fn build(
        doc: &Document,
        s: &Strings,
        parent: &Element,
        dispatcher: &Dispatcher,
        listeners: &mut Vec<Listener>,
    ) -> CallbackView {
        let ui = |e: UiEvent| {
            let d = dispatcher.clone();
            move |ev: web_sys::Event| {
                ev.prevent_default();
                d.send(Input::Ui(e))
            }
        };
        let away = child(doc, parent, "div", "away");
        attr(&away, "data-testid", "tandem-away");
        attr(&away, "hidden", "");
        let reason = child(doc, &away, "p", "away-text");
        let choices = child(doc, &away, "div", "away-choices");
        let by_email = button(doc, "chip", s.away_email);
        attr(&by_email, "data-testid", "tandem-away-email");
        append(&choices, &by_email);
        let by_phone = button(doc, "chip", s.away_call);
        attr(&by_phone, "data-testid", "tandem-away-call");
        append(&choices, &by_phone);

        let form = child(doc, &away, "form", "away-form");
        attr(&form, "hidden", "");
        attr(&form, "novalidate", "");
        let field = |parent: &Element, label: &str, kind: &str, id: &str| {
            let row = child(doc, parent, "label", "away-field");
            set_text(&child(doc, &row, "span", "label"), label);
            let input: HtmlInputElement = child(doc, &row, "input", "away-input").unchecked_into();
            attr(&input, "type", kind);
            attr(&input, "data-testid", id);
            (row, input)
        };
        let (email_row, email) = field(
            &form,
            s.callback_email_label,
            "email",
            "tandem-callback-email",
        );
        attr(&email, "autocomplete", "email");
        attr(&email, "maxlength", "200");
        // The number and the time show and hide together.
        let phone_row = child(doc, &form, "div", "");
        let (_, phone) = field(
            &phone_row,
            s.callback_phone_label,
            "tel",
            "tandem-callback-phone",
        );
        attr(&phone, "autocomplete", "tel");
        attr(
            &phone,
            "maxlength",
            &protocol::callback::MAX_PHONE_CHARS.to_string(),
        );
        let (_, when) = field(
            &phone_row,
            s.callback_when_label,
            "datetime-local",
            "tandem-callback-when",
        );
        let error = child(doc, &form, "p", "away-error");
        attr(&error, "role", "alert");
        attr(&error, "data-testid", "tandem-callback-error");
        let send = button(doc, "primary", s.callback_send);
        attr(&send, "type", "submit");
        attr(&send, "data-testid", "tandem-callback-send");
        append(&form, &send);
        let browser = button(doc, "link", s.callback_browser);
        attr(&browser, "data-testid", "tandem-callback-browser");
        append(&form, &browser);

        listeners.push(Listener::new(
            &by_email,
            "click",
            ui(UiEvent::CallbackChoose { phone: false }),
        ));
        listeners.push(Listener::new(
            &by_phone,
            "click",
            ui(UiEvent::CallbackChoose { phone: true }),
        ));
        listeners.push(Listener::new(&form, "submit", ui(UiEvent::CallbackSend)));
        // A correction makes the last complaint stale.
        listeners.push(Listener::new(&form, "input", {
            let error = error.clone();
            move |_: web_sys::Event| set_text(&error, "")
        }));
        listeners.push(Listener::new(
            &browser,
            "click",
            ui(UiEvent::CallbackBrowser),
        ));
        CallbackView {
            away,
            reason,
            form,
            email_row,
            email,
            phone_row,
            phone,
            when,
            error,
            open: None,
        }
    }

    /// Shows the offer while `unavailable`, hides it otherwise.
    pub fn render(&mut self, s: &Strings, unavailable: Option<Unavailable>) {
        show(&self.away, unavailable.is_some());
        let Some(why) = unavailable else {
            self.open = None;
            return;
        };
        set_text(
            &self.reason,
            match why {
                Unavailable::NoAgents => s.away_no_agents,
                Unavailable::Closed => s.away_closed,
                Unavailable::LongWait => s.away_long_wait,
                Unavailable::QueueFull => s.away_queue_full,
            },
        );
        show(&self.form, self.open.is_some());
        show(&self.email_row, self.open == Some(false));
        show(&self.phone_row, self.open == Some(true));
    }

    /// Opens the email (false) or phone (true) form and focuses its field.
    pub fn choose(&mut self, phone: bool) {
        self.open = Some(phone);
        self.set_error("");
        show(&self.form, true);
        show(&self.email_row, !phone);
        show(&self.phone_row, phone);
        if phone {
            // The earliest time the picker offers is now.
            let now = js_sys::Date::new_0();
            let local = now.get_time() - now.get_timezone_offset() * 60_000.0;
            let iso = js_sys::Date::new(&local.into()).to_iso_string();
            let min: String = String::from(iso).chars().take(16).collect();
            attr(&self.when, "min", &min);
            let _ = self.phone.focus();
        } else {
            let _ = self.email.focus();
        }
    }

    /// What the open form holds.
    pub fn draft(&self) -> Option<Draft> {
        match self.open? {
            false => Some(Draft::Email(self.email.value().trim().to_string())),
            true => Some(Draft::Phone(
                self.phone.value().trim().to_string(),
                self.when.value(),
            )),
        }
    }

    pub fn set_error(&self, text: &str) {
        set_text(&self.error, text);
    }
}

/// What the waiting box says once a call back is booked.
pub fn booked_text(s: &Strings, callback: &Callback, locale: &str) -> String {
    match callback {
        Callback::Message { email } => fill(s.booked_message, email),
        Callback::Phone { phone, at } => {
            let mut text = fill(s.booked_phone, phone);
            if let Some(at) = at {
                let options = js_sys::Object::new();
                let set = |k: &str, v: &str| {
                    let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
                };
                set("dateStyle", "medium");
                set("timeStyle", "short");
                let when =
                    js_sys::Date::new(&(*at as f64).into()).to_locale_string(locale, &options);
                text.push(' ');
                text.push_str(&fill(s.booked_at, String::from(when)));
            }
            text
        }
        Callback::Browser => s.booked_browser.to_string(),
    }
}
