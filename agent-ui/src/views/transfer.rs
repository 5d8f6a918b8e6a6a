//! "Transfer": hand the chat to a colleague who has room, or send it to the
//! queue of another skill (e.g. level 2), with a private note for whoever
//! takes it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::AgentPresence;
use protocol::limits::{MAX_MESSAGE_CHARS, MAX_SHORT_CHARS};

use crate::api::{self, AgentStatus};
use crate::state::{Auth, Console};
use crate::transfer;

/// Who the chat goes to, as picked in the panel.
#[derive(Clone, PartialEq)]
enum Pick {
    Agent(String),
    Skill,
}

#[component]
pub fn TransferButton(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let open = RwSignal::new(false);
    let session = StoredValue::new(id);
    view! {
        <div class="transfer">
            <button
                type="button"
                class="btn btn-sm"
                data-testid="transfer-open"
                title="Hand this chat to a colleague or another team"
                aria-expanded=move || open.get().to_string()
                disabled=move || !console.is_connected()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Transfer"
            </button>
            {move || {
                open.get()
                    .then(|| view! { <TransferPanel session=session.get_value() open=open /> })
            }}
        </div>
    }
}

#[component]
fn TransferPanel(session: String, open: RwSignal<bool>) -> impl IntoView {
    let console = expect_context::<Console>();
    let roster = RwSignal::new(None::<Result<Vec<AgentStatus>, String>>);
    let pick = RwSignal::new(None::<Pick>);
    let skill = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let me = console.auth.with_untracked(|a| match a {
        Auth::SignedIn(agent) => agent.id.clone(),
        _ => String::new(),
    });
    spawn_local(async move {
        let answer = api::roster().await.map_err(|e| e.message());
        roster.try_set(Some(
            answer.map(|list| list.into_iter().filter(|c| c.id != me).collect()),
        ));
    });
    let ready = move || match pick.get() {
        Some(Pick::Agent(_)) => true,
        Some(Pick::Skill) => !skill.with(|s| s.trim().is_empty()),
        None => false,
    };
    let session = StoredValue::new(session);
    let confirm = move |_| {
        let (agent, to_skill) = match pick.get_untracked() {
            Some(Pick::Agent(id)) => (Some(id), None),
            Some(Pick::Skill) => (None, Some(skill.get_untracked().trim().to_string())),
            None => return,
        };
        session.with_value(|id| {
            transfer::transfer(console, id, agent, to_skill, &note.get_untracked());
        });
        open.set(false);
    };
    let colleagues = move || match roster.get() {
        None => view! { <p class="muted">"Loading colleagues…"</p> }.into_any(),
        Some(Err(message)) => view! { <p class="error-text">{message}</p> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <p class="muted">"No other agents yet."</p> }.into_any()
        }
        Some(Ok(list)) => list
            .into_iter()
            .map(|c| colleague_row(c, pick))
            .collect_view()
            .into_any(),
    };
    view! {
        <div class="transfer-panel" role="dialog" aria-label="Transfer this chat" data-testid="transfer-panel">
            <h3>"Transfer this chat"</h3>
            <div class="transfer-targets">
                {colleagues}
                <label class="transfer-target">
                    <input
                        type="radio"
                        name="transfer-target"
                        data-testid="transfer-skill-pick"
                        prop:checked=move || pick.get() == Some(Pick::Skill)
                        on:change=move |_| pick.set(Some(Pick::Skill))
                    />
                    <span class="who">"Another team's queue"</span>
                    <input
                        type="text"
                        class="transfer-skill"
                        data-testid="transfer-skill"
                        placeholder="skill, e.g. level2"
                        maxlength=MAX_SHORT_CHARS.to_string()
                        prop:value=move || skill.get()
                        // Typing a skill picks the queue; tabbing past the
                        // field on the way to the note must not.
                        on:input=move |ev| {
                            skill.set(event_target_value(&ev));
                            pick.set(Some(Pick::Skill));
                        }
                    />
                </label>
            </div>
            <textarea
                rows="2"
                data-testid="transfer-note"
                maxlength=MAX_MESSAGE_CHARS.to_string()
                placeholder="Private note for the next agent (optional)"
                prop:value=move || note.get()
                on:input=move |ev| note.set(event_target_value(&ev))
            ></textarea>
            <div class="transfer-actions">
                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| open.set(false)>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="btn btn-primary btn-sm"
                    data-testid="transfer-confirm"
                    disabled=move || !ready()
                    on:click=confirm
                >
                    "Transfer"
                </button>
            </div>
        </div>
    }
}

/// One colleague: pickable only when online, connected and with a free slot.
fn colleague_row(c: AgentStatus, pick: RwSignal<Option<Pick>>) -> impl IntoView {
    let available = c.presence == AgentPresence::Online && c.connected && c.open < c.capacity;
    let status = match (c.presence, c.connected) {
        (AgentPresence::Online, true) if c.open >= c.capacity => "full".to_string(),
        (AgentPresence::Online, true) => format!("online · {}/{} chats", c.open, c.capacity),
        (AgentPresence::Away, true) => "away".to_string(),
        _ => "offline".to_string(),
    };
    let skills = (!c.skills.is_empty()).then(|| c.skills.join(", "));
    let id = c.id.clone();
    let picked = {
        let id = id.clone();
        move || pick.get() == Some(Pick::Agent(id.clone()))
    };
    view! {
        <label class="transfer-target" class:unavailable=!available data-testid="transfer-agent" data-agent=c.id.clone()>
            <input
                type="radio"
                name="transfer-target"
                disabled=!available
                prop:checked=picked
                on:change=move |_| pick.set(Some(Pick::Agent(id.clone())))
            />
            <span class="who">{c.name}</span>
            <span class="muted">{status}</span>
            {skills.map(|s| view! { <span class="chip">{s}</span> })}
        </label>
    }
}
