//! Voice-call controls: the Call button in the chat header, and the call
//! bar above the messages (a visitor's incoming call with Accept / Decline,
//! our ringing call, then state, duration, level meters, mute and hang up,
//! and for a few seconds how the call ended).

use leptos::html;
use leptos::prelude::*;
use protocol::{CallEndReason, CallPhase, Millis, Role, SessionState};
use voice::Link;

use super::LineIcon;
use crate::call::{self, ENDED_SHOWN_MS};
use crate::format;
use crate::state::Console;

/// What the bar shows, derived from the server's call and this console's media.
#[derive(Debug, Clone, PartialEq)]
enum Bar {
    Hidden,
    /// The visitor is calling.
    Incoming {
        call: String,
        asking_mic: bool,
    },
    /// Our call rings on the visitor's side.
    Calling,
    /// This console holds the call's media.
    OnCall {
        link: Link,
        muted: bool,
        remote_muted: bool,
        connected_at: Option<Millis>,
    },
    /// Answered elsewhere (another window, or before a reload).
    Elsewhere,
    Ended {
        text: String,
        reason: &'static str,
    },
}

impl Bar {
    fn state(&self) -> &'static str {
        match self {
            Bar::Hidden => "",
            Bar::Incoming { .. } => "incoming",
            Bar::Calling => "calling",
            Bar::OnCall { link, .. } => link.as_str(),
            Bar::Elsewhere => "elsewhere",
            Bar::Ended { .. } => "ended",
        }
    }
}

fn bar(console: Console, id: &str) -> Bar {
    let now = console.now.get();
    let ui = console
        .call_ui
        .with(|m| m.get(id).cloned().unwrap_or_default());
    let live = console.with_chat(id, |c| c.summary.call.clone()).flatten();
    match live {
        Some(c) if c.phase == CallPhase::Ringing && c.started_by == Role::Visitor && !ui.here => {
            Bar::Incoming {
                call: c.id,
                asking_mic: ui.asking_mic,
            }
        }
        Some(c) if c.phase == CallPhase::Ringing && c.started_by == Role::Agent && ui.here => {
            Bar::Calling
        }
        Some(_) if ui.here => Bar::OnCall {
            link: ui.link.unwrap_or(Link::Connecting),
            muted: ui.muted,
            remote_muted: ui.remote_muted,
            connected_at: ui.connected_at,
        },
        Some(c) if c.phase == CallPhase::Active => Bar::Elsewhere,
        _ => match ui.ended {
            Some((info, at)) if now - at < ENDED_SHOWN_MS => {
                let reason = info.end_reason.unwrap_or(CallEndReason::HungUp);
                let text = match reason {
                    CallEndReason::Declined if info.started_by == Role::Agent => {
                        "The visitor declined the call".to_string()
                    }
                    CallEndReason::Declined => "You declined the call".into(),
                    CallEndReason::Cancelled => "Call cancelled".into(),
                    CallEndReason::NoAnswer => "No answer".into(),
                    CallEndReason::Failed => {
                        "Call failed: no network path between you and the visitor".into()
                    }
                    CallEndReason::Transferred => "Call ended: the chat was transferred".into(),
                    CallEndReason::Interrupted => "Call cut off: the server restarted".into(),
                    _ => match (info.answered_at, info.ended_at) {
                        (Some(a), Some(e)) => format!("Call ended — {}", format::elapsed(e - a)),
                        _ => "Call ended".into(),
                    },
                };
                Bar::Ended {
                    text,
                    reason: reason.as_str(),
                }
            }
            _ => Bar::Hidden,
        },
    }
}

/// In the chat header: start a call. Disabled, with the reason as its
/// tooltip, when a call is not possible.
#[component]
pub fn CallButton(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let session = StoredValue::new(id.clone());
    let blocked = Memo::new(move |_| {
        let busy = console.with_chat(&id, |c| (c.summary.state, c.summary.call.is_some()));
        let asking = console
            .call_ui
            .with(|m| m.get(&id).is_some_and(|u| u.asking_mic || u.here));
        match busy {
            _ if !console.is_connected() => Some("Not connected to the server"),
            Some((SessionState::Active, false)) if !asking => None,
            Some((SessionState::Active, _)) => Some("A call is already in progress"),
            _ => Some("Calls are possible only in an active chat"),
        }
    });
    view! {
        <button
            type="button"
            class="btn btn-sm btn-call"
            data-testid="call-start"
            title=move || blocked.get().unwrap_or("Call the visitor (they are asked to accept, then their browser asks for the microphone)")
            disabled=move || blocked.get().is_some()
            on:click=move |_| call::start(console, session.get_value())
        >
            <PhoneIcon />
            "Call"
        </button>
    }
}

/// Above the messages of the selected chat.
#[component]
pub fn CallBar(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let session = StoredValue::new(id.clone());
    let state = Memo::new(move |_| bar(console, &id));
    let local = NodeRef::<html::Span>::new();
    let remote = NodeRef::<html::Span>::new();
    Effect::new(move |_| {
        if let (Some(l), Some(r)) = (local.get(), remote.get()) {
            session.with_value(|id| call::show_meters(console, id, Some((l.into(), r.into()))));
        }
    });
    on_cleanup(move || {
        if let Some(id) = session.try_get_value() {
            call::show_meters(console, &id, None);
        }
    });
    let label = move || match state.get() {
        Bar::Hidden => String::new(),
        Bar::Incoming {
            asking_mic: false, ..
        } => "The visitor is calling you".into(),
        Bar::Incoming {
            asking_mic: true, ..
        } => "Allow the microphone in your browser to answer…".into(),
        Bar::Calling => "Calling the visitor…".into(),
        Bar::OnCall {
            link: Link::Connecting,
            ..
        } => "Connecting…".into(),
        Bar::OnCall {
            link: Link::Connected,
            ..
        } => "On a call with the visitor".into(),
        Bar::OnCall {
            link: Link::Reconnecting,
            ..
        } => "Reconnecting…".into(),
        Bar::Elsewhere => "A call is in progress in another window".into(),
        Bar::Ended { text, .. } => text,
    };
    let clock = move || match state.get() {
        Bar::OnCall {
            connected_at: Some(at),
            ..
        } => format::elapsed(console.now.get() - at),
        _ => String::new(),
    };
    let note = move || match state.get() {
        Bar::OnCall {
            remote_muted: true, ..
        } => "The visitor muted their microphone",
        _ => "",
    };
    let on_call = move || matches!(state.get(), Bar::OnCall { .. });
    let muted = move || matches!(state.get(), Bar::OnCall { muted: true, .. });
    let hang = move |_| session.with_value(|id| call::hang_up(console, id));
    let buttons = move || {
        match state.get() {
        Bar::Incoming { call: call_id, asking_mic } => {
            let decline_id = call_id.clone();
            view! {
                <button
                    type="button"
                    class="btn btn-sm"
                    data-testid="call-decline"
                    on:click=move |_| session.with_value(|id| call::decline(console, id, &decline_id))
                >
                    "Decline"
                </button>
                <button
                    type="button"
                    class="btn btn-sm btn-accept"
                    data-testid="call-accept"
                    disabled=asking_mic
                    on:click=move |_| call::accept(console, session.get_value(), call_id.clone())
                >
                    <PhoneIcon />
                    "Accept"
                </button>
            }
            .into_any()
        }
        Bar::Calling | Bar::Elsewhere => view! {
            <button type="button" class="btn btn-sm btn-hangup" data-testid="call-hangup" on:click=hang>
                "Hang up"
            </button>
        }
        .into_any(),
        Bar::OnCall { muted, .. } => view! {
            <button
                type="button"
                class="btn btn-sm btn-mute"
                data-testid="call-mute"
                aria-pressed=if muted { "true" } else { "false" }
                on:click=move |_| session.with_value(|id| call::toggle_mute(console, id))
            >
                {if muted { "Unmute" } else { "Mute" }}
            </button>
            <button type="button" class="btn btn-sm btn-hangup" data-testid="call-hangup" on:click=hang>
                "Hang up"
            </button>
        }
        .into_any(),
        Bar::Hidden | Bar::Ended { .. } => ().into_any(),
    }
    };
    view! {
        <div
            class="call-bar"
            role="status"
            data-testid="call-bar"
            data-state=move || state.get().state()
            data-reason=move || match state.get() {
                Bar::Ended { reason, .. } => Some(reason),
                _ => None,
            }
            data-muted=move || muted().to_string()
            hidden=move || state.get() == Bar::Hidden
        >
            <span class="call-icon" aria-hidden="true">
                <PhoneIcon />
            </span>
            <div class="call-texts">
                <span class="call-state" data-testid="call-state">{label}</span>
                <span class="call-clock" data-testid="call-duration">{clock}</span>
                <span class="call-note">{note}</span>
            </div>
            <div class="call-meters" aria-hidden="true" hidden=move || !on_call()>
                <span class="meter-label">"You"</span>
                <span class="meter meter-local" title="Your microphone" data-testid="call-level" node_ref=local>
                    <i></i>
                </span>
                <span class="meter-label">"Visitor"</span>
                <span class="meter meter-remote" title="The visitor" node_ref=remote>
                    <i></i>
                </span>
            </div>
            <div class="call-actions">{buttons}</div>
        </div>
    }
}

#[component]
fn PhoneIcon() -> impl IntoView {
    view! {
        <LineIcon size=15>
            <path d="M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z"></path>
        </LineIcon>
    }
}
