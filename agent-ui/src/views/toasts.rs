//! Short-lived notices in the corner (refused actions, server errors).

use leptos::prelude::*;

use crate::state::Console;

#[component]
pub fn Toasts() -> impl IntoView {
    let console = expect_context::<Console>();
    view! {
        <div class="toasts" aria-live="polite">
            <For each=move || console.toasts.get() key=|t| t.id let:toast>
                <div class="toast" role="status" data-testid="toast" data-code=toast.code.clone()>
                    <span class="toast-text">{toast.text.clone()}</span>
                    <button
                        type="button"
                        class="toast-close"
                        aria-label="Dismiss"
                        on:click=move |_| console.dismiss_toast(toast.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
