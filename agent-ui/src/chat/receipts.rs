//! Telling the visitor what the agent has received and read. Delivered is
//! sent as soon as a visitor event reaches the console; read only for the
//! chat on screen while the console's tab is visible, so "Read" on the
//! visitor's side means a person could actually see the message.

use leptos::prelude::*;
use protocol::{ClientFrame, ReceiptKind};

use crate::state::Console;

/// Sends `receipt delivered` for visitor events not yet acknowledged.
pub fn acknowledge_delivery(console: Console, session: &str) {
    let Some(seq) = console.peek_chat(session, |c| c.delivered_due()).flatten() else {
        return;
    };
    let frame = ClientFrame::Receipt {
        session: session.to_string(),
        kind: ReceiptKind::Delivered,
        seq,
    };
    if console.send(frame).is_some() {
        console.update_chat(session, |c| c.mark_delivered(seq));
    }
}

/// Keeps `receipt read` flowing for the selected chat while the page is
/// visible. Runs for as long as the workspace is mounted.
pub fn watch_reads(console: Console) {
    Effect::new(move |_| {
        if !console.visible.get() || !console.is_connected() {
            return;
        }
        let Some(session) = console.selected.get() else {
            return;
        };
        let due = console.chats.with(|chats| {
            chats
                .iter()
                .find(|c| c.id() == session)
                .and_then(|c| c.read_due())
        });
        let Some(seq) = due else { return };
        let frame = ClientFrame::Receipt {
            session: session.clone(),
            kind: ReceiptKind::Read,
            seq,
        };
        if console.send(frame).is_some() {
            console.update_chat(&session, |c| c.mark_read(seq));
        }
    });
}
