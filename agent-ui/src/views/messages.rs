//! The message list of one chat: visitor and agent bubbles, centred system
//! lines, receipts under the agent's messages and the typing indicator.

use leptos::html;
use leptos::prelude::*;
use protocol::{Receipts, Role};

use crate::chat::{Delivery, Row, RowKind};
use crate::state::Console;
use crate::{chat, clock, format};

/// Within this many pixels of the bottom the list follows new messages;
/// further up the agent is reading history and is left alone.
const STICK_PX: i32 = 48;

#[component]
pub fn MessageList(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let rows = {
        let id = id.clone();
        Memo::new(move |_| console.with_chat(&id, |c| c.rows()).unwrap_or_default())
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
        Memo::new(move |_| console.with_chat(&id, |c| c.receipts).unwrap_or_default())
    };
    let visitor = {
        let id = id.clone();
        Memo::new(move |_| {
            console
                .with_chat(&id, |c| {
                    format::visitor_label(c.summary.visitor_name.as_deref(), &c.summary.visitor_id)
                })
                .unwrap_or_default()
        })
    };

    // Receipts are spelled out on the newest agent message and on any the
    // visitor has not read yet; older read messages need no label.
    let last_agent_seq = Memo::new(move |_| {
        rows.with(|rows| {
            rows.iter()
                .rev()
                .find_map(|r| match r.kind {
                    RowKind::Message {
                        seq,
                        author: Role::Agent,
                        ..
                    } => Some(seq),
                    _ => None,
                })
                .unwrap_or(0)
        })
    });
    let shared = RowContext {
        console,
        session: id,
        visitor,
        receipts,
        last_agent_seq,
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
            // The frame may come after the chat was closed: `try_` then
            // finds the node ref gone instead of panicking.
            request_animation_frame(move || {
                if let Some(el) = list.try_get_untracked().flatten() {
                    el.set_scroll_top(el.scroll_height());
                }
            });
        }
    });

    view! {
        <div
            class="messages"
            node_ref=list
            on:scroll=on_scroll
            data-testid="messages"
            tabindex="0"
            role="region"
            aria-label="Messages"
        >
            <For each=move || rows.get() key=|row| row.key.clone() let:row>
                {render_row(&shared, row)}
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

/// What every row of one list needs besides its own data.
#[derive(Clone)]
struct RowContext {
    console: Console,
    session: String,
    visitor: Memo<String>,
    receipts: Memo<Receipts>,
    last_agent_seq: Memo<u64>,
}

fn render_row(cx: &RowContext, row: Row) -> AnyView {
    let RowContext {
        console,
        visitor,
        receipts,
        last_agent_seq,
        ..
    } = *cx;
    let session = cx.session.as_str();
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
            let is_agent = author == Role::Agent;
            let delivery = move || is_agent.then(|| receipts.with(|r| Delivery::of(seq, r)));
            let receipt = move || {
                delivery()
                    .filter(|d| *d != Delivery::Read || seq == last_agent_seq.get())
                    .map(receipt_view)
            };
            let receipt_state = move || delivery().map(Delivery::name);
            let class = if starts_group { format!("message {side}") } else { format!("message {side} grouped") };
            view! {
                <div
                    class=class
                    data-testid="message"
                    data-author=author_attr
                    data-seq=seq.to_string()
                    data-receipt=receipt_state
                >
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
        RowKind::Note { seq, author_name, text } => {
            let who = author_name.unwrap_or_else(|| "Agent".to_string());
            view! {
                <div class="message note" data-testid="note" data-seq=seq.to_string()>
                    <div class="meta">
                        <span class="who">{format!("Private note · {who}")}</span>
                        <time title=full>{time}</time>
                    </div>
                    <div class="bubble">{text}</div>
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
                                on:click=move |_| chat::retry_message(console, &session, &id)
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
    let text = match delivery {
        Delivery::Sent => "✓ Sent",
        Delivery::Delivered => "✓✓ Delivered",
        Delivery::Read => "Read",
    };
    let state = delivery.name();
    view! {
        <span class=format!("receipt receipt-{state}") data-testid="receipt" data-state=state>
            {text}
        </span>
    }
}
