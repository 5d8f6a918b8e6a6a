//! The sign-in form.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::connection;
use crate::state::Console;

#[component]
pub fn Login(notice: Option<String>) -> impl IntoView {
    let console = expect_context::<Console>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (e, p) = (email.get_untracked(), password.get_untracked());
        spawn_local(async move {
            match api::login(e.trim(), &p).await {
                Ok(agent) => connection::enter(console, agent),
                Err(err) => {
                    error.set(Some(err.message()));
                    password.set(String::new());
                    busy.set(false);
                }
            }
        });
    };

    view! {
        <div class="login-screen">
            <form class="login-card" on:submit=submit>
                <div class="brand brand-login">
                    <span class="brand-mark" aria-hidden="true">"T"</span>
                    <span class="brand-name">"Tandem"</span>
                </div>
                <h1>"Sign in to the agent console"</h1>
                {notice.map(|n| view! { <p class="notice">{n}</p> })}
                {move || {
                    error
                        .get()
                        .map(|e| {
                            view! {
                                <p class="form-error" role="alert" data-testid="login-error">
                                    {e}
                                </p>
                            }
                        })
                }}
                <label class="field">
                    <span>"Email"</span>
                    <input
                        type="email"
                        name="email"
                        autocomplete="username"
                        required
                        autofocus
                        data-testid="login-email"
                        bind:value=email
                    />
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                        data-testid="login-password"
                        bind:value=password
                    />
                </label>
                <button
                    type="submit"
                    class="btn btn-primary btn-block"
                    data-testid="login-submit"
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </div>
    }
}
