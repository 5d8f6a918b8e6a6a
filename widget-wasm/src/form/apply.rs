//! Checking a form push against the page, and applying accepted values so
//! that the site's own code notices.
//!
//! Every proposed field is checked before the visitor is asked anything:
//! one that no longer exists, is protected, or would not take the value
//! fails the whole push and nothing on the page changes.
//!
//! Values are applied the way a framework-controlled form (React's, for
//! one) expects: through the *prototype's* `value` setter, which skips the
//! instance-level setter such frameworks install to track values, followed
//! by bubbling `input` and `change` events, so the framework sees a change
//! and updates its state. Checkboxes and radios are clicked instead, when
//! their state must change: frameworks listen to `click` for those, and a
//! click fires `input` and `change` too.

use js_sys::{Function, Object, Reflect};
use protocol::{FieldKind, FieldProblem, FieldPush, FieldValue};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlOptionElement, HtmlSelectElement};

use super::fields::{disabled, kind_of, name_of};
use crate::capture::Capture;
use crate::capture::forms::radio_group;

/// A pushed field that passed the checks: where it goes and what it becomes.
pub struct Checked {
    pub push: FieldPush,
    pub kind: FieldKind,
    /// The element to change and outline: the field, or the radio of its
    /// group that the value chooses.
    pub el: Element,
    /// Its node id.
    pub node: u32,
}

/// Checks one proposed field against the page as it is now.
pub fn check(capture: &Capture, push: &FieldPush) -> Result<Checked, FieldProblem> {
    let el = capture
        .element(push.node)
        .filter(|e| e.is_connected())
        .ok_or(FieldProblem::Gone)?;
    let kind = kind_of(&el).ok_or(FieldProblem::Gone)?;
    // A node id is never reused, but the element may have been renamed into
    // another field since the agent saw it.
    if name_of(&el, push.node) != push.name {
        return Err(FieldProblem::Gone);
    }
    if let Some(problem) = capture.protection(push.node) {
        return Err(problem);
    }
    if let Some(problem) = disabled(&el) {
        return Err(problem);
    }
    if !fits(&el, kind, &push.value)? {
        return Err(FieldProblem::InvalidValue);
    }
    let (el, node) = match (kind, &push.value) {
        (FieldKind::Radio, FieldValue::Text(v)) => chosen_radio(&el, v)
            .and_then(|r| Some((capture.id_of(&r)?, r)))
            .map_or((el, push.node), |(id, r)| (r, id)),
        _ => (el, push.node),
    };
    Ok(Checked {
        push: push.clone(),
        kind,
        el,
        node,
    })
}

/// Whether `value` is one the field can take.
fn fits(el: &Element, kind: FieldKind, value: &FieldValue) -> Result<bool, FieldProblem> {
    Ok(match (kind, value) {
        (FieldKind::Checkbox, FieldValue::Flag(_)) => true,
        (FieldKind::Radio, FieldValue::Text(v)) => chosen_radio(el, v).is_some(),
        (FieldKind::Select, FieldValue::Text(v)) => option_values(el).any(|o| &o == v),
        (FieldKind::SelectMultiple, FieldValue::List(list)) => {
            let have: Vec<String> = option_values(el).collect();
            list.iter().all(|v| have.contains(v))
        }
        (FieldKind::Textarea, FieldValue::Text(_)) => true,
        (FieldKind::Other, _) => return Err(FieldProblem::Unsupported),
        (_, FieldValue::Text(v)) => input_takes(el.unchecked_ref(), v),
        _ => false,
    })
}

/// The browser's own verdict: a scratch input of the same type keeps only
/// values it accepts (a number field drops "abc", a date field "2024-13-01")
/// and reports type mismatches (an email without "@").
fn input_takes(input: &HtmlInputElement, value: &str) -> bool {
    if value.is_empty() {
        return true;
    }
    let Some(doc) = input.owner_document() else {
        return false;
    };
    let Ok(scratch) = doc.create_element("input") else {
        return false;
    };
    let scratch: HtmlInputElement = scratch.unchecked_into();
    scratch.set_type(&input.type_());
    scratch.set_value(value);
    scratch.value() == value && scratch.check_validity()
}

/// The radio of `el`'s group whose value is `value`.
fn chosen_radio(el: &Element, value: &str) -> Option<Element> {
    radio_group(el.unchecked_ref())
        .into_iter()
        .find(|r| r.unchecked_ref::<HtmlInputElement>().value() == value)
}

fn option_values(el: &Element) -> impl Iterator<Item = String> {
    let options = el.unchecked_ref::<HtmlSelectElement>().options();
    (0..options.length())
        .filter_map(move |i| options.item(i))
        .map(|o| o.unchecked_into::<HtmlOptionElement>().value())
}

/// Applies a checked field. Returns false when it vanished meanwhile.
pub fn apply(field: &Checked) -> bool {
    let el = &field.el;
    if !el.is_connected() {
        return false;
    }
    match (field.kind, &field.push.value) {
        (FieldKind::Checkbox, FieldValue::Flag(on)) => {
            if el.unchecked_ref::<HtmlInputElement>().checked() != *on {
                el.unchecked_ref::<HtmlElement>().click();
            }
        }
        (FieldKind::Radio, FieldValue::Text(v)) => {
            if let Some(r) = chosen_radio(el, v)
                && !r.unchecked_ref::<HtmlInputElement>().checked()
            {
                r.unchecked_ref::<HtmlElement>().click();
            }
        }
        (FieldKind::SelectMultiple, FieldValue::List(list)) => {
            let options = el.unchecked_ref::<HtmlSelectElement>().options();
            for i in 0..options.length() {
                if let Some(o) = options.item(i) {
                    let o: HtmlOptionElement = o.unchecked_into();
                    o.set_selected(list.contains(&o.value()));
                }
            }
            notify(el);
        }
        (_, FieldValue::Text(v)) => {
            set_native_value(el, v);
            notify(el);
        }
        _ => return false,
    }
    true
}

/// `value` through the setter of the element's own class prototype
/// (`HTMLInputElement.prototype`…, from the element's window, so fields
/// of same-origin iframes work too).
fn set_native_value(el: &Element, value: &str) {
    let class = match el.local_name().as_str() {
        "textarea" => "HTMLTextAreaElement",
        "select" => "HTMLSelectElement",
        _ => "HTMLInputElement",
    };
    let window: JsValue = el
        .owner_document()
        .and_then(|d| d.default_view())
        .map(Into::into)
        .unwrap_or_else(|| crate::browser::window().into());
    let setter = Reflect::get(&window, &class.into())
        .and_then(|c| Reflect::get(&c, &"prototype".into()))
        .ok()
        .and_then(|proto| {
            Object::get_own_property_descriptor(proto.unchecked_ref::<Object>(), &"value".into())
                .dyn_into::<Object>()
                .ok()
        })
        .and_then(|d| Reflect::get(&d, &"set".into()).ok())
        .and_then(|s| s.dyn_into::<Function>().ok());
    match setter {
        Some(set) => {
            let _ = set.call1(el, &value.into());
        }
        None => {
            let _ = Reflect::set(el, &"value".into(), &value.into());
        }
    }
}

/// Bubbling `input` then `change`, as if the visitor had typed.
fn notify(el: &Element) {
    for kind in ["input", "change"] {
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        if let Ok(ev) = web_sys::Event::new_with_event_init_dict(kind, &init) {
            let _ = el.dispatch_event(&ev);
        }
    }
}
