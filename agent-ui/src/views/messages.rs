//! The message list of one chat: visitor and agent bubbles, centred system
//! lines, receipts under the agent's messages and the typing indicator.

use leptos::html;
use leptos::prelude::*;
use protocol::{Receipts, Role};

use crate::chat::{Delivery, Row, RowKind};
use crate::state::Console;
use crate::{actions, clock, format};

/// Within this many pixels of the bottom the list follows new messages;
/// further up the agent is reading history and is left alone.
const STICK_PX: i32 = 48;

#[component]
pub fn MessageList(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let rows = {
        let id = id.clone();
        Memo::new(move |_| {
            console.chats.with(|chats| {
                chats
                    .iter()
                    .find(|c| c.id() == id)
                    .map(|c| c.rows())
                    .unwrap_or_default()
            })
        })
    };
    let typing = {
        let id = id.clone();
        Memo::new(move |_| {
            let now = console.now.get();
            console
                .chats
                .with(|chats| chats.iter().any(|c| c.id() == id && c.visitor_typing(now)))
        })
    };
    let receipts = {
        let id = id.clone();
        Memo::new(move |_| {
            console.chats.with(|chats| {
                chats
                    .iter()
                    .find(|c| c.id() == id)
                    .map(|c| c.receipts)
                    .unwrap_or_default()
            })
        })
    };
    let visitor = {
        let id = id.clone();
        Memo::new(move |_| {
            console.chats.with(|chats| {
                chats
                    .iter()
                    .find(|c| c.id() == id)
                    .map(|c| {
                        format::visitor_label(
                            c.summary.visitor_name.as_deref(),
                            &c.summary.visitor_id,
                        )
                    })
                    .unwrap_or_default()
            })
        })
    };

    let list = NodeRef::<html::Div>::new();
    let stick = StoredValue::new(true);
    let on_scroll = move |_| {
        if let Some(el) = list.get_untracked() {
            stick.set_value(el.scroll_height() - el.scroll_top() - el.client_height() < STICK_PX);
        }
    };
    // Follow new rows (and the typing line) when at the bottom, and always
    // after the agent's own message.
    Effect::new(move |_| {
        let own = rows.with(|r| {
            matches!(
                r.last(),
                Some(Row {
                    kind: RowKind::Pending { .. },
                    ..
                })
            )
        });
        typing.track();
        if own || stick.get_value() {
            request_animation_frame(move || {
                if let Some(el) = list.get_untracked() {
                    el.set_scroll_top(el.scroll_height());
                }
            });
        }
    });

    view! {
        <div class="messages" node_ref=list on:scroll=on_scroll data-testid="messages">
            <For each=move || rows.get() key=|row| row.key.clone() let:row>
                {render_row(console, &id, row, visitor, receipts)}
            </For>
            <Show when=move || typing.get()>
                <div class="typing-line" data-testid="typing-indicator">
                    <span class="typing-dots" aria-hidden="true">
                        <i></i>
                        <i></i>
                        <i></i>
                    </span>
                    {move || format!("{} is typing…", visitor.get())}
                </div>
            </Show>
        </div>
    }
}

fn render_row(
    console: Console,
    session: &str,
    row: Row,
    visitor: Memo<String>,
    receipts: Memo<Receipts>,
) -> AnyView {
    let time = clock::wall_time(row.at);
    let full = clock::full_time(row.at);
    match row.kind {
        RowKind::System { seq, text } => view! {
            <div class="message system" data-testid="message" data-author="system" data-seq=seq.to_string()>
                <span>{text}</span>
                <time title=full>{time}</time>
            </div>
        }
        .into_any(),
        RowKind::Message { seq, author, author_name, text, starts_group } => {
            let (author_attr, side) = match author {
                Role::Visitor => ("visitor", "from-visitor"),
                Role::Agent => ("agent", "from-agent"),
                Role::System => ("system", "from-system"),
            };
            let name = author_name.unwrap_or_else(|| match author {
                Role::Visitor => visitor.get_untracked(),
                _ => "Agent".to_string(),
            });
            let receipt = (author == Role::Agent).then(|| move || receipts.with(|r| receipt_view(Delivery::of(seq, r))));
            let class = if starts_group { format!("message {side}") } else { format!("message {side} grouped") };
            view! {
                <div class=class data-testid="message" data-author=author_attr data-seq=seq.to_string()>
                    {starts_group
                        .then(|| {
                            view! {
                                <div class="meta">
                                    <span class="who">{name}</span>
                                    <time title=full>{time}</time>
                                </div>
                            }
                        })}
                    <div class="bubble">{text}</div>
                    {receipt}
                </div>
            }
            .into_any()
        }
        RowKind::Pending { client_id, text, failed } => {
            let status = match failed {
                None => view! { <span class="receipt" data-testid="receipt" data-state="pending">"Sending…"</span> }.into_any(),
                Some(reason) => {
                    let session = session.to_string();
                    let id = client_id.clone();
                    view! {
                        <span class="receipt receipt-failed" data-testid="receipt" data-state="failed">
                            {format!("Not sent: {reason}")}
                            <button
                                type="button"
                                class="link-button"
                                on:click=move |_| actions::retry_message(console, &session, &id)
                            >
                                "Retry"
                            </button>
                        </span>
                    }
                    .into_any()
                }
            };
            view! {
                <div class="message from-agent pending" data-testid="message" data-author="agent" data-pending="true" data-client-id=client_id>
                    <div class="bubble">{text}</div>
                    {status}
                </div>
            }
            .into_any()
        }
    }
}

fn receipt_view(delivery: Delivery) -> impl IntoView {
    let (state, text) = match delivery {
        Delivery::Sent => ("sent", "✓ Sent"),
        Delivery::Delivered => ("delivered", "✓✓ Delivered"),
        Delivery::Read => ("read", "Read"),
    };
    view! { <span class=format!("receipt receipt-{state}") data-testid="receipt" data-state=state>{text}</span> }
}
