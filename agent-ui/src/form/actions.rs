//! What the agent does with the visitor's forms and pages: open the form
//! panel (which asks the widget for the page's fields), enter values, push
//! them, "Show me" a field, and propose another page of the site.
//! The visitor's answers arrive as audit events in the chat log (`audit`).

use leptos::prelude::*;
use protocol::{ClientFrame, FieldValue};

use super::state::{FormPanel, page_url};
use crate::cobrowse;
use crate::state::{Console, OFFLINE};

/// Opens the form panel of `session` and asks for the page's fields.
pub fn open(console: Console, session: &str) {
    console.forms.update(|f| {
        f.entry(session.to_string()).or_default();
    });
    refresh(console, session);
}

pub fn close(console: Console, session: &str) {
    console.forms.update(|f| {
        f.remove(session);
    });
}

pub fn is_open(console: Console, session: &str) -> bool {
    console.forms.with(|f| f.contains_key(session))
}

/// Asks the widget for the fields as they are now.
pub fn refresh(console: Console, session: &str) {
    let sent = console.send(ClientFrame::FormFieldsRequest {
        session: session.to_string(),
    });
    if sent.is_none() {
        console.toast(OFFLINE, None);
        return;
    }
    update(console, session, |p| p.loading = true);
}

pub fn select(console: Console, session: &str, node: u32) {
    update(console, session, |p| p.selected = Some(node));
}

/// A click in the mirror: selects the field the element belongs to.
pub fn select_node(console: Console, session: &str, node: u32) {
    update(console, session, |p| {
        p.select_node(node);
    });
}

pub fn set_draft(console: Console, session: &str, node: u32, value: Option<FieldValue>) {
    update(console, session, |p| {
        p.selected = Some(node);
        p.set_draft(node, value);
    });
}

/// Sends every value entered to the visitor, who accepts or rejects.
pub fn push(console: Console, session: &str) {
    let Some((url, fields)) = console.forms.with_untracked(|f| {
        f.get(session)
            .map(|p: &FormPanel| (p.url.clone(), p.push_fields()))
    }) else {
        return;
    };
    if fields.is_empty() {
        console.toast("Enter a value for at least one field first.", None);
        return;
    }
    let frame = ClientFrame::FormPush {
        session: session.to_string(),
        url,
        fields,
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
        return;
    }
    // What was pushed is the visitor's to accept now; the panel starts clean.
    update(console, session, |p| p.drafts.clear());
}

/// "Show me": scrolls the visitor's page to the field and outlines it.
pub fn show_me(console: Console, session: &str, node: u32, label: &str) {
    select(console, session, node);
    cobrowse::highlight(console, session, node, label);
}

/// Proposes a page of the visitor's site; `base` is the page they are on.
pub fn send_page(console: Console, session: &str, base: &str, typed: &str) -> bool {
    let Some(url) = page_url(base, typed) else {
        console.toast(
            "Enter a page of the visitor's site, like /cart.html or a full address on the same site.",
            Some("cross_origin"),
        );
        return false;
    };
    let frame = ClientFrame::PagePush {
        session: session.to_string(),
        url,
        label: None,
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
        return false;
    }
    true
}

pub(super) fn update(console: Console, session: &str, f: impl FnOnce(&mut FormPanel)) {
    console.forms.update(|forms| {
        if let Some(p) = forms.get_mut(session) {
            f(p);
        }
    });
}
