//! The transcript: one `<li>` per item, kept in step with the conversation.
//!
//! Rows are matched to items by key and only rebuilt when what they show
//! changes (confirmation, delivery state, grouping), so a long chat costs a
//! comparison per row per update rather than a rebuild.

use std::collections::HashMap;

use js_sys::{Date, Object, Reflect};
use protocol::{CallAction, CallEndReason, Role, ShareAction};
use wasm_bindgen::JsValue;
use web_sys::{Document, Element};

use super::call::duration;
use super::dom::{attr, child, el, set_text};
use crate::i18n::{Locale, Strings, fill};
use crate::state::{Conversation, Delivery, Item, ItemBody};

pub struct MessageList {
    doc: Document,
    pub list: Element,
    rows: Vec<Row>,
    locale: Locale,
    time_format: JsValue,
}

struct Row {
    key: String,
    el: Element,
    shown: Shown,
}

/// What a row currently displays; a difference means rebuild it.
#[derive(Clone, PartialEq)]
struct Shown {
    seq: Option<u64>,
    delivery: Option<Delivery>,
    first_of_run: bool,
}

/// What changed in the last [`MessageList::sync`], for scrolling decisions.
#[derive(Default)]
pub struct Synced {
    pub added: bool,
    pub own_added: bool,
}

impl MessageList {
    pub fn new(doc: &Document, list: Element, locale: Locale) -> MessageList {
        let time_format = Object::new();
        let _ = Reflect::set(&time_format, &"hour".into(), &"2-digit".into());
        let _ = Reflect::set(&time_format, &"minute".into(), &"2-digit".into());
        MessageList {
            doc: doc.clone(),
            list,
            rows: Vec::new(),
            locale,
            time_format: time_format.into(),
        }
    }

    pub fn sync(&mut self, convo: &Conversation) -> Synced {
        let strings = self.locale.strings();
        let mut synced = Synced::default();
        let mut old: HashMap<String, Row> =
            self.rows.drain(..).map(|r| (r.key.clone(), r)).collect();
        let mut rows = Vec::with_capacity(convo.transcript.items.len());
        for (i, item) in convo.transcript.items.iter().enumerate() {
            let previous = i.checked_sub(1).map(|j| &convo.transcript.items[j]);
            let shown = Shown {
                seq: item.seq,
                delivery: (item.author == Role::Visitor && is_chat(item))
                    .then(|| convo.transcript.delivery(item)),
                first_of_run: previous.is_none_or(|p| p.author != item.author || !is_chat(p)),
            };
            let row = match old.remove(&item.key) {
                Some(mut row) => {
                    if row.shown != shown {
                        self.fill(&row.el, item, &shown, strings);
                        row.shown = shown;
                    }
                    row
                }
                None => {
                    let row_el = el(&self.doc, "li", "");
                    self.fill(&row_el, item, &shown, strings);
                    synced.added = true;
                    synced.own_added |= item.author == Role::Visitor;
                    Row {
                        key: item.key.clone(),
                        el: row_el,
                        shown,
                    }
                }
            };
            rows.push(row);
        }
        for row in old.into_values() {
            row.el.remove();
        }
        // Put rows in order, moving only the ones out of place.
        let mut cursor = self.list.first_element_child();
        for row in &rows {
            match &cursor {
                Some(c) if c.is_same_node(Some(&row.el)) => cursor = c.next_element_sibling(),
                _ => {
                    let _ = self
                        .list
                        .insert_before(&row.el, cursor.as_ref().map(|c| c.as_ref()));
                }
            }
        }
        self.rows = rows;
        synced
    }

    /// (Re)builds one row's content and attributes.
    fn fill(&self, row: &Element, item: &Item, shown: &Shown, s: &Strings) {
        row.set_text_content(None);
        attr(row, "data-testid", "tandem-message");
        match item.seq {
            Some(seq) => attr(row, "data-seq", &seq.to_string()),
            None => {
                let _ = row.remove_attribute("data-seq");
            }
        }
        match (&item.body, item.author) {
            (ItemBody::Message { text }, Role::Visitor | Role::Agent) => {
                let author = item.author.as_str();
                row.set_class_name(&format!(
                    "msg msg--{author}{}",
                    if shown.first_of_run {
                        " msg--first"
                    } else {
                        ""
                    }
                ));
                attr(row, "data-author", author);
                attr(row, "data-kind", "message");
                if item.author == Role::Agent && shown.first_of_run {
                    let who = child(&self.doc, row, "div", "who");
                    set_text(&who, item.author_name.as_deref().unwrap_or(s.someone));
                }
                let bubble = child(&self.doc, row, "div", "bubble");
                set_text(&bubble, text);
                let meta = child(&self.doc, row, "div", "meta");
                let time = child(&self.doc, &meta, "time", "time");
                set_text(&time, &self.time(item.at));
                if let Some(delivery) = shown.delivery {
                    attr(row, "data-status", delivery.as_str());
                    let status = child(
                        &self.doc,
                        &meta,
                        "span",
                        &format!("status status--{}", delivery.as_str()),
                    );
                    let (visible, spoken) = delivery_text(delivery, s);
                    set_text(&status, visible);
                    attr(&status, "title", spoken);
                    attr(&status, "aria-label", spoken);
                }
            }
            (body, _) => {
                row.set_class_name("notice");
                attr(row, "data-author", "system");
                let (kind, text) = match body {
                    ItemBody::Message { text } => ("message", text.clone()),
                    ItemBody::AgentJoined { name } => ("agent_joined", fill(s.agent_joined, name)),
                    ItemBody::Transferred { to: Some(name) } => {
                        ("transferred", fill(s.transferred_to, name))
                    }
                    ItemBody::Transferred { to: None } => {
                        ("transferred", s.transferred_queue.to_string())
                    }
                    ItemBody::Ended { by } => (
                        "ended",
                        match by {
                            Role::Visitor => s.ended_by_visitor,
                            Role::Agent => s.ended_by_agent,
                            Role::System => s.ended_by_system,
                        }
                        .to_string(),
                    ),
                    ItemBody::Share { action } => {
                        attr(row, "data-action", share_action(*action));
                        let text = match action {
                            ShareAction::Requested => fill(
                                s.share_requested,
                                item.author_name.as_deref().unwrap_or(s.someone),
                            ),
                            ShareAction::Started => s.share_started.to_string(),
                            ShareAction::Denied => s.share_denied.to_string(),
                            ShareAction::Stopped => s.share_stopped.to_string(),
                        };
                        ("share", text)
                    }
                    ItemBody::Call {
                        action,
                        by,
                        duration_ms,
                        reason,
                    } => {
                        attr(row, "data-action", call_action(*action));
                        (
                            "call",
                            call_text(s, item, *action, *by, *duration_ms, *reason),
                        )
                    }
                };
                attr(row, "data-kind", kind);
                let span = child(&self.doc, row, "span", "notice-text");
                set_text(&span, &text);
            }
        }
    }

    fn time(&self, at: i64) -> String {
        let date = Date::new(&JsValue::from_f64(at as f64));
        date.to_locale_time_string_with_options(self.locale.tag(), &self.time_format)
            .into()
    }
}

fn share_action(a: ShareAction) -> &'static str {
    match a {
        ShareAction::Requested => "requested",
        ShareAction::Started => "started",
        ShareAction::Denied => "denied",
        ShareAction::Stopped => "stopped",
    }
}

fn call_action(a: CallAction) -> &'static str {
    match a {
        CallAction::Started => "started",
        CallAction::Answered => "answered",
        CallAction::Ended => "ended",
    }
}

/// The transcript's line for a call event.
fn call_text(
    s: &Strings,
    item: &Item,
    action: CallAction,
    by: Role,
    duration_ms: Option<u64>,
    reason: Option<CallEndReason>,
) -> String {
    match (action, reason) {
        (CallAction::Started, _) if by == Role::Visitor => s.call_started_by_you.into(),
        (CallAction::Started, _) => fill(
            s.call_started_by_agent,
            item.author_name.as_deref().unwrap_or(s.someone),
        ),
        (CallAction::Answered, _) => s.call_answered.into(),
        (CallAction::Ended, Some(CallEndReason::Declined)) => s.call_declined.into(),
        (CallAction::Ended, Some(CallEndReason::Cancelled)) => s.call_cancelled.into(),
        (CallAction::Ended, Some(CallEndReason::NoAnswer)) => s.call_missed.into(),
        (CallAction::Ended, Some(CallEndReason::Failed)) => s.call_failed_log.into(),
        (CallAction::Ended, Some(CallEndReason::Interrupted)) => s.call_interrupted.into(),
        (CallAction::Ended, _) => match duration_ms.filter(|d| *d > 0) {
            Some(d) => fill(s.call_ended_after, duration(d)),
            None => s.call_ended.into(),
        },
    }
}

fn is_chat(item: &Item) -> bool {
    matches!(item.body, ItemBody::Message { .. }) && item.author != Role::System
}

/// What the status shows and what a screen reader says for it.
fn delivery_text(d: Delivery, s: &Strings) -> (&'static str, &'static str) {
    match d {
        Delivery::Sending => (s.status_sending, s.status_sending),
        Delivery::Failed => (s.status_failed, s.status_failed),
        Delivery::Sent => (s.status_sent, s.status_sent_spoken),
        Delivery::Delivered => (s.status_delivered, s.status_delivered_spoken),
        Delivery::Read => (s.status_read, s.status_read),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, FR};

    #[test]
    fn a_call_cut_by_a_restart_says_so_in_both_languages() {
        let item = Item {
            key: "k".into(),
            seq: Some(9),
            at: 0,
            author: Role::System,
            author_name: None,
            body: ItemBody::Ended { by: Role::System },
            client_id: None,
            via_request: false,
            failed: false,
        };
        let cut = Some(CallEndReason::Interrupted);
        for s in [&EN, &FR] {
            let line = call_text(s, &item, CallAction::Ended, Role::System, None, cut);
            assert_eq!(line, s.call_interrupted);
            assert_ne!(line, s.call_ended, "not a plain hang-up");
        }
    }
}
