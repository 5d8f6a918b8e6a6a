//! The team board, a supervisor's view: queues per skill with their longest
//! wait, every agent's state and load, and today's service level, average
//! speed of answer, abandonment rate and average handle time (the same
//! figures `/metrics` exports). Refreshed every few seconds while shown.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::AgentPresence;
use protocol::api::SupervisorReply;

use crate::api;
use crate::format;

const REFRESH: Duration = Duration::from_secs(5);

#[component]
pub fn TeamBoard() -> impl IntoView {
    let data = RwSignal::new(None::<Result<SupervisorReply, String>>);
    let fetch = move || {
        spawn_local(async move {
            let answer = api::supervisor().await.map_err(|e| e.message());
            data.try_set(Some(answer));
        });
    };
    fetch();
    if let Ok(handle) = set_interval_with_handle(fetch, REFRESH) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <section class="team" data-testid="team-board">
            <h2>"Team"</h2>
            {move || match data.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="error-text">{message}</p> }.into_any(),
                Some(Ok(s)) => board(s).into_any(),
            }}
        </section>
    }
}

fn board(s: SupervisorReply) -> impl IntoView {
    let d = &s.today;
    let percent = |f: Option<f64>| f.map_or("—".to_string(), |f| format!("{:.0}%", f * 100.0));
    let secs =
        |f: Option<f64>| f.map_or("—".to_string(), |f| format::elapsed((f * 1000.0) as i64));
    let figures = [
        (
            "service-level",
            format!("Service level ({} s)", s.service_level_secs),
            percent(d.service_level),
        ),
        (
            "asa",
            "Average speed of answer".into(),
            secs(d.average_speed_of_answer_secs),
        ),
        (
            "abandonment",
            "Abandoned".into(),
            percent(d.abandonment_rate),
        ),
        (
            "aht",
            "Average handle time".into(),
            secs(d.average_handle_time_secs),
        ),
        (
            "answered",
            "Answered / offered".into(),
            format!("{} / {}", d.answered, d.offered),
        ),
        (
            "active",
            "Chats in progress".into(),
            s.live.active_sessions.to_string(),
        ),
    ]
    .into_iter()
    .map(|(id, label, value)| {
        view! {
            <div class="figure" data-testid="team-figure" data-figure=id>
                <span class="figure-value">{value}</span>
                <span class="figure-label">{label}</span>
            </div>
        }
    })
    .collect_view();
    let queues = if s.live.queues.is_empty() {
        view! { <p class="muted">"Nobody is waiting."</p> }.into_any()
    } else {
        let rows = s
            .live
            .queues
            .into_iter()
            .map(|(skill, q)| {
                let name = skill.clone();
                view! {
                    <tr data-testid="team-queue" data-skill=skill>
                        <td>{name}</td>
                        <td>{q.waiting}</td>
                        <td>{format::elapsed(q.longest_wait_secs * 1000)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="team-table">
                <thead><tr><th>"Queue"</th><th>"Waiting"</th><th>"Longest wait"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    let agents = s
        .live
        .agents
        .into_iter()
        .map(|a| {
            let state = match (a.presence, a.connected) {
                (_, false) => "offline",
                (AgentPresence::Online, true) => "online",
                (AgentPresence::Away, true) => "away",
                (AgentPresence::Offline, true) => "offline",
            };
            view! {
                <tr data-testid="team-agent" data-state=state>
                    <td>{a.name}</td>
                    <td><span class=format!("state-dot state-{state}")></span>{state}</td>
                    <td>{format!("{} / {}", a.open, a.capacity)}</td>
                    <td class="muted">{a.skills.join(", ")}</td>
                </tr>
            }
        })
        .collect_view();
    // In the order agents pick them (the protocol's list), any others after.
    let mut tags: Vec<(&String, &u32)> = d.dispositions.iter().collect();
    tags.sort_by_key(|(tag, _)| {
        protocol::DISPOSITIONS
            .iter()
            .position(|d| d == tag)
            .unwrap_or(usize::MAX)
    });
    let dispositions = tags
        .into_iter()
        .map(|(tag, n)| {
            view! {
                <div class="figure figure-small" data-testid="team-disposition" data-disposition=tag.clone()>
                    <span class="figure-value">{n.to_string()}</span>
                    <span class="figure-label">{format::disposition_label(tag)}</span>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="figures">{figures}</div>
        <h3>"Wrap-ups today"</h3>
        <div class="figures figures-small">{dispositions}</div>
        <h3>"Queues"</h3>
        {queues}
        <h3>"Agents"</h3>
        <table class="team-table">
            <thead><tr><th>"Agent"</th><th>"State"</th><th>"Chats"</th><th>"Skills"</th></tr></thead>
            <tbody>{agents}</tbody>
        </table>
    }
}
