//! The form panel beside the mirror: the fields of the visitor's page with
//! their current values (protected ones greyed, never editable), an input
//! per field typed by its kind, "Show me" per field, "Push to visitor", and
//! "Send page" for another page of the same site.

use leptos::prelude::*;
use protocol::limits::{MAX_FIELD_VALUE_CHARS, MAX_URL_CHARS};
use protocol::{FieldKind, FieldValue, FormField};

use crate::form::{self, FormPanel, kind_text, problem_text, value_text};
use crate::state::Console;

/// "No change" in the selects of choice fields.
const KEEP: &str = "__keep__";

#[component]
pub fn FormPanelView(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let session = StoredValue::new(id.clone());
    let panel = Memo::new(move |_| {
        console
            .forms
            .with(|f| f.get(&id).cloned().unwrap_or_default())
    });
    let fields = Memo::new(move |_| panel.with(|p| p.fields.clone()));
    let loading = move || panel.with(|p| p.loading);
    let count = move || panel.with(|p| p.push_fields().len());
    let page = RwSignal::new(String::new());
    let send_page = move || {
        let base = panel.with_untracked(|p| p.url.clone());
        let typed = page.get_untracked();
        if session.with_value(|id| form::send_page(console, id, &base, &typed)) {
            page.set(String::new());
        }
    };
    view! {
        <aside class="form-panel" data-testid="form-panel" aria-label="The visitor's form">
            <header class="form-head">
                <h3>"Form"</h3>
                <span class="form-count" data-testid="form-count">
                    {move || match fields.with(Vec::len) {
                        0 => String::new(),
                        n => format!("{n} fields"),
                    }}
                </span>
                <button
                    type="button"
                    class="btn btn-ghost btn-sm"
                    data-testid="form-refresh"
                    title="Read the fields again from the visitor's page"
                    on:click=move |_| session.with_value(|id| form::refresh(console, id))
                >
                    "Refresh"
                </button>
                <button
                    type="button"
                    class="btn btn-ghost btn-sm"
                    data-testid="form-close"
                    aria-label="Close the form panel"
                    on:click=move |_| session.with_value(|id| form::close(console, id))
                >
                    "×"
                </button>
            </header>
            <div class="form-fields" data-testid="form-fields" data-loading=move || loading().to_string()>
                {move || (loading() && fields.with(Vec::is_empty)).then(|| view! {
                    <p class="form-empty"><span class="spinner" aria-hidden="true"></span>"Reading the visitor's page…"</p>
                })}
                {move || (!loading() && fields.with(Vec::is_empty)).then(|| view! {
                    <p class="form-empty">"No form fields on this page."</p>
                })}
                <For each=move || fields.get() key=|f| (f.node, f.name.clone(), f.kind) let:field>
                    <FieldRow session=session field=field panel=panel />
                </For>
            </div>
            <footer class="form-foot">
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="form-push"
                    disabled=move || count() == 0 || !console.is_connected()
                    on:click=move |_| session.with_value(|id| form::push(console, id))
                >
                    {move || match count() {
                        0 => "Push to visitor".to_string(),
                        1 => "Push 1 value to visitor".to_string(),
                        n => format!("Push {n} values to visitor"),
                    }}
                </button>
                <form class="page-push" on:submit=move |ev| { ev.prevent_default(); send_page(); }>
                    <input
                        type="text"
                        data-testid="page-url"
                        placeholder="/cart.html"
                        maxlength=MAX_URL_CHARS.to_string()
                        aria-label="A page of the visitor's site to send them to"
                        prop:value=move || page.get()
                        on:input=move |ev| page.set(event_target_value(&ev))
                    />
                    <button type="submit" class="btn btn-sm" data-testid="page-push"
                        disabled=move || page.with(|p| p.trim().is_empty())>
                        "Send page"
                    </button>
                </form>
            </footer>
        </aside>
    }
}

#[component]
fn FieldRow(
    session: StoredValue<String>,
    field: FormField,
    panel: Memo<FormPanel>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let node = field.node;
    let selected = move || panel.with(|p| p.selected == Some(node));
    let drafted = move || panel.with(|p| p.drafts.contains_key(&node));
    let row = NodeRef::<leptos::html::Div>::new();
    // Selected from the mirror: bring the row into view.
    Effect::new(move |_| {
        if selected()
            && let Some(el) = row.get_untracked()
        {
            el.scroll_into_view_with_bool(false);
        }
    });
    let current = match (&field.refused, &field.value) {
        (Some(_), _) => "protected".to_string(),
        (None, v) => value_text(v.as_ref()),
    };
    let label = field.label.clone();
    let show_label = field.label.clone();
    let refused = field.refused;
    let input = match refused {
        Some(problem) => view! {
            <span class="form-protected" title=problem_text(problem)>{format!("Not editable: {}", problem_text(problem))}</span>
        }
        .into_any(),
        None => editor(session, &field, panel).into_any(),
    };
    view! {
        <div
            class="form-field"
            class:selected=selected
            class:drafted=drafted
            class:refused=refused.is_some()
            node_ref=row
            data-testid="form-field"
            data-node=node.to_string()
            data-name=field.name.clone()
            data-kind=field.kind.as_str()
            data-refused=refused.map(|r| r.as_str())
            on:click=move |_| session.with_value(|id| form::select(console, id, node))
        >
            <div class="form-field-head">
                <span class="form-label" title=label.clone()>{label.clone()}</span>
                <span class="form-kind">{kind_text(field.kind)}</span>
                <button
                    type="button"
                    class="link-button form-show"
                    data-testid="form-show"
                    title="Scroll the visitor's page to this field and outline it"
                    on:click=move |ev| {
                        ev.stop_propagation();
                        session.with_value(|id| form::show_me(console, id, node, &show_label));
                    }
                >
                    "Show me"
                </button>
            </div>
            <div class="form-current" data-testid="form-current">{current}</div>
            {input}
        </div>
    }
}

/// The input for the agent's value, by kind. Empty means "leave as is".
fn editor(
    session: StoredValue<String>,
    field: &FormField,
    panel: Memo<FormPanel>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let node = field.node;
    let set =
        move |v: Option<FieldValue>| session.with_value(|id| form::set_draft(console, id, node, v));
    let draft = move || panel.with(|p| p.drafts.get(&node).cloned());
    let draft_text = move || match draft() {
        Some(FieldValue::Text(t)) => t,
        _ => String::new(),
    };
    // The field's own label is beside the input, not a <label> of it.
    let name = format!(
        "New value for {}",
        if field.label.is_empty() {
            &field.name
        } else {
            &field.label
        }
    );
    match field.kind {
        FieldKind::Select | FieldKind::Radio => {
            let options = field.options.clone();
            view! {
                <select
                    class="form-input"
                    data-testid="form-input"
                    aria-label=name
                    prop:value=move || { let t = draft_text(); if t.is_empty() && draft().is_none() { KEEP.to_string() } else { t } }
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set((v != KEEP).then_some(FieldValue::Text(v)));
                    }
                >
                    <option value=KEEP>"— keep as is —"</option>
                    {options.into_iter().map(|o| view! { <option value=o.value.clone()>{o.label}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        FieldKind::Checkbox => view! {
            <select
                class="form-input"
                data-testid="form-input"
                aria-label=name
                prop:value=move || match draft() {
                    Some(FieldValue::Flag(true)) => "on",
                    Some(FieldValue::Flag(false)) => "off",
                    _ => KEEP,
                }
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set(match v.as_str() { "on" => Some(FieldValue::Flag(true)), "off" => Some(FieldValue::Flag(false)), _ => None });
                }
            >
                <option value=KEEP>"— keep as is —"</option>
                <option value="on">"Checked"</option>
                <option value="off">"Not checked"</option>
            </select>
        }
        .into_any(),
        FieldKind::SelectMultiple => {
            let options = field.options.clone();
            view! {
                <div class="form-choices" data-testid="form-input" role="group" aria-label=name>
                    {options.into_iter().map(|o| {
                        let value = o.value.clone();
                        let v2 = o.value.clone();
                        let checked = move || matches!(draft(), Some(FieldValue::List(l)) if l.contains(&value));
                        view! {
                            <label class="form-choice">
                                <input
                                    type="checkbox"
                                    value=o.value.clone()
                                    prop:checked=checked
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let mut list = match draft() { Some(FieldValue::List(l)) => l, _ => Vec::new() };
                                        list.retain(|x| x != &v2);
                                        if on { list.push(v2.clone()); }
                                        set(Some(FieldValue::List(list)));
                                    }
                                />
                                {o.label}
                            </label>
                        }
                    }).collect_view()}
                </div>
            }
            .into_any()
        }
        FieldKind::Other => view! { <span class="form-protected">"This kind of field cannot be filled from here."</span> }.into_any(),
        kind => {
            let input_type = match kind {
                FieldKind::Email => "email",
                FieldKind::Tel => "tel",
                FieldKind::Number => "text",
                FieldKind::Date => "date",
                _ => "text",
            };
            view! {
                <input
                    class="form-input"
                    data-testid="form-input"
                    type=input_type
                    maxlength=MAX_FIELD_VALUE_CHARS.to_string()
                    placeholder="New value"
                    aria-label=name
                    prop:value=draft_text
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        set((!v.is_empty()).then_some(FieldValue::Text(v)));
                    }
                />
            }
            .into_any()
        }
    }
}
