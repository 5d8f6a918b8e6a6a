//! The signed-in screen: top bar, connection banner, the left column
//! (queue and my chats) and the selected chat.

use leptos::prelude::*;
use protocol::AgentPresence;

use super::chat::ChatPane;
use super::chat_list::ChatList;
use super::library::LibraryBoard;
use super::mirror::{MirrorDeck, is_sharing};
use super::offer::{OfferCard, OfferVoice};
use super::queue::Queue;
use super::team::TeamBoard;
use super::topbar::TopBar;
use crate::api::Agent;
use crate::state::{Board, Connection, Console, PAGE_TITLE};
use crate::{chat, keyboard, library};

#[component]
pub fn Workspace(agent: Agent) -> impl IntoView {
    let console = expect_context::<Console>();
    chat::watch_reads(console);
    keyboard::install(console);
    library::load_library(console);
    count_in_title(console);

    // Only a change of selection rebuilds the pane (and its composer).
    let selected = Memo::new(move |_| console.selected.get());
    // The selected visitor shares their screen: the mirror takes the wide column.
    // The team board takes the whole pane.
    let with_mirror = Memo::new(move |_| {
        let Some(id) = console
            .selected
            .get()
            .filter(|_| console.board.get().is_none())
        else {
            return false;
        };
        console
            .chats
            .with(|chats| chats.iter().any(|c| c.id() == id && is_sharing(c)))
    });

    view! {
        <div class="workspace">
            <TopBar agent=agent />
            <ConnectionBanner />
            <div class="columns">
                <aside class="sidebar">
                    <OfferVoice />
                    <OfferCard />
                    <Queue />
                    <ChatList />
                </aside>
                <main class="pane" class:with-mirror=move || with_mirror.get()>
                    <MirrorDeck />
                    <div class="pane-chat">
                        // A board does not follow the selection, so its state
                        // (a half-filled form) survives chats coming and going.
                        {move || match console.board.get() {
                            Some(Board::Team) => view! { <TeamBoard /> }.into_any(),
                            Some(Board::Library) => view! { <LibraryBoard /> }.into_any(),
                            None => match selected.get() {
                                Some(id) => view! { <ChatPane id=id /> }.into_any(),
                                None => view! { <NoChat /> }.into_any(),
                            },
                        }}
                    </div>
                </main>
            </div>
        </div>
    }
}

/// Shown while the socket is down; actions are disabled meanwhile.
#[component]
fn ConnectionBanner() -> impl IntoView {
    let console = expect_context::<Console>();
    move || {
        let text = match console.connection.get() {
            Connection::Open => return None,
            Connection::Connecting => "Connecting…".to_string(),
            Connection::Retrying { retry_at } => {
                let secs = (retry_at - console.now.get() + 999) / 1000;
                if secs > 1 {
                    format!("Reconnecting… next attempt in {secs} s")
                } else {
                    "Reconnecting…".to_string()
                }
            }
        };
        Some(view! {
            <div class="banner" role="status" data-testid="connection-banner">
                <span class="spinner" aria-hidden="true"></span>
                {text}
            </div>
        })
    }
}

#[component]
fn NoChat() -> impl IntoView {
    let console = expect_context::<Console>();
    let text = move || {
        if console.presence.get() == AgentPresence::Online {
            "Accept a visitor from the queue to start chatting."
        } else {
            "Go online to receive chats. Chats you accept open here."
        }
    };
    view! {
        <div class="no-chat">
            <h2>"No chat selected"</h2>
            <p>{text}</p>
        </div>
    }
}

/// "(3) Tandem" when visitors wait or messages are unread, so a background
/// tab still tells the agent something needs them.
fn count_in_title(console: Console) {
    Effect::new(move |_| {
        let waiting = console.queue.with(Vec::len);
        let unread: usize = console
            .chats
            .with(|chats| chats.iter().map(|c| c.unread()).sum());
        let title = match waiting + unread {
            0 => PAGE_TITLE.to_string(),
            n => format!("({n}) {PAGE_TITLE}"),
        };
        document().set_title(&title);
    });
}
