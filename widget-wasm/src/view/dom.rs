//! Tiny helpers for building and updating DOM nodes by hand, and for
//! wiring a click to the app.

use web_sys::{Document, Element, Event};

use crate::dispatcher::Dispatcher;
use crate::input::{Input, UiEvent};
use crate::listener::Listener;

/// Creates `<tag class="class">`. Tag names here are literals, so creation
/// cannot fail.
pub fn el(doc: &Document, tag: &str, class: &str) -> Element {
    let e = crate::browser::must(doc.create_element(tag), "static tag names are valid");
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e
}

/// Appends `child` to `parent` and returns the child, for chaining builds.
pub fn child(doc: &Document, parent: &Element, tag: &str, class: &str) -> Element {
    let e = el(doc, tag, class);
    append(parent, &e);
    e
}

pub fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

pub fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

/// Sets an attribute only when it changes, to spare style recalculation.
pub fn set_attr(e: &Element, name: &str, value: &str) {
    if e.get_attribute(name).as_deref() != Some(value) {
        attr(e, name, value);
    }
}

pub fn remove_attr(e: &Element, name: &str) {
    if e.has_attribute(name) {
        let _ = e.remove_attribute(name);
    }
}

/// Replaces the text of `e` when it differs. Text only: never HTML, so
/// what agents and visitors type can never become markup.
pub fn set_text(e: &Element, text: &str) {
    if e.text_content().as_deref() != Some(text) {
        e.set_text_content(Some(text));
    }
}

/// Shows or hides `e` (the `hidden` attribute).
pub fn show(e: &Element, visible: bool) {
    if visible {
        remove_attr(e, "hidden");
    } else {
        set_attr(e, "hidden", "");
    }
}

/// A `<button type="button">` with visible text.
pub fn button(doc: &Document, class: &str, text: &str) -> Element {
    let b = el(doc, "button", class);
    attr(&b, "type", "button");
    set_text(&b, text);
    b
}

/// A click on `target` sends `event` to the app (one closure type for every
/// such button: each type is code of its own in the wasm).
pub fn on_click(target: &Element, dispatcher: &Dispatcher, event: UiEvent) -> Listener {
    let d = dispatcher.clone();
    Listener::new(target, "click", move |_: Event| d.send(Input::Ui(event)))
}
