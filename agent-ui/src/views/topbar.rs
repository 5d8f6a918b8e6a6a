//! The bar across the top: product, presence toggle, the agent, sign out.

use leptos::prelude::*;
use protocol::AgentPresence;
use protocol::api::AgentRole;

use super::Avatar;
use crate::api::Agent;
use crate::state::{Board, Console};
use crate::{connection, session};

#[component]
pub fn TopBar(agent: Agent) -> impl IntoView {
    let console = expect_context::<Console>();
    let roles = agent.roles.clone();
    let has = move |role: AgentRole| roles.contains(&role);
    view! {
        <header class="topbar">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true">"T"</span>
                <span class="brand-name">"Tandem"</span>
                <span class="brand-sub">"Agent console"</span>
            </div>
            <div class="topbar-right">
                // Only what the account's roles allow (the server checks
                // again): the library's editor for admins, the team board
                // for supervisors and admins, presence for agents.
                {has(AgentRole::Admin).then(|| view! {
                    <BoardToggle
                        board=Board::Library
                        label="Library"
                        testid="library-toggle"
                        hint="Canned responses and knowledge-base articles"
                    />
                })}
                {(has(AgentRole::Supervisor) || has(AgentRole::Admin)).then(|| view! {
                    <BoardToggle
                        board=Board::Team
                        label="Team"
                        testid="team-toggle"
                        hint="Queues, agents and today's service figures"
                    />
                })}
                {has(AgentRole::Agent).then(|| view! { <PresenceToggle /> })}
                <div class="me" title=agent.email.clone()>
                    <Avatar label=agent.name.clone() />
                    <span class="me-name" data-testid="agent-name">{agent.name.clone()}</span>
                </div>
                <button
                    type="button"
                    class="btn btn-ghost"
                    data-testid="logout"
                    on:click=move |_| connection::sign_out(console)
                >
                    "Sign out"
                </button>
            </div>
        </header>
    }
}

/// Opens `board` in the pane, or closes it when it is open.
#[component]
fn BoardToggle(
    board: Board,
    label: &'static str,
    testid: &'static str,
    hint: &'static str,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let open = move || console.board.get() == Some(board);
    view! {
        <button
            type="button"
            class="btn btn-ghost"
            class:btn-on=open
            data-testid=testid
            title=hint
            aria-pressed=move || open().to_string()
            on:click=move |_| console.board.update(|b| *b = if *b == Some(board) { None } else { Some(board) })
        >
            {label}
        </button>
    }
}

/// Shows the presence the server confirmed; a click asks for the other one.
#[component]
fn PresenceToggle() -> impl IntoView {
    let console = expect_context::<Console>();
    let presence = console.presence;
    let (name, label) = (
        move || presence_name(presence.get()),
        move || match presence.get() {
            AgentPresence::Online => "Online",
            AgentPresence::Away => "Away",
            AgentPresence::Offline => "Offline",
        },
    );
    let toggle = move |_| {
        let next = match presence.get_untracked() {
            AgentPresence::Online => AgentPresence::Offline,
            AgentPresence::Away | AgentPresence::Offline => AgentPresence::Online,
        };
        session::set_presence(console, next);
    };
    let title = move || match presence.get() {
        AgentPresence::Online => "You receive new chats. Click to go offline.",
        _ => "You receive no new chats. Click to go online.",
    };
    view! {
        <button
            type="button"
            class="presence"
            data-testid="presence-toggle"
            data-presence=name
            aria-busy=move || console.presence_asked.get().is_some().to_string()
            disabled=move || !console.is_connected()
            title=title
            on:click=toggle
        >
            <span class="presence-dot" aria-hidden="true"></span>
            <span>{label}</span>
        </button>
    }
}

fn presence_name(p: AgentPresence) -> &'static str {
    match p {
        AgentPresence::Online => "online",
        AgentPresence::Away => "away",
        AgentPresence::Offline => "offline",
    }
}
