//! Reading the callback family's values: the call back a visitor booked,
//! and why nobody can answer soon.

use protocol::{Callback, Unavailable};

use super::source::{Source, int, pick, text};

pub(super) fn callback<S: Source>(v: &S) -> Option<Callback> {
    Some(match text(v, "kind")?.as_str() {
        "message" => Callback::Message {
            email: text(v, "email")?,
        },
        "phone" => Callback::Phone {
            phone: text(v, "phone")?,
            at: int(v, "at"),
        },
        "browser" => Callback::Browser,
        _ => return None,
    })
}

pub(super) fn unavailable(s: &str) -> Option<Unavailable> {
    let all = [
        Unavailable::NoAgents,
        Unavailable::Closed,
        Unavailable::LongWait,
        Unavailable::QueueFull,
    ];
    pick(s, &all, Unavailable::as_str)
}
