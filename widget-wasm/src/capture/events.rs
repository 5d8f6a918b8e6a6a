//! The DOM events capture listens to besides the `MutationObserver`:
//! field edits, scrolling, the visitor's pointer, clicks and selection,
//! resizes, and stylesheet or iframe loads. Each becomes a
//! [`CaptureEvent`] for the app to hand to the capture.

use wasm_bindgen::JsCast;
use web_sys::{Event, MouseEvent};

use crate::browser::{document, window};
use crate::dispatcher::Dispatcher;
use crate::input::{CaptureEvent, Input};
use crate::listener::Listener;

fn capture(d: &Dispatcher, e: CaptureEvent) {
    d.send(Input::Capture(e));
}

/// Field edits and scrolling anywhere in `target` (the document, or a
/// same-origin iframe's document). `input` is composed, so edits inside
/// shadow roots arrive too; the real target is the first of the path.
pub fn field_listeners(dispatcher: &Dispatcher, target: &web_sys::EventTarget) -> Vec<Listener> {
    let field = |d: Dispatcher| {
        move |e: Event| {
            let t = e.composed_path().get(0);
            capture(&d, CaptureEvent::Field(t));
        }
    };
    let d = dispatcher.clone();
    vec![
        Listener::capture(target, "input", field(dispatcher.clone())),
        Listener::capture(target, "change", field(dispatcher.clone())),
        Listener::capture(target, "scroll", move |e: Event| {
            if let Some(t) = e.target() {
                capture(&d, CaptureEvent::Scroll(t.into()));
            }
        }),
    ]
}

/// Everything else the mirror shows: pointer, clicks, selection, viewport,
/// stylesheet and iframe loads.
pub fn page_listeners(dispatcher: &Dispatcher) -> Vec<Listener> {
    let doc = document();
    let mut out = field_listeners(dispatcher, &doc);
    let d = dispatcher.clone();
    out.push(Listener::capture(&doc, "mousemove", move |e: Event| {
        if let Some(m) = e.dyn_ref::<MouseEvent>() {
            capture(
                &d,
                CaptureEvent::Mouse(m.client_x() as f64, m.client_y() as f64),
            );
        }
    }));
    let d = dispatcher.clone();
    out.push(Listener::capture(&doc, "click", move |e: Event| {
        if let Some(m) = e.dyn_ref::<MouseEvent>() {
            capture(
                &d,
                CaptureEvent::Click(m.client_x() as f64, m.client_y() as f64),
            );
        }
    }));
    let d = dispatcher.clone();
    out.push(Listener::new(&doc, "selectionchange", move |_| {
        capture(&d, CaptureEvent::Selection)
    }));
    let d = dispatcher.clone();
    out.push(Listener::capture(&doc, "load", move |e: Event| {
        if let Some(t) = e.target() {
            capture(&d, CaptureEvent::Load(t.into()));
        }
    }));
    let d = dispatcher.clone();
    out.push(Listener::new(&window(), "resize", move |_| {
        capture(&d, CaptureEvent::Resize)
    }));
    out
}
