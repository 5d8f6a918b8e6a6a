//! The library board: the team's canned responses (typed as `/shortcut` in
//! any reply box) and knowledge-base articles (suggested above the reply box
//! when their keywords match what the visitor wrote). Add, edit, delete.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::limits::{MAX_MESSAGE_CHARS, MAX_SHORT_CHARS};

use crate::api::{self, LibraryItem, LibraryKind};
use crate::library;
use crate::state::Console;

/// The form's fields; `id` empty for a new item.
#[derive(Clone, Default)]
struct Draft {
    id: String,
    article: bool,
    shortcut: String,
    title: String,
    body: String,
    url: String,
    keywords: String,
}

impl Draft {
    fn of(item: &LibraryItem) -> Draft {
        Draft {
            id: item.id.clone(),
            article: item.kind == LibraryKind::Article,
            shortcut: item.shortcut.clone().unwrap_or_default(),
            title: item.title.clone(),
            body: item.body.clone(),
            url: item.url.clone(),
            keywords: item.keywords.join(", "),
        }
    }

    fn item(&self) -> LibraryItem {
        LibraryItem {
            id: self.id.clone(),
            kind: if self.article {
                LibraryKind::Article
            } else {
                LibraryKind::Canned
            },
            shortcut: (!self.article).then(|| self.shortcut.clone()),
            title: self.title.clone(),
            body: self.body.clone(),
            url: if self.article {
                self.url.clone()
            } else {
                String::new()
            },
            keywords: if self.article {
                self.keywords
                    .split(',')
                    .map(|k| k.trim().to_string())
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

#[component]
pub fn LibraryBoard() -> impl IntoView {
    let console = expect_context::<Console>();
    let form = RwSignal::new(Draft::default());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let item = form.get_untracked().item();
        busy.set(true);
        spawn_local(async move {
            match api::save_library_item(&item).await {
                Ok(()) => {
                    error.try_set(None);
                    form.try_set(Draft::default());
                    library::load_library(console);
                }
                Err(e) => {
                    error.try_set(Some(e.message()));
                }
            }
            busy.try_set(false);
        });
    };
    let field = |get: fn(&Draft) -> String, set: fn(&mut Draft, String)| {
        (
            move || form.with(get),
            move |ev| form.update(|f| set(f, event_target_value(&ev))),
        )
    };
    let (shortcut, on_shortcut) = field(|f| f.shortcut.clone(), |f, v| f.shortcut = v);
    let (title, on_title) = field(|f| f.title.clone(), |f, v| f.title = v);
    let (body, on_body) = field(|f| f.body.clone(), |f, v| f.body = v);
    let (url, on_url) = field(|f| f.url.clone(), |f, v| f.url = v);
    let (keywords, on_keywords) = field(|f| f.keywords.clone(), |f, v| f.keywords = v);
    let article = move || form.with(|f| f.article);
    view! {
        <section class="team library" data-testid="library-board">
            <h2>"Library"</h2>
            <form class="library-form" data-testid="library-form" on:submit=save>
                <div class="library-kind">
                    <label><input type="radio" name="kind" data-testid="library-kind-canned" prop:checked=move || !article() on:change=move |_| form.update(|f| f.article = false) />"Canned response"</label>
                    <label><input type="radio" name="kind" data-testid="library-kind-article" prop:checked=article on:change=move |_| form.update(|f| f.article = true) />"Article"</label>
                </div>
                <Show when=move || !article()>
                    <input type="text" data-testid="library-shortcut" placeholder="shortcut, e.g. thanks" maxlength="32" prop:value=shortcut on:input=on_shortcut />
                </Show>
                <input type="text" data-testid="library-title" placeholder="Title" maxlength=MAX_SHORT_CHARS.to_string() prop:value=title on:input=on_title />
                <textarea rows="3" data-testid="library-body" placeholder="Text the agent sends" maxlength=MAX_MESSAGE_CHARS.to_string() prop:value=body on:input=on_body></textarea>
                <Show when=article>
                    <input type="url" data-testid="library-url" placeholder="https://… (optional link)" prop:value=url on:input=on_url />
                    <input type="text" data-testid="library-keywords" placeholder="keywords, comma separated (e.g. return, refund)" prop:value=keywords on:input=on_keywords />
                </Show>
                {move || error.get().map(|e| view! { <p class="error-text" data-testid="library-error">{e}</p> })}
                <div class="transfer-actions">
                    <Show when=move || form.with(|f| !f.id.is_empty())>
                        <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| form.set(Draft::default())>"New item"</button>
                    </Show>
                    <button type="submit" class="btn btn-primary btn-sm" data-testid="library-save" disabled=move || busy.get()>
                        {move || if form.with(|f| f.id.is_empty()) { "Add" } else { "Save" }}
                    </button>
                </div>
            </form>
            <h3>"Canned responses and articles"</h3>
            {move || {
                let items = console.library.get();
                if items.is_empty() {
                    return view! { <p class="muted">"Nothing yet. Add the answers your team types every day."</p> }.into_any();
                }
                let rows = items
                    .into_iter()
                    .map(|item| library_row(console, item, form))
                    .collect_view();
                view! { <ul class="library-list">{rows}</ul> }.into_any()
            }}
        </section>
    }
}

fn library_row(console: Console, item: LibraryItem, form: RwSignal<Draft>) -> impl IntoView {
    let label = match &item.shortcut {
        Some(s) => format!("/{s}"),
        None => "article".to_string(),
    };
    let edit = {
        let item = item.clone();
        move |_| form.set(Draft::of(&item))
    };
    let id = item.id.clone();
    let remove = move |_| {
        let id = id.clone();
        spawn_local(async move {
            match api::delete_library_item(&id).await {
                Ok(()) => library::load_library(console),
                Err(e) => console.toast(e.message(), None),
            }
        });
    };
    view! {
        <li class="library-item" data-testid="library-item" data-kind=item.kind.as_str()>
            <div class="library-item-head">
                <code>{label}</code>
                <strong>{item.title.clone()}</strong>
                {(!item.keywords.is_empty()).then(|| view! { <span class="muted">{item.keywords.join(", ")}</span> })}
                <span class="spacer"></span>
                <button type="button" class="link-button" on:click=edit>"Edit"</button>
                <button type="button" class="link-button" data-testid="library-delete" on:click=remove>"Delete"</button>
            </div>
            <p class="library-body">{item.body.clone()}</p>
        </li>
    }
}
