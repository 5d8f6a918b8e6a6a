//! Form fields: their current state as ops (`val`, `chk`), masked where
//! required, and the hooks that report programmatic changes.
//!
//! The page model carries attributes as they are in the DOM; what the
//! visitor typed or chose is a property, sent as `val`/`chk` right after
//! the node reaches the mirror and whenever it changes.

use js_sys::{Array, WeakSet};
use protocol::cobrowse::Op;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;
use web_sys::{
    Element, HtmlInputElement, HtmlOptionElement, HtmlSelectElement, HtmlTextAreaElement,
    MutationObserver, MutationObserverInit, MutationRecord,
};

use protocol::FieldProblem;

use super::mask::{Secret, autocomplete_secret, bullets, secret_input_type};

#[wasm_bindgen(module = "/src/capture/hooks.js")]
extern "C" {
    /// Wraps the prototypes once; `value(el)` and `sheet(x)` are called after changes.
    pub fn install_hooks(value: &js_sys::Function, sheet: &js_sys::Function);
    pub fn remove_hooks();
}

/// Remembers, from the widget's start, every input that was a password
/// field: a "show password" button turns it into a text field, and its
/// value must stay masked. Runs whether or not the screen is shared (the
/// toggle may come first); it only watches `type` attributes.
pub struct PasswordWatch {
    pub seen: WeakSet,
    mo: Option<MutationObserver>,
    _callback: Closure<dyn FnMut(Array)>,
}

impl PasswordWatch {
    pub fn start() -> PasswordWatch {
        let seen = WeakSet::new();
        let doc = crate::browser::document();
        if let Ok(list) = doc.query_selector_all("input[type=password i]") {
            for i in 0..list.length() {
                if let Some(n) = list.item(i) {
                    seen.add(&n);
                }
            }
        }
        let s = seen.clone();
        let callback = Closure::<dyn FnMut(Array)>::new(move |records: Array| {
            for r in records.iter() {
                let r: MutationRecord = r.unchecked_into();
                if r.old_value()
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("password"))
                    && let Some(t) = r.target()
                {
                    s.add(&t);
                }
            }
        });
        let mo = MutationObserver::new(callback.as_ref().unchecked_ref()).ok();
        if let Some(mo) = &mo {
            let init = MutationObserverInit::new();
            init.set_attributes(true);
            init.set_attribute_old_value(true);
            init.set_subtree(true);
            init.set_attribute_filter(&Array::of1(&"type".into()));
            let _ = mo.observe_with_options(&doc, &init);
        }
        PasswordWatch {
            seen,
            mo,
            _callback: callback,
        }
    }
}

impl Drop for PasswordWatch {
    fn drop(&mut self) {
        if let Some(mo) = &self.mo {
            mo.disconnect();
        }
    }
}

/// Kinds of `<input>` whose state is a checkmark, not a value.
fn is_check(input_type: &str) -> bool {
    matches!(input_type, "checkbox" | "radio")
}

/// Kinds of `<input>` with no value worth showing.
fn is_button(input_type: &str) -> bool {
    matches!(input_type, "button" | "submit" | "reset" | "image")
}

/// Whether a field's own attributes make its value secret (its
/// surroundings are checked by the caller). `was_password`: the input was
/// a password field at some point (a "show password" toggle).
pub fn field_is_secret(
    tag: &str,
    input_type: Option<&str>,
    autocomplete: Option<&str>,
    was_password: bool,
) -> bool {
    secret_kind(tag, input_type, autocomplete, was_password).is_some()
}

/// Why a field's own attributes make its value secret: the reason a form
/// push to it is refused, named for the agent.
pub fn secret_kind(
    tag: &str,
    input_type: Option<&str>,
    autocomplete: Option<&str>,
    was_password: bool,
) -> Option<FieldProblem> {
    let input = tag == "input";
    let typed = |t: &str| input_type.is_some_and(|x| x.trim().eq_ignore_ascii_case(t));
    if input && (was_password || typed("password")) {
        return Some(FieldProblem::Password);
    }
    if matches!(tag, "input" | "select" | "textarea")
        && let Some(secret) = autocomplete.and_then(autocomplete_secret)
    {
        return Some(match secret {
            Secret::Payment => FieldProblem::Payment,
            Secret::Password => FieldProblem::Password,
            Secret::OneTimeCode => FieldProblem::Masked,
        });
    }
    (input && input_type.is_some_and(secret_input_type)).then_some(FieldProblem::Hidden)
}

/// The state of a field as ops. `initial`: the node just reached the
/// mirror, so values equal to their defaults can be skipped.
pub fn field_ops(el: &Element, tag: &str, id: u32, masked: bool, initial: bool, out: &mut Vec<Op>) {
    let value = |v: String| if masked { bullets(&v) } else { v };
    match tag {
        "input" => {
            let input = el.unchecked_ref::<HtmlInputElement>();
            let t = input.type_();
            if is_check(&t) {
                let c = input.checked();
                let unchanged = initial && c == input.default_checked();
                if !masked && !unchanged {
                    out.push(Op::Checked { i: id, c });
                }
            } else if !is_button(&t) {
                let v = input.value();
                if !(initial && v == input.default_value()) {
                    out.push(Op::Value { i: id, v: value(v) });
                }
            }
        }
        "textarea" => {
            let area = el.unchecked_ref::<HtmlTextAreaElement>();
            let v = area.value();
            if !(initial && area.default_value().is_ok_and(|d| d == v)) {
                out.push(Op::Value { i: id, v: value(v) });
            }
        }
        "select" => {
            let v = el.unchecked_ref::<HtmlSelectElement>().value();
            out.push(Op::Value { i: id, v: value(v) });
        }
        "option" if !masked => {
            let option = el.unchecked_ref::<HtmlOptionElement>();
            let s = option.selected();
            if !(initial && s == option.default_selected()) {
                out.push(Op::Checked { i: id, c: s });
            }
        }
        _ => {}
    }
}

/// The other radios of `input`'s group (same name, same form or root):
/// checking one unchecks them without any event.
pub fn radio_group(input: &HtmlInputElement) -> Vec<Element> {
    let name = input.name();
    if name.is_empty() || input.type_() != "radio" {
        return Vec::new();
    }
    let root: web_sys::Node = match input.form() {
        Some(f) => f.into(),
        None => input.get_root_node(),
    };
    let Some(list) = query_radios(&root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in 0..list.length() {
        if let Some(e) = list.item(i).map(|n| n.unchecked_into::<Element>())
            && e.get_attribute("name").as_deref() == Some(name.as_str())
        {
            out.push(e);
        }
    }
    out
}

/// Radios under `root`. By node type rather than `instanceof`: nodes of a
/// same-origin iframe belong to another window's classes.
fn query_radios(root: &web_sys::Node) -> Option<web_sys::NodeList> {
    let sel = "input[type=radio]";
    match root.node_type() {
        web_sys::Node::ELEMENT_NODE => root.unchecked_ref::<Element>().query_selector_all(sel).ok(),
        web_sys::Node::DOCUMENT_NODE => root
            .unchecked_ref::<web_sys::Document>()
            .query_selector_all(sel)
            .ok(),
        web_sys::Node::DOCUMENT_FRAGMENT_NODE => root
            .unchecked_ref::<web_sys::DocumentFragment>()
            .query_selector_all(sel)
            .ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fields_by_their_own_attributes() {
        assert!(field_is_secret("input", Some("password"), None, false));
        assert!(
            field_is_secret("input", Some("text"), None, true),
            "was a password"
        );
        assert!(field_is_secret(
            "input",
            Some("text"),
            Some("cc-number"),
            false
        ));
        assert!(field_is_secret("select", None, Some("cc-exp-month"), false));
        assert!(field_is_secret("input", Some("hidden"), None, false));
        assert!(!field_is_secret(
            "input",
            Some("email"),
            Some("email"),
            false
        ));
        assert!(!field_is_secret("div", Some("password"), None, false));
        assert_eq!(
            secret_kind("input", Some("text"), Some("cc-csc"), false),
            Some(FieldProblem::Payment)
        );
        assert_eq!(
            secret_kind("input", Some("text"), None, true),
            Some(FieldProblem::Password)
        );
        assert_eq!(
            secret_kind("input", Some("file"), None, false),
            Some(FieldProblem::Hidden)
        );
        assert_eq!(
            secret_kind("textarea", None, Some("street-address"), false),
            None
        );
    }
}
