//! What an `error` frame does: the request it answers (by `rid`) is undone
//! in the state, the call or form it concerns lets go, and the agent reads
//! a sentence for it.

use leptos::prelude::*;
use protocol::{ClientFrame, ErrorCode};

use crate::state::{Console, Sent};
use crate::{call, form};

/// `error{code, message, session}`: a frame was refused.
pub fn on_error(
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
            form::close(console, id);
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
