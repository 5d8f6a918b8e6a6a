//! A request the visitor turned into a message or a call back because nobody
//! could answer: how to reach them, and when. Shown on the queue row, the
//! ringing offer and the chat itself, so whoever takes it knows at a glance
//! that the visitor is not sitting in front of the chat.

use leptos::prelude::*;
use protocol::{Callback, Millis};

use crate::clock;

/// One line: what the visitor asked for, with a link that starts it
/// (`tel:` or `mailto:`) when `linked`.
#[component]
pub fn CallbackLine(callback: Callback, #[prop(optional)] linked: bool) -> impl IntoView {
    let (icon, what, contact, href) = match &callback {
        Callback::Message { email } => (
            "✉",
            "Answer by email",
            Some(email.clone()),
            format!("mailto:{email}"),
        ),
        Callback::Phone { phone, .. } => {
            let digits: String = phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            (
                "☎",
                "Call back",
                Some(phone.clone()),
                format!("tel:{digits}"),
            )
        }
        Callback::Browser => ("↩", "Answer in the browser when free", None, String::new()),
    };
    let when = match &callback {
        Callback::Phone { at: Some(at), .. } => Some(format!("at {}", clock::full_time(*at))),
        Callback::Phone { at: None, .. } => Some("as soon as possible".to_string()),
        _ => None,
    };
    let contact = contact.map(|c| {
        if linked {
            view! { <a class="callback-contact" href=href data-testid="callback-contact">{c}</a> }
                .into_any()
        } else {
            view! { <span class="callback-contact" data-testid="callback-contact">{c}</span> }
                .into_any()
        }
    });
    view! {
        <div class="callback-line" data-testid="callback" data-kind=kind(&callback)>
            <span class="callback-icon" aria-hidden="true">{icon}</span>
            <strong>{what}</strong>
            {contact}
            {when.map(|w| view! { <span class="callback-when">{w}</span> })}
        </div>
    }
}

/// "Due 15:30" on a queue row whose call back is booked for later.
pub fn due_label(due_at: Option<Millis>) -> Option<String> {
    due_at.map(|at| format!("Due {}", clock::full_time(at)))
}

fn kind(c: &Callback) -> &'static str {
    match c {
        Callback::Message { .. } => "message",
        Callback::Phone { .. } => "phone",
        Callback::Browser => "browser",
    }
}
