//! The agent's connection: signing in opens the socket, `hello` greets the
//! server, a drop is retried (or, when the sign-in ended, leads back to the
//! login form), and signing out closes it. Each frame that arrives goes to
//! `dispatch`, binary page frames to `cobrowse`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{ClientFrame, CloseCode};

use crate::api::{self, Agent, ApiError};
use crate::socket::{Link, LinkEvent};
use crate::state::{Auth, Connection, Console};
use crate::{chat, clock, cobrowse, dispatch};

/// The agent is known (login or an existing cookie): show the workspace and connect.
pub fn enter(console: Console, agent: Agent) {
    console.auth.set(Auth::SignedIn(agent));
    connect(console);
}

/// Signs out on the server, then drops the workspace. The socket is closed
/// first: the server closes an agent's other sockets on logout (close code
/// "replaced"), and this tab must not read that as being signed out elsewhere.
pub fn sign_out(console: Console) {
    console.set_link(None);
    spawn_local(async move {
        if let Err(err) = api::logout().await {
            console.toast(format!("Could not sign out: {}", err.message()), None);
            connect(console);
            return;
        }
        console.clear_workspace();
        console.auth.set(Auth::SignedOut { notice: None });
    });
}

/// Opens the agent socket for the signed-in agent.
fn connect(console: Console) {
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
        LinkEvent::Frame(envelope) => dispatch::on_frame(console, link, *envelope),
        LinkEvent::Binary(bytes) => cobrowse::on_binary(console, bytes),
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
    chat::forget_visitor_typing(console);
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
