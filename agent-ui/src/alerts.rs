//! Getting the agent's attention when the console is not in front of them:
//! a desktop notification and a short two-tone chime for a new request or a
//! visitor's message. Nothing happens while the console tab has the focus,
//! where the queue and the unread counts already say it.

use wasm_bindgen::JsCast;
use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission};

/// Longest notification body; the chat itself has the rest.
const BODY_CHARS: usize = 120;

/// Asks for permission to show notifications. Browsers only ask in answer
/// to a click, so this is called when the agent goes online.
pub fn ask_permission() {
    if Notification::permission() == NotificationPermission::Default {
        let _ = Notification::request_permission();
    }
}

/// Notifies and chimes if the console is hidden or not focused.
pub fn notify(title: &str, body: &str) {
    let document = leptos::prelude::document();
    if console_has_attention(&document) {
        return;
    }
    chime();
    if Notification::permission() != NotificationPermission::Granted {
        return;
    }
    let body: String = body.chars().take(BODY_CHARS).collect();
    let options = NotificationOptions::new();
    options.set_body(&body);
    // One notification per kind replaces the previous instead of piling up.
    options.set_tag(title);
    if let Ok(n) = Notification::new_with_options(title, &options) {
        let focus = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
            let _ = leptos::prelude::window().focus();
        });
        n.set_onclick(Some(focus.as_ref().unchecked_ref()));
        focus.forget();
    }
}

fn console_has_attention(document: &web_sys::Document) -> bool {
    !document.hidden() && document.has_focus().unwrap_or(true)
}

/// Two short sine tones, quiet enough not to startle.
fn chime() {
    let Ok(ctx) = AudioContext::new() else {
        return;
    };
    let start = ctx.current_time();
    for (i, freq) in [880.0_f32, 1320.0].into_iter().enumerate() {
        let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
            return;
        };
        let at = start + i as f64 * 0.14;
        osc.frequency().set_value(freq);
        let _ = gain.gain().set_value_at_time(0.0, at);
        let _ = gain.gain().linear_ramp_to_value_at_time(0.12, at + 0.02);
        let _ = gain.gain().linear_ramp_to_value_at_time(0.0, at + 0.12);
        let _ = osc.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&ctx.destination());
        let _ = osc.start_with_when(at);
        let _ = osc.stop_with_when(at + 0.13);
    }
    // The context closes itself once the tones are over.
    let close = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = ctx.close();
    });
    let _ = leptos::prelude::window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(close.unchecked_ref(), 600);
}
