//! What the console does with the live connection: open it after sign-in,
//! greet the server, resume every chat after a reconnect, and apply each
//! frame the server sends to the state.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{
    AgentPresence, ClientFrame, CloseCode, ErrorCode, Event, Role, ServerEnvelope, ServerFrame,
    SessionState, SessionSummary, ShareState,
};

use crate::alerts;
use crate::api::{self, ApiError};
use crate::mirror;
use crate::push_actions;
use crate::receipts;
use crate::socket::{Link, LinkEvent};
use crate::state::{Auth, Connection, Console, Offer, Sent};
use crate::{actions, call, clock, format};

/// Opens the agent socket for the signed-in agent.
pub fn connect(console: Console) {
    console.connection.set(Connection::Connecting);
    let link = Link::start(socket_url(), move |link, event| {
        on_link_event(console, &link, event)
    });
    console.set_link(Some(link));
}

/// `ws://host/ws/agent` or `wss://…` to match the page, so TLS pages never
/// open a plain socket.
fn socket_url() -> String {
    let location = window().location();
    let scheme = match location.protocol().as_deref() {
        Ok("https:") => "wss:",
        _ => "ws:",
    };
    let host = location.host().unwrap_or_default();
    format!("{scheme}//{host}/ws/agent")
}

fn on_link_event(console: Console, link: &Link, event: LinkEvent) {
    match event {
        // The cookie authenticates us; hello carries nothing else for agents.
        LinkEvent::Open => {
            link.send(ClientFrame::Hello {
                token: None,
                page: None,
            });
        }
        LinkEvent::Frame(envelope) => on_frame(console, link, *envelope),
        LinkEvent::Binary(bytes) => mirror::on_binary(console, bytes),
        LinkEvent::Closed { code, retry_ms } => on_closed(console, link, code, retry_ms),
    }
}

fn on_closed(console: Console, link: &Link, code: u16, retry_ms: u32) {
    // Credentials that ended: reconnecting cannot help, so back to the sign-in page.
    let ended = [
        CloseCode::BadToken,
        CloseCode::Replaced,
        CloseCode::Revoked,
        CloseCode::Expired,
    ];
    if ended.iter().any(|c| c.code() == code) {
        link.stop();
        let notice = if code == CloseCode::Replaced.code() {
            "You were signed out from another window."
        } else if code == CloseCode::Revoked.code() {
            "You were signed out: your sign-in was ended (logout, a new password, or your account was disabled)."
        } else {
            "Your sign-in has expired. Please sign in again."
        };
        signed_out(console, notice);
        return;
    }
    let was_open = console.connection.get_untracked() == Connection::Open;
    console.connection.set(Connection::Retrying {
        retry_at: clock::now() + i64::from(retry_ms),
    });
    console.presence_asked.set(None);
    forget_visitor_typing(console);
    if !was_open {
        // A refused upgrade looks like any network failure (code 1006). If
        // attempts keep failing, ask the REST API whether the cookie is still
        // good rather than retrying forever with a dead one.
        let link = link.clone();
        spawn_local(async move {
            if api::me().await == Err(ApiError::Unauthorized) {
                link.stop();
                signed_out(console, "Your sign-in has expired. Please sign in again.");
            }
        });
    }
}

fn signed_out(console: Console, notice: &str) {
    console.clear_workspace();
    console.auth.set(Auth::SignedOut {
        notice: Some(notice.to_string()),
    });
}

fn on_frame(console: Console, link: &Link, envelope: ServerEnvelope) {
    match envelope.frame {
        ServerFrame::Welcome {
            server_time,
            presence,
            sessions,
            dispositions,
            ..
        } => {
            link.healthy();
            console.dispositions.set(dispositions);
            console.skew.set(clock::skew_from(server_time));
            console.connection.set(Connection::Open);
            set_presence(console, presence.unwrap_or_default());
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
            mirror::reconnected(console);
            if console.selected.get_untracked().is_none() {
                let first = console
                    .chats
                    .with_untracked(|c| c.first().map(|c| c.id().to_string()));
                console.selected.set(first);
            }
        }
        ServerFrame::Queue {
            server_time,
            items,
            total,
        } => {
            console.skew.set(clock::skew_from(server_time));
            console.queue_total.set(total.max(items.len() as u32));
            console.queue.set(items);
        }
        ServerFrame::Session { session } => {
            let id = session.id.clone();
            if handed_on(console, &session) {
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
        ServerFrame::Event { session, event } => on_event(console, &session, event),
        ServerFrame::History {
            session,
            events,
            receipts,
            more,
        } => {
            let last = console.update_chat(&session, |chat| {
                chat.apply_history(events, receipts);
                chat.last_seq()
            });
            let Some(last) = last else { return };
            if more {
                console.send(ClientFrame::SessionSync {
                    session: session.clone(),
                    after_seq: last,
                });
            } else {
                resend_lost_messages(console, &session);
            }
            receipts::acknowledge_delivery(console, &session);
        }
        ServerFrame::Typing {
            session,
            author: Role::Visitor,
            active,
        } => {
            console.update_chat(&session, |chat| {
                chat.set_visitor_typing(active, clock::now())
            });
        }
        ServerFrame::Typing { .. } => {}
        ServerFrame::Receipts { session, receipts } => {
            console.update_chat(&session, |chat| chat.set_receipts(receipts));
        }
        ServerFrame::Presence { presence } => set_presence(console, presence),
        ServerFrame::Cobrowse { session, state } => {
            let before = console.update_chat(&session, |chat| {
                std::mem::replace(&mut chat.summary.share, state)
            });
            if state == ShareState::Active && before.is_some_and(|b| b != ShareState::Active) {
                mirror::sharing_started(console, &session);
            } else if state != ShareState::Active {
                mirror::sharing_stopped(console, &session);
                // The listed fields were the capture's: they mean nothing now.
                push_actions::close(console, &session);
            }
        }
        ServerFrame::Call { session, call } => call::on_call(console, &session, call),
        ServerFrame::CallCredentials {
            session,
            call,
            ice_servers,
            expires_at,
        } => call::on_credentials(console, &session, &call, ice_servers, expires_at),
        ServerFrame::CallSignal {
            session,
            call,
            signal,
            ..
        } => call::on_signal(console, &session, &call, signal),
        ServerFrame::CallMute { session, muted, .. } => call::on_mute(console, &session, muted),
        ServerFrame::FormFields {
            session,
            url,
            fields,
        } => push_actions::fields_listed(console, &session, url, fields),
        ServerFrame::Error {
            code,
            message,
            session,
        } => on_error(console, envelope.rid, code, message, session),
        // Frames meant for the visitor's widget.
        ServerFrame::QueuePosition { .. }
        | ServerFrame::CobrowseKeyframeRequest { .. }
        | ServerFrame::Pointer { .. }
        | ServerFrame::Highlight { .. }
        | ServerFrame::HighlightClear { .. }
        | ServerFrame::FormFieldsRequest { .. }
        | ServerFrame::FormPush { .. }
        | ServerFrame::PagePush { .. } => {}
        ServerFrame::Offer {
            expires_at, item, ..
        } => {
            alerts::notify(
                "New chat request",
                &format::visitor_label(item.visitor_name.as_deref(), &item.visitor_id),
            );
            console.offer.set(Some(Offer { expires_at, item }));
        }
        ServerFrame::OfferWithdrawn { session } => {
            if console
                .offer
                .with_untracked(|o| o.as_ref().is_some_and(|o| o.item.session == session))
            {
                console.offer.set(None);
            }
        }
    }
}

/// A chat of ours now belongs to a colleague or waits in a queue again
/// (a transfer): it leaves this console, with a word saying where it went.
fn handed_on(console: Console, session: &SessionSummary) -> bool {
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
    actions::close_chat(console, &session.id);
    console.toast(format!("{label}'s chat went to {whom}."), None);
    true
}

fn on_event(console: Console, session: &str, event: Event) {
    if let protocol::EventBody::Message {
        client_id: Some(client_id),
        ..
    } = &event.body
    {
        let client_id = client_id.clone();
        console.forget_sent(|s| matches!(s, Sent::Message { client_id: c, .. } if *c == client_id));
    }
    let from_visitor = match (event.author, &event.body) {
        (Role::Visitor, protocol::EventBody::Message { text, .. }) => Some(text.clone()),
        _ => None,
    };
    // Events for a chat we do not hold yet are skipped: the `session.sync`
    // sent when its summary arrives brings them.
    let ended = matches!(event.body, protocol::EventBody::Ended { .. });
    let answered = matches!(event.body, protocol::EventBody::FormAnswer { .. });
    if console.update_chat(session, |chat| chat.apply_event(event)) == Some(true) {
        if let Some(text) = from_visitor {
            alerts::notify("New message", &text);
        }
        if answered {
            // The visitor's page changed (or not): show its fields as they are now.
            push_actions::refresh_if_open(console, session);
        }
        receipts::acknowledge_delivery(console, session);
    }
    if ended {
        // The session's end ends its call.
        call::sync(console, session);
    }
}

fn set_presence(console: Console, presence: AgentPresence) {
    console.presence.set(presence);
    console.presence_asked.set(None);
    console.forget_sent(|s| *s == Sent::Presence);
    if presence != AgentPresence::Online {
        // The server stops sending queue updates; an old list would mislead.
        console.queue.set(Vec::new());
        console.queue_total.set(0);
    }
}

/// After a reconnect, messages the server never numbered are sent again.
fn resend_lost_messages(console: Console, session: &str) {
    let Some(conn) = console.connection_number() else {
        return;
    };
    let resend = console
        .update_chat(session, |chat| chat.take_resend(conn))
        .unwrap_or_default();
    for (client_id, text) in resend {
        let frame = ClientFrame::ChatSend {
            session: session.to_string(),
            client_id: Some(client_id.clone()),
            text,
        };
        console.send_tracked(
            frame,
            Sent::Message {
                session: session.to_string(),
                client_id,
            },
        );
    }
}

fn on_error(
    console: Console,
    rid: Option<u64>,
    code: ErrorCode,
    message: String,
    session: Option<String>,
) {
    match rid.and_then(|rid| console.take_sent(rid)) {
        Some(Sent::Message { session, client_id }) => {
            console.update_chat(&session, |chat| {
                chat.fail_pending(&client_id, error_text(code, &message))
            });
        }
        Some(Sent::Accept { .. }) => console.accepting.set(None),
        Some(Sent::Presence) => console.presence_asked.set(None),
        None => {}
    }
    if code == ErrorCode::SessionEnded
        && let Some(id) = &session
        && console.has_chat(id)
    {
        // We missed the end (or raced it): fetch the log so the chat shows it.
        let after_seq = console.peek_chat(id, |c| c.last_seq()).unwrap_or(0);
        console.send(ClientFrame::SessionSync {
            session: id.clone(),
            after_seq,
        });
    }
    if let Some(text) = call::error_text(code) {
        call::on_refused(console, session.as_deref(), code);
        if let Some(text) = text {
            console.toast(text, Some(code.as_str()));
        }
        return;
    }
    if code == ErrorCode::NotSharing {
        // A pointer, highlight, listing or replay request crossed the end of
        // sharing; the chat's screen-sharing state already says so.
        if let Some(id) = &session {
            push_actions::close(console, id);
        }
        return;
    }
    console.toast(error_text(code, &message), Some(code.as_str()));
}

/// The sentence an agent reads for an error code; the server's own message
/// for codes that only a bug would cause.
fn error_text(code: ErrorCode, message: &str) -> String {
    match code {
        ErrorCode::AlreadyTaken => "Another agent already accepted this chat.".into(),
        ErrorCode::AtCapacity => {
            "You're at your chat limit. Finish a chat before accepting another.".into()
        }
        ErrorCode::SessionEnded => "This chat has already ended.".into(),
        ErrorCode::RateLimited => "Too many actions at once — wait a moment and try again.".into(),
        ErrorCode::UnknownSession => "That chat no longer exists.".into(),
        _ if message.is_empty() => format!("The server refused that ({}).", code.as_str()),
        _ => message.to_string(),
    }
}

/// A visitor's typing flag cannot be trusted across a drop: the `false`
/// may have been lost with the connection.
fn forget_visitor_typing(console: Console) {
    console.chats.update(|chats| {
        for chat in chats.iter_mut() {
            chat.visitor_typing_since = None;
        }
    });
}
