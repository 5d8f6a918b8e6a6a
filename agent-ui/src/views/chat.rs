//! The selected chat: header with who and where, the messages, and either
//! the composer or, once ended, the wrap-up card (wrapup.rs).

use leptos::prelude::*;
use protocol::{Callback, PageInfo, SessionState, ShareState, VisitorSeen};

use super::Avatar;
use super::call_tools::{CallBar, CallButton};
use super::callback::CallbackLine;
use super::cobrowse_tools::ScreenControls;
use super::composer::Composer;
use super::customer::CustomerPanel;
use super::messages::MessageList;
use super::transfer::TransferButton;
use super::wrapup::WrapupCard;
use crate::state::Console;
use crate::{clock, format, session};

/// The header's facts, recomputed only when the summary changes.
#[derive(Clone, PartialEq)]
struct HeaderInfo {
    label: String,
    page: Option<PageInfo>,
    topic: Option<String>,
    state: SessionState,
    requested_at: i64,
    ended_at: Option<i64>,
    share: ShareState,
    callback: Option<Callback>,
    presence: Option<VisitorSeen>,
}

#[component]
pub fn ChatPane(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let header = {
        let id = id.clone();
        Memo::new(move |_| {
            console.with_chat(&id, |c| {
                let s = &c.summary;
                HeaderInfo {
                    label: format::visitor_label(s.visitor_name.as_deref(), &s.visitor_id),
                    page: s.page.clone(),
                    topic: s.topic.clone(),
                    state: s.state,
                    requested_at: s.requested_at,
                    ended_at: s.ended_at,
                    share: s.share,
                    callback: s.callback.clone(),
                    presence: s.visitor_presence,
                }
            })
        })
    };
    let ended = Memo::new(move |_| {
        header.with(|h| h.as_ref().is_some_and(|h| h.state == SessionState::Ended))
    });
    let session = id.clone();
    let section_id = id.clone();
    let panel_id = id.clone();
    view! {
        <section class="chat" data-testid="chat" data-session=section_id>
            {move || header.get().map(|info| view! { <ChatHeader id=id.clone() info=info /> })}
            <CallBar id=session.clone() />
            <div class="chat-body">
                <div class="chat-main">
                    <MessageList id=session.clone() />
                    {move || {
                        if ended.get() {
                            view! { <WrapupCard id=session.clone() /> }.into_any()
                        } else {
                            view! { <Composer id=session.clone() /> }.into_any()
                        }
                    }}
                </div>
                <CustomerPanel id=panel_id />
            </div>
        </section>
    }
}

#[component]
fn ChatHeader(id: String, info: HeaderInfo) -> impl IntoView {
    let console = expect_context::<Console>();
    let HeaderInfo {
        label,
        page,
        topic,
        state,
        requested_at,
        ended_at,
        share,
        callback,
        presence,
    } = info;
    // Only while the chat is open: an ended chat's visitor is history.
    let presence = presence
        .filter(|_| state != SessionState::Ended)
        .map(|seen| {
            view! {
                <span
                    class="visitor-presence"
                    data-testid="visitor-presence"
                    data-presence=format::visitor_presence_name(&seen)
                    title=clock::full_time(seen.since)
                >
                    {format::visitor_presence(&seen, clock::wall_time)}
                </span>
            }
        });
    let since = move || match ended_at {
        Some(at) => format!("Ended at {}", clock::wall_time(at)),
        None => format!(
            "Requested {} ago",
            format::elapsed(console.server_now() - requested_at)
        ),
    };
    let page = page.map(|page| {
        let title = format::page_title(&page);
        let place = format::host_and_path(&page.url);
        let link = format::is_web_url(&page.url).then(|| {
            view! {
                <a class="page-link" href=page.url.clone() target="_blank" rel="noopener noreferrer" title=page.url.clone()>
                    {place.clone()}
                </a>
            }
        });
        view! {
            <span class="page-title" title=title.clone()>{title.clone()}</span>
            {link}
        }
    });
    let screen = (state == SessionState::Active)
        .then(|| view! { <ScreenControls id=id.clone() share=share /> });
    let transfer =
        (state == SessionState::Active).then(|| view! { <TransferButton id=id.clone() /> });
    let call = (state == SessionState::Active).then(|| view! { <CallButton id=id.clone() /> });
    let end = move |_| session::end_chat(console, &id);
    view! {
        <header class="chat-head">
            <Avatar label=label.clone() large=true />
            <div class="chat-head-main">
                <div class="chat-title">
                    <h2 data-testid="chat-visitor">{label}</h2>
                    {(state == SessionState::Ended).then(|| view! { <span class="state-pill state-ended">"Ended"</span> })}
                    {presence}
                </div>
                <div class="chat-facts">
                    {page}
                    {topic.map(|t| view! { <span class="chip">{t}</span> })}
                    <span class="since" title=clock::full_time(requested_at)>{since}</span>
                </div>
                {callback.map(|c| view! { <CallbackLine callback=c linked=true /> })}
            </div>
            {call}
            {screen}
            {transfer}
            {(state != SessionState::Ended)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="btn btn-danger-outline"
                            data-testid="end-session"
                            disabled=move || !console.is_connected()
                            on:click=end
                        >
                            "End chat"
                        </button>
                    }
                })}
        </header>
    }
}
