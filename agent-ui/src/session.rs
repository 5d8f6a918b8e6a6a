//! The agent's sessions and presence: what `welcome` (the connection opened
//! or reopened, with the agent's open chats), `session` (a summary changed)
//! and `presence` frames do, and what the agent does with a chat as a whole
//! or with their availability: select a chat, end it, go online or away.

use leptos::prelude::*;
use protocol::{AgentPresence, ClientFrame, Millis, SessionSummary};

use crate::state::{Connection, Console, OFFLINE, Sent};
use crate::{call, clock, cobrowse, transfer};

/// `welcome`: the server took this connection. Restores the agent's open
/// chats and resumes every chat the console holds.
pub fn on_welcome(
    console: Console,
    server_time: Millis,
    presence: Option<AgentPresence>,
    sessions: Vec<SessionSummary>,
    dispositions: Vec<String>,
) {
    console.dispositions.set(dispositions);
    console.skew.set(clock::skew_from(server_time));
    console.connection.set(Connection::Open);
    on_presence(console, presence.unwrap_or_default());
    for summary in sessions {
        let id = summary.id.clone();
        console.upsert_summary(summary);
        call::sync(console, &id);
    }
    // Resume every chat we hold, not only the ones listed: a chat that
    // ended while we were away is no longer "open" but its end must
    // still reach us.
    let resume: Vec<(String, u64)> = console.chats.with_untracked(|chats| {
        chats
            .iter()
            .filter(|c| !c.is_ended())
            .map(|c| (c.id().to_string(), c.last_seq()))
            .collect()
    });
    for (session, after_seq) in resume {
        console.send(ClientFrame::SessionSync { session, after_seq });
    }
    // Page frames sent while we were away are lost: replay every mirror.
    cobrowse::reconnected(console);
    if console.selected.get_untracked().is_none() {
        let first = console
            .chats
            .with_untracked(|c| c.first().map(|c| c.id().to_string()));
        console.selected.set(first);
    }
}

/// `session{session}`: a session changed state (accepted, ended, handed on).
pub fn on_session(console: Console, session: SessionSummary) {
    let id = session.id.clone();
    if transfer::handed_on(console, &session) {
        return;
    }
    // Taken (by us or a colleague) or cancelled: the prompt goes.
    if console
        .offer
        .with_untracked(|o| o.as_ref().is_some_and(|o| o.item.session == id))
    {
        console.offer.set(None);
    }
    if console.upsert_summary(session) {
        console.send(ClientFrame::SessionSync {
            session: id.clone(),
            after_seq: 0,
        });
    }
    call::sync(console, &id);
    if console.accepting.get_untracked().as_deref() == Some(id.as_str()) {
        console.accepting.set(None);
        console.forget_sent(|s| matches!(s, Sent::Accept { session } if *session == id));
        console.selected.set(Some(id));
    } else if console.selected.get_untracked().is_none() {
        console.selected.set(Some(id));
    }
}

/// `presence{presence}`: the agent's presence as the server now has it.
pub fn on_presence(console: Console, presence: AgentPresence) {
    console.presence.set(presence);
    console.presence_asked.set(None);
    console.forget_sent(|s| *s == Sent::Presence);
    if presence != AgentPresence::Online {
        // The server stops sending queue updates; an old list would mislead.
        console.queue.set(Vec::new());
        console.queue_total.set(0);
    }
}

/// Asks the server to change presence; the toggle follows the server's answer.
pub fn set_presence(console: Console, presence: AgentPresence) {
    if presence == AgentPresence::Online {
        crate::alerts::ask_permission();
    }
    match console.send_tracked(ClientFrame::PresenceSet { presence }, Sent::Presence) {
        Some(_) => console.presence_asked.set(Some(presence)),
        None => console.toast(OFFLINE, None),
    }
}

pub fn select(console: Console, session: String) {
    console.board.set(None);
    console.selected.set(Some(session));
}

/// Ends the chat for both sides. The tab stays, marked ended, until closed.
pub fn end_chat(console: Console, session: &str) {
    if console
        .send(ClientFrame::SessionEnd {
            session: session.to_string(),
        })
        .is_none()
    {
        console.toast(OFFLINE, None);
    }
}
