//! Wrap-ups on the agent's side: recording an ended chat's disposition tag
//! and note (`session.wrapup`). The tags offered come with the `welcome`;
//! the card shows the latest wrap-up event of the log (`Chat::wrapup`).

use protocol::ClientFrame;

use crate::state::{Console, OFFLINE};

/// Records the ended chat's wrap-up: a disposition tag and an optional note.
/// The card shows the tag once the server's wrap-up event comes back.
pub fn wrap_up(console: Console, session: &str, disposition: &str, note: &str) {
    let note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
    let frame = ClientFrame::SessionWrapup {
        session: session.to_string(),
        disposition: disposition.to_string(),
        note,
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
    }
}
