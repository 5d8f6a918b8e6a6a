//! The customer panel beside a chat ("screen pop" on accept): who the
//! visitor is and whether the site vouched for it, their attributes, the
//! pages of this visit, and their earlier conversations with transcripts and
//! private notes, so nobody has to repeat themselves.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::api::{CustomerReply, Transcript};
use protocol::{EventBody, Role, VisitorIdentity};

use crate::api;
use crate::state::Console;
use crate::{clock, format};

/// Pages shown before "and N more".
const PAGES_SHOWN: usize = 8;

#[component]
pub fn CustomerPanel(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let data = RwSignal::new(None::<Result<CustomerReply, String>>);
    // Fetched on open and again whenever the visitor identifies themselves
    // (the session summary's name changes) or moves to another page.
    let key = {
        let id = id.clone();
        Memo::new(move |_| {
            console.with_chat(&id, |c| {
                (
                    c.summary.visitor_name.clone(),
                    c.summary.page.as_ref().map(|p| p.url.clone()),
                )
            })
        })
    };
    let session = StoredValue::new(id);
    Effect::new(move |_| {
        key.track();
        let id = session.get_value();
        spawn_local(async move {
            let answer = api::customer(&id).await.map_err(|e| e.message());
            data.try_set(Some(answer));
        });
    });
    view! {
        <aside class="customer" data-testid="customer-panel">
            {move || match data.get() {
                None => view! { <p class="muted customer-loading">"Loading customer…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="error-text">{message}</p> }.into_any(),
                Some(Ok(c)) => customer_view(c).into_any(),
            }}
        </aside>
    }
}

fn customer_view(c: CustomerReply) -> impl IntoView {
    let crm = c
        .screen_pop
        .clone()
        .filter(|u| crate::screen_pop::is_web(u));
    let identity = c
        .visitor
        .as_ref()
        .map(|v| v.identity.clone())
        .unwrap_or_default();
    let first_seen = c.visitor.as_ref().map(|v| v.first_seen_at);
    let label = format::visitor_label(
        identity.name.as_deref(),
        c.visitor.as_ref().map_or("", |v| v.id.as_str()),
    );
    let more_pages = c.pages.len().saturating_sub(PAGES_SHOWN);
    let pages = c
        .pages
        .into_iter()
        .take(PAGES_SHOWN)
        .map(|p| {
            let title = if p.title.trim().is_empty() {
                format::host_and_path(&p.url)
            } else {
                p.title.clone()
            };
            view! {
                <li data-testid="customer-page" title=p.url.clone()>
                    <span class="cp-page">{title}</span>
                    <time>{clock::wall_time(p.at)}</time>
                </li>
            }
        })
        .collect_view();
    let previous_count = c.previous.len();
    let previous = c.previous.into_iter().map(past_chat).collect_view();
    view! {
        <section class="cp-section">
            <div class="cp-name">
                <strong data-testid="customer-name">{label}</strong>
                {trust_badge(&identity)}
            </div>
            {identity.email.clone().map(|e| view! { <div class="cp-line">{e}</div> })}
            {identity.id.clone().map(|id| view! { <div class="cp-line muted">{format!("User id {id}")}</div> })}
            {first_seen.map(|at| view! { <div class="cp-line muted">{format!("First seen {}", clock::full_time(at))}</div> })}
            {attributes(&identity)}
            {crm.map(|url| view! {
                <a class="cp-line cp-crm" data-testid="customer-crm" href=url target="_blank" rel="noopener noreferrer">
                    "Open in CRM"<span class="sr-only">" (opens in a new tab)"</span>
                </a>
            })}
        </section>
        <section class="cp-section">
            <h4>"This visit"</h4>
            <ul class="cp-pages">{pages}</ul>
            {(more_pages > 0).then(|| view! { <div class="muted cp-line">{format!("and {more_pages} earlier")}</div> })}
        </section>
        <section class="cp-section">
            <h4>{format!("Earlier conversations ({previous_count})")}</h4>
            {(previous_count == 0).then(|| view! { <p class="muted cp-line">"None: this is their first."</p> })}
            {previous}
        </section>
    }
}

/// Verified (the site signed the user id), unverified (the page only said
/// so), or nothing when the visitor never identified.
fn trust_badge(identity: &VisitorIdentity) -> Option<impl IntoView + use<>> {
    identity.id.as_ref()?;
    Some(if identity.verified {
        view! {
            <span class="trust trust-verified" data-testid="customer-trust" data-verified="true" title="The site signed this user id">
                "Verified"
            </span>
        }
    } else {
        view! {
            <span class="trust trust-unverified" data-testid="customer-trust" data-verified="false" title="The page named this user, but the site did not sign it: treat it as a claim">
                "Unverified"
            </span>
        }
    })
}

fn attributes(identity: &VisitorIdentity) -> Option<impl IntoView + use<>> {
    if identity.attributes.is_empty() {
        return None;
    }
    let rows = identity
        .attributes
        .iter()
        .map(|(k, v)| {
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            view! { <dt>{k.clone()}</dt><dd>{value}</dd> }
        })
        .collect_view();
    Some(view! { <dl class="cp-attrs">{rows}</dl> })
}

fn past_chat(p: Transcript) -> impl IntoView {
    let s = p.session;
    let who = s
        .agent
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| "nobody".to_string());
    let head = format!("{} · {who}", clock::full_time(s.requested_at));
    let lines = p
        .events
        .into_iter()
        .filter_map(|e| {
            let (class, text) = match (&e.body, e.author) {
                (EventBody::Message { text, .. }, Role::Visitor) => {
                    ("cp-msg from-visitor", text.clone())
                }
                (EventBody::Message { text, .. }, _) => ("cp-msg from-agent", text.clone()),
                (EventBody::Note { text }, _) => ("cp-msg cp-note", format!("Note: {text}")),
                (EventBody::Wrapup { disposition, note }, _) => {
                    let tag = format::disposition_label(disposition);
                    let text = match note {
                        Some(note) => format!("Wrap-up: {tag} · {note}"),
                        None => format!("Wrap-up: {tag}"),
                    };
                    ("cp-msg cp-wrapup", text)
                }
                _ => return None,
            };
            Some(view! { <li class=class>{text}</li> })
        })
        .collect_view();
    view! {
        <details class="cp-past" data-testid="customer-past" data-session=s.id.clone()>
            <summary>
                <span>{head}</span>
                {s.topic.map(|t| view! { <span class="chip">{t}</span> })}
                {p.wrapup.map(|w| view! {
                    <span class="chip chip-accent" data-testid="customer-past-wrapup">
                        {format::disposition_label(&w.disposition)}
                    </span>
                })}
            </summary>
            <ul class="cp-transcript">{lines}</ul>
        </details>
    }
}
