//! Asking for help and waiting in line, in the UI: the start form (greeting,
//! topic menu, the slot the message box sits in, "Request help") and the
//! waiting box (place in line and estimate, the call-back offer, Cancel).

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlSelectElement};

use super::callback::{self, CallbackView};
use super::dom::{append, attr, button, child, el, on_click, remove_attr, set_attr, set_text};
use super::icons;
use crate::dispatcher::Dispatcher;
use crate::i18n::{Strings, fill};
use crate::input::UiEvent;
use crate::listener::Listener;
use crate::options::Options;
use crate::state::{Conversation, Phase};

/// The idle state's card: greeting, topic menu, the slot the message box
/// sits in before a request, and "Request help".
pub struct StartForm {
    pub intro: Element,
    /// Where the message box sits before a request.
    pub slot: Element,
    topic: Option<HtmlSelectElement>,
}

impl StartForm {
    pub fn build(
        doc: &Document,
        s: &Strings,
        options: &Options,
        dispatcher: &Dispatcher,
        listeners: &mut Vec<Listener>,
    ) -> StartForm {
        let intro = el(doc, "div", "intro");
        set_text(&child(doc, &intro, "p", "greeting"), s.greeting);
        set_text(&child(doc, &intro, "p", "lead"), s.intro);
        let topic = (!options.topics.is_empty()).then(|| {
            let field = child(doc, &intro, "div", "field");
            let label = child(doc, &field, "label", "label");
            attr(&label, "for", "tw-topic");
            set_text(&label, s.topic_label);
            let wrap = child(doc, &field, "div", "select-wrap");
            let select: HtmlSelectElement = child(doc, &wrap, "select", "select").unchecked_into();
            let chevron = icons::icon(doc, icons::CHEVRON_DOWN, 14);
            attr(&chevron, "class", "select-chevron");
            append(&wrap, &chevron);
            attr(&select, "id", "tw-topic");
            attr(&select, "data-testid", "tandem-topic");
            let none = child(doc, &select, "option", "");
            attr(&none, "value", "");
            set_text(&none, s.topic_placeholder);
            for t in &options.topics {
                let option = child(doc, &select, "option", "");
                attr(&option, "value", &t.id);
                set_text(&option, &t.label);
            }
            select
        });
        let slot = child(doc, &intro, "div", "compose-slot");
        let request = button(doc, "primary request", s.request);
        attr(&request, "data-testid", "tandem-request");
        append(&intro, &request);
        listeners.push(on_click(&request, dispatcher, UiEvent::Submit));
        StartForm { intro, slot, topic }
    }

    /// The chosen topic id, if any.
    pub fn topic(&self) -> Option<String> {
        self.topic
            .as_ref()
            .map(|t| t.value())
            .filter(|v| !v.is_empty())
    }
}

/// The waiting box: a spinner, where the request stands, the call-back
/// offer when nobody can answer soon, and Cancel.
pub struct QueueView {
    text: Element,
    /// The call-back offer, inside the box.
    pub callback: CallbackView,
    locale: &'static str,
}

impl QueueView {
    pub fn build(
        doc: &Document,
        s: &Strings,
        body: &Element,
        locale: &'static str,
        dispatcher: &Dispatcher,
        listeners: &mut Vec<Listener>,
    ) -> QueueView {
        let queue = child(doc, body, "div", "queue");
        attr(&queue, "role", "status");
        attr(&queue, "aria-live", "polite");
        attr(
            &child(doc, &queue, "span", "spinner"),
            "aria-hidden",
            "true",
        );
        let queue_box = child(doc, &queue, "div", "");
        let text = child(doc, &queue_box, "p", "queue-text");
        attr(&text, "data-testid", "tandem-queue-status");
        set_text(&child(doc, &queue_box, "p", "queue-hint"), s.queue_hint);
        let callback = CallbackView::build(doc, s, &queue_box, dispatcher, listeners);
        let cancel = button(doc, "link", s.cancel);
        attr(&cancel, "data-testid", "tandem-cancel");
        append(&queue_box, &cancel);
        listeners.push(on_click(&cancel, dispatcher, UiEvent::CancelRequest));
        QueueView {
            text,
            callback,
            locale,
        }
    }

    /// Where the request stands; `root` is marked `data-booked` once a call
    /// back replaced waiting.
    pub fn render(&mut self, s: &Strings, root: &Element, convo: &Conversation) {
        let place = convo.waiting_place();
        let queue = match (&convo.session, &convo.callback, place) {
            (None, _, _) => s.queue_connecting.to_string(),
            (Some(_), Some(booked), _) => callback::booked_text(s, booked, self.locale),
            // "Next in line" would promise what "nobody is available" denies.
            (Some(_), None, Some(p)) if p.unavailable.is_some() => s.queue_waiting.to_string(),
            (Some(_), None, Some(p)) => {
                let mut text = match p.position {
                    1 => s.queue_next.to_string(),
                    n => fill(s.queue_position, n),
                };
                // A zero estimate means "any moment": better left unsaid.
                if let Some(secs) = p.eta_secs.filter(|s| *s > 0) {
                    text.push_str(" · ");
                    text.push_str(&fill(s.queue_eta, secs.div_ceil(60)));
                }
                text
            }
            (Some(_), None, None) => s.queue_waiting.to_string(),
        };
        set_text(&self.text, &queue);
        if convo.callback.is_some() && convo.phase == Phase::Queued {
            set_attr(root, "data-booked", "");
        } else {
            remove_attr(root, "data-booked");
        }
        self.callback.render(s, convo.unavailable());
    }
}
