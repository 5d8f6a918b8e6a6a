//! Transfers on the agent's side: handing a chat to a colleague or to a
//! skill's queue (`session.transfer`), and a chat of ours leaving this
//! console when a `session` summary names its new agent or the queue.

use leptos::prelude::*;
use protocol::{ClientFrame, SessionState, SessionSummary};

use crate::format;
use crate::state::{Auth, Console, OFFLINE};

/// Hands the chat to a colleague or to another skill's queue. The chat
/// leaves this console when the server confirms (a `session` frame naming
/// the new agent or the queue).
pub fn transfer(
    console: Console,
    session: &str,
    agent: Option<String>,
    skill: Option<String>,
    note: &str,
) {
    let note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
    let frame = ClientFrame::SessionTransfer {
        session: session.to_string(),
        agent,
        skill,
        note,
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
    }
}

/// A chat of ours now belongs to a colleague or waits in a queue again
/// (a transfer): it leaves this console, with a word saying where it went.
pub fn handed_on(console: Console, session: &SessionSummary) -> bool {
    let me = console.auth.with_untracked(|a| match a {
        Auth::SignedIn(agent) => Some(agent.id.clone()),
        _ => None,
    });
    let ours = session.agent.as_ref().map(|a| a.id.clone()) == me;
    if ours || session.state == SessionState::Ended || !console.has_chat(&session.id) {
        return false;
    }
    let whom = match &session.agent {
        Some(agent) => agent.name.clone(),
        None => "the queue".to_string(),
    };
    let label = console
        .peek_chat(&session.id, |c| {
            format::visitor_label(c.summary.visitor_name.as_deref(), &c.summary.visitor_id)
        })
        .unwrap_or_default();
    console.close_chat(&session.id);
    console.toast(format!("{label}'s chat went to {whom}."), None);
    true
}
