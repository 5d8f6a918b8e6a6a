//! Everything the console shows, as reactive signals in one `Copy` handle
//! that every view takes from context. Server frames change it (see
//! `dispatch.rs` for which family's file handles each), as do the agent's
//! actions in the same family files; views only read it.

use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;
use protocol::{AgentPresence, ClientFrame, Millis, QueueItem, SessionSummary};

use crate::api::Agent;
use crate::call::{CallUi, Calls};
use crate::chat::Chat;
use crate::clock;
use crate::cobrowse::{MirrorInfo, Mirrors};
use crate::form::FormPanel;
use crate::socket::Link;

/// Whether someone is signed in, as far as the console knows.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// Asking `/api/v1/me` at start-up.
    Checking,
    /// Show the login form, with an explanation when we were signed out.
    SignedOut {
        notice: Option<String>,
    },
    SignedIn(Agent),
}

/// State of the live socket, for the banner and for disabling actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// First attempt after sign-in.
    Connecting,
    /// Welcomed by the server.
    Open,
    /// Dropped; next attempt at local time `retry_at`.
    Retrying { retry_at: Millis },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub text: String,
    /// The protocol error code when the toast reports one, for tests and styling.
    pub code: Option<String>,
}

/// What a request id stood for, to route an `error` reply to its cause.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Message { session: String, client_id: String },
    Accept { session: String },
    Presence,
}

/// The page title; the workspace prefixes it with a count of what waits.
pub const PAGE_TITLE: &str = "Tandem — Agent console";

/// What the agent reads when an action needs the socket and it is down.
pub const OFFLINE: &str = "You're not connected right now. Wait for the connection to come back.";

/// How long a toast stays before it fades out on its own.
const TOAST_MS: u64 = 6_000;

/// A request offered to this agent until `expires_at` (server time).
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub expires_at: Millis,
    pub item: QueueItem,
}

/// The full-pane boards the top bar opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Board {
    Team,
    Library,
}

#[derive(Clone, Copy)]
pub struct Console {
    pub auth: RwSignal<Auth>,
    /// Presence as the server last confirmed it.
    pub presence: RwSignal<AgentPresence>,
    /// Presence asked for and not yet confirmed (the toggle shows it as busy).
    pub presence_asked: RwSignal<Option<AgentPresence>>,
    pub connection: RwSignal<Connection>,
    pub queue: RwSignal<Vec<QueueItem>>,
    /// How many wait in all: the server lists only the oldest 100.
    pub queue_total: RwSignal<u32>,
    /// Open chats in tab order.
    pub chats: RwSignal<Vec<Chat>>,
    pub selected: RwSignal<Option<String>>,
    /// Request the agent just accepted; its tab is selected when it arrives.
    pub accepting: RwSignal<Option<String>>,
    /// The request the distributor is ringing this agent with, if any.
    pub offer: RwSignal<Option<Offer>>,
    /// A board (team figures, the library) replaces the chat pane while shown.
    pub board: RwSignal<Option<Board>>,
    /// Canned responses and articles, loaded after sign-in.
    pub library: RwSignal<Vec<crate::api::LibraryItem>>,
    /// Server clock minus local clock.
    pub skew: RwSignal<Millis>,
    /// Local time, refreshed every second so elapsed times tick.
    pub now: RwSignal<Millis>,
    /// Whether the console's tab is visible (read receipts depend on it).
    pub visible: RwSignal<bool>,
    pub toasts: RwSignal<Vec<Toast>>,
    /// The co-browse mirrors (DOM, not reactive) and what the views show of them.
    pub mirrors: StoredValue<Mirrors, LocalStorage>,
    pub mirror_info: RwSignal<HashMap<String, MirrorInfo>>,
    /// Label typed for the next highlight.
    pub highlight_label: RwSignal<String>,
    /// Voice calls: the media (not reactive) and what the views show of it.
    pub calls: StoredValue<Calls, LocalStorage>,
    pub call_ui: RwSignal<HashMap<String, CallUi>>,
    /// Open form panels, by session.
    pub forms: RwSignal<HashMap<String, FormPanel>>,
    /// The disposition tags a wrap-up may carry, as the server's welcome lists them.
    pub dispositions: RwSignal<Vec<String>>,
    link: StoredValue<Option<Link>, LocalStorage>,
    sent: StoredValue<HashMap<u64, Sent>>,
    /// Unsent text per session, kept when the agent switches tabs.
    drafts: StoredValue<HashMap<String, String>>,
    next_toast: StoredValue<u64>,
}

impl Console {
    pub fn new() -> Self {
        Console {
            auth: RwSignal::new(Auth::Checking),
            presence: RwSignal::new(AgentPresence::Offline),
            presence_asked: RwSignal::new(None),
            connection: RwSignal::new(Connection::Connecting),
            queue: RwSignal::new(Vec::new()),
            queue_total: RwSignal::new(0),
            chats: RwSignal::new(Vec::new()),
            selected: RwSignal::new(None),
            accepting: RwSignal::new(None),
            offer: RwSignal::new(None),
            board: RwSignal::new(None),
            library: RwSignal::new(Vec::new()),
            skew: RwSignal::new(0),
            now: RwSignal::new(clock::now()),
            visible: RwSignal::new(true),
            toasts: RwSignal::new(Vec::new()),
            mirrors: StoredValue::new_local(Mirrors::default()),
            mirror_info: RwSignal::new(HashMap::new()),
            highlight_label: RwSignal::new(String::new()),
            calls: StoredValue::new_local(Calls::default()),
            call_ui: RwSignal::new(HashMap::new()),
            forms: RwSignal::new(HashMap::new()),
            dispositions: RwSignal::new(Vec::new()),
            link: StoredValue::new_local(None),
            sent: StoredValue::new(HashMap::new()),
            drafts: StoredValue::new(HashMap::new()),
            next_toast: StoredValue::new(0),
        }
    }

    /// Server time now, ticking each second (reactive).
    pub fn server_now(&self) -> Millis {
        self.now.get() + self.skew.get()
    }

    pub fn is_connected(&self) -> bool {
        self.connection.get() == Connection::Open
    }

    // ---- socket -------------------------------------------------------

    pub fn set_link(&self, link: Option<Link>) {
        if let Some(old) = self
            .link
            .try_update_value(|l| std::mem::replace(l, link))
            .flatten()
        {
            old.stop();
        }
    }

    /// Sends a frame if the socket is open; returns its request id.
    pub fn send(&self, frame: ClientFrame) -> Option<u64> {
        self.link
            .with_value(|l| l.as_ref().and_then(|l| l.send(frame)))
    }

    /// Sends a frame and remembers what it was for, so an error can be traced back.
    pub fn send_tracked(&self, frame: ClientFrame, what: Sent) -> Option<u64> {
        let rid = self.send(frame)?;
        self.sent.update_value(|m| {
            m.insert(rid, what);
        });
        Some(rid)
    }

    /// What request `rid` was, if it was tracked. Each id is answered at most once.
    pub fn take_sent(&self, rid: u64) -> Option<Sent> {
        self.sent.try_update_value(|m| m.remove(&rid)).flatten()
    }

    /// Forgets tracked requests once the server has evidently handled them.
    pub fn forget_sent(&self, done: impl Fn(&Sent) -> bool) {
        self.sent.update_value(|m| m.retain(|_, s| !done(s)));
    }

    /// Number of the current connection (see `Chat::take_resend`).
    pub fn connection_number(&self) -> Option<u64> {
        self.link.with_value(|l| l.as_ref().map(Link::connection))
    }

    // ---- chats ----------------------------------------------------------

    /// Adds or refreshes a chat from a summary; returns true when it is new.
    pub fn upsert_summary(&self, summary: SessionSummary) -> bool {
        let mut added = false;
        self.chats.update(
            |chats| match chats.iter_mut().find(|c| c.id() == summary.id) {
                Some(chat) => chat.set_summary(summary),
                None => {
                    chats.push(Chat::new(summary));
                    added = true;
                }
            },
        );
        added
    }

    pub fn has_chat(&self, id: &str) -> bool {
        self.chats
            .with_untracked(|chats| chats.iter().any(|c| c.id() == id))
    }

    /// Changes one chat; `None` when there is no such chat.
    pub fn update_chat<R>(&self, id: &str, f: impl FnOnce(&mut Chat) -> R) -> Option<R> {
        let mut out = None;
        self.chats.update(|chats| {
            if let Some(chat) = chats.iter_mut().find(|c| c.id() == id) {
                out = Some(f(chat));
            }
        });
        out
    }

    /// Reads one chat, subscribing the caller (a memo, a view) to changes
    /// of the chat list.
    pub fn with_chat<R>(&self, id: &str, f: impl FnOnce(&Chat) -> R) -> Option<R> {
        self.chats
            .with(|chats| chats.iter().find(|c| c.id() == id).map(f))
    }

    /// Reads one chat without subscribing to changes.
    pub fn peek_chat<R>(&self, id: &str, f: impl FnOnce(&Chat) -> R) -> Option<R> {
        self.chats
            .with_untracked(|chats| chats.iter().find(|c| c.id() == id).map(f))
    }

    /// Removes a chat's tab (ended, or handed on) and moves to a neighbouring one.
    pub fn close_chat(&self, session: &str) {
        let mut next = None;
        self.chats.update(|chats| {
            if let Some(i) = chats.iter().position(|c| c.id() == session) {
                chats.remove(i);
                next = chats
                    .get(i)
                    .or_else(|| chats.last())
                    .map(|c| c.id().to_string());
            }
        });
        self.set_draft(session, String::new());
        if self.selected.get_untracked().as_deref() == Some(session) {
            self.selected.set(next);
        }
    }

    pub fn draft(&self, id: &str) -> String {
        self.drafts
            .with_value(|d| d.get(id).cloned().unwrap_or_default())
    }

    pub fn set_draft(&self, id: &str, text: String) {
        self.drafts.update_value(|d| {
            if text.is_empty() {
                d.remove(id);
            } else {
                d.insert(id.to_string(), text);
            }
        });
    }

    // ---- feedback -------------------------------------------------------

    /// Shows a message in the corner for a few seconds.
    pub fn toast(&self, text: impl Into<String>, code: Option<&str>) {
        let id = self.next_toast.try_update_value(|n| {
            *n += 1;
            *n
        });
        let Some(id) = id else { return };
        self.toasts.update(|t| {
            t.push(Toast {
                id,
                text: text.into(),
                code: code.map(Into::into),
            })
        });
        let toasts = self.toasts;
        set_timeout(
            move || toasts.update(|t| t.retain(|x| x.id != id)),
            Duration::from_millis(TOAST_MS),
        );
    }

    pub fn dismiss_toast(&self, id: u64) {
        self.toasts.update(|t| t.retain(|x| x.id != id));
    }

    /// Drops everything tied to the signed-in agent.
    pub fn clear_workspace(&self) {
        self.set_link(None);
        self.presence.set(AgentPresence::Offline);
        self.presence_asked.set(None);
        self.connection.set(Connection::Connecting);
        self.queue.set(Vec::new());
        self.queue_total.set(0);
        self.chats.set(Vec::new());
        self.selected.set(None);
        self.accepting.set(None);
        self.sent.set_value(HashMap::new());
        self.drafts.set_value(HashMap::new());
        // The mirrors' stages unmount with their chats; what they held goes now.
        self.mirrors.set_value(Mirrors::default());
        self.mirror_info.set(HashMap::new());
        self.highlight_label.set(String::new());
        // Hangs up: microphones stop, peer connections close.
        self.calls.set_value(Calls::default());
        self.call_ui.set(HashMap::new());
        self.forms.set(HashMap::new());
        // The workspace put counts in the title; they mean nothing signed out.
        document().set_title(PAGE_TITLE);
    }
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}
