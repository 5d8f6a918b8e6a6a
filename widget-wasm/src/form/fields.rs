//! The page's form fields as the agent sees them (`form.fields`): kind,
//! name, label and current value, addressed by the capture's node ids.
//! Protected fields are listed without their value, so the agent knows
//! they exist but can neither read nor fill them.

use protocol::limits::{
    MAX_FIELD_OPTIONS, MAX_FIELD_VALUE_CHARS, MAX_FORM_FIELDS, MAX_FRAME_BYTES, MAX_SHORT_CHARS,
};
use protocol::{FieldKind, FieldOption, FieldProblem, FieldValue, FormField};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, NodeList};

use crate::browser::document;
use crate::capture::Capture;
use crate::capture::forms::radio_group;

/// Room for the listing in one text frame, beside the envelope and URL.
const LISTING_BYTES: usize = MAX_FRAME_BYTES - 4096;

/// The fields of the page the capture mirrors, in document order; on a page
/// with very many, as many as fit in one frame.
pub fn list(capture: &Capture) -> Vec<FormField> {
    let Ok(all) = document().query_selector_all("input, select, textarea") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut radios_seen = Vec::new();
    let mut bytes = 0;
    for el in elements(&all) {
        if out.len() >= MAX_FORM_FIELDS || bytes > LISTING_BYTES {
            break;
        }
        let Some(node) = capture.id_of(&el) else {
            continue;
        };
        if radios_seen.contains(&node) {
            continue;
        }
        let Some(kind) = kind_of(&el) else { continue };
        let refused = capture.protection(node).or_else(|| disabled(&el));
        let mut field = FormField {
            node,
            name: name_of(&el, node),
            label: label_of(&el).unwrap_or_else(|| name_of(&el, node)),
            kind,
            value: None,
            options: Vec::new(),
            refused,
        };
        if kind == FieldKind::Radio {
            // One entry per group, under its first radio.
            for radio in radio_group(el.unchecked_ref()) {
                let Some(id) = capture.id_of(&radio) else {
                    continue;
                };
                radios_seen.push(id);
                let input: &HtmlInputElement = radio.unchecked_ref();
                field.options.push(FieldOption {
                    value: input.value(),
                    label: label_of(&radio).unwrap_or_else(|| input.value()),
                    node: Some(id),
                });
            }
            field.options.truncate(MAX_FIELD_OPTIONS);
            if !field.options.is_empty() {
                field.label = group_label(&el).unwrap_or_else(|| field.name.clone());
            }
        } else if matches!(kind, FieldKind::Select | FieldKind::SelectMultiple) {
            field.options = select_options(el.unchecked_ref());
        }
        if refused.is_none_or(|r| !r.is_protection()) {
            field.value = value_of(&el, kind);
        } else {
            // Neither the value nor what the options say may leave the page.
            field.options.clear();
        }
        bytes += json_size(&field);
        if bytes <= LISTING_BYTES {
            out.push(field);
        }
    }
    out
}

/// More than the field's size as JSON: its texts counted twice (room for
/// escapes), plus keys and punctuation.
fn json_size(f: &FormField) -> usize {
    let value = match &f.value {
        Some(FieldValue::Text(t)) => t.len(),
        Some(FieldValue::List(l)) => l.iter().map(|v| v.len() + 3).sum(),
        _ => 5,
    };
    let options: usize = f
        .options
        .iter()
        .map(|o| 2 * (o.value.len() + o.label.len()) + 40)
        .sum();
    2 * (f.name.len() + f.label.len() + value) + options + 100
}

fn elements(list: &NodeList) -> impl Iterator<Item = Element> + '_ {
    (0..list.length()).filter_map(|i| list.item(i).map(|n| n.unchecked_into::<Element>()))
}

/// The field's kind; `None` for controls that hold no value (buttons) and
/// hidden inputs, which are not shown to the agent at all.
pub fn kind_of(el: &Element) -> Option<FieldKind> {
    match el.local_name().as_str() {
        "textarea" => Some(FieldKind::Textarea),
        "select" if el.unchecked_ref::<HtmlSelectElement>().multiple() => {
            Some(FieldKind::SelectMultiple)
        }
        "select" => Some(FieldKind::Select),
        "input" => Some(
            match el.unchecked_ref::<HtmlInputElement>().type_().as_str() {
                "text" | "search" | "url" | "password" => FieldKind::Text,
                "email" => FieldKind::Email,
                "tel" => FieldKind::Tel,
                "number" => FieldKind::Number,
                "date" => FieldKind::Date,
                "checkbox" => FieldKind::Checkbox,
                "radio" => FieldKind::Radio,
                "hidden" | "submit" | "button" | "reset" | "image" => return None,
                _ => FieldKind::Other,
            },
        ),
        _ => None,
    }
}

/// What the visitor and the agent call a field: its label, its group's
/// legend for radios, else its name.
pub fn label_for(el: &Element, node: u32) -> String {
    let radio = kind_of(el) == Some(FieldKind::Radio);
    radio
        .then(|| group_label(el))
        .flatten()
        .or_else(|| label_of(el))
        .unwrap_or_else(|| name_of(el, node))
}

/// `name`, else `id`, else a name made from the node id.
pub fn name_of(el: &Element, node: u32) -> String {
    let name = el.get_attribute("name").filter(|n| !n.trim().is_empty());
    let name = name.or_else(|| Some(el.id()).filter(|i| !i.is_empty()));
    let name = name.unwrap_or_else(|| format!("field-{node}"));
    clip(&name, MAX_SHORT_CHARS)
}

pub fn disabled(el: &Element) -> Option<FieldProblem> {
    (el.has_attribute("disabled") || el.has_attribute("readonly")).then_some(FieldProblem::Disabled)
}

/// `<label>`, then `aria-label`, then `placeholder`.
fn label_of(el: &Element) -> Option<String> {
    let labels = match el.local_name().as_str() {
        "input" => el.unchecked_ref::<HtmlInputElement>().labels(),
        "select" => Some(el.unchecked_ref::<HtmlSelectElement>().labels()),
        "textarea" => Some(el.unchecked_ref::<HtmlTextAreaElement>().labels()),
        _ => None,
    };
    let from_label = labels.and_then(|l| {
        elements(&l)
            .filter_map(|e| e.text_content())
            .map(|t| tidy(&t))
            .find(|t| !t.is_empty())
    });
    from_label
        .or_else(|| el.get_attribute("aria-label").map(|t| tidy(&t)))
        .or_else(|| el.get_attribute("placeholder").map(|t| tidy(&t)))
        .filter(|t| !t.is_empty())
        .map(|t| clip(&t, MAX_SHORT_CHARS))
}

/// A radio group's label: its `<fieldset>`'s legend, when it has one.
fn group_label(el: &Element) -> Option<String> {
    let legend = el
        .closest("fieldset")
        .ok()??
        .query_selector("legend")
        .ok()??;
    Some(clip(&tidy(&legend.text_content()?), MAX_SHORT_CHARS)).filter(|t| !t.is_empty())
}

fn select_options(select: &HtmlSelectElement) -> Vec<FieldOption> {
    let options = select.options();
    (0..options.length().min(MAX_FIELD_OPTIONS as u32))
        .filter_map(|i| options.item(i))
        .map(|o| {
            let o: web_sys::HtmlOptionElement = o.unchecked_into();
            FieldOption {
                value: clip(&o.value(), MAX_SHORT_CHARS),
                label: clip(&tidy(&o.text()), MAX_SHORT_CHARS),
                node: None,
            }
        })
        .collect()
}

/// The current value, as the page's own code would read it.
pub fn value_of(el: &Element, kind: FieldKind) -> Option<FieldValue> {
    Some(match kind {
        FieldKind::Checkbox => FieldValue::Flag(el.unchecked_ref::<HtmlInputElement>().checked()),
        FieldKind::Radio => FieldValue::Text(
            radio_group(el.unchecked_ref())
                .iter()
                .map(|r| r.unchecked_ref::<HtmlInputElement>())
                .find(|r| r.checked())
                .map(|r| r.value())
                .unwrap_or_default(),
        ),
        FieldKind::SelectMultiple => {
            let selected = el.unchecked_ref::<HtmlSelectElement>().selected_options();
            FieldValue::List(
                (0..selected.length())
                    .filter_map(|i| selected.item(i))
                    .map(|o| o.unchecked_into::<web_sys::HtmlOptionElement>().value())
                    .collect(),
            )
        }
        FieldKind::Select => FieldValue::Text(el.unchecked_ref::<HtmlSelectElement>().value()),
        FieldKind::Textarea => FieldValue::Text(clip(
            &el.unchecked_ref::<HtmlTextAreaElement>().value(),
            MAX_FIELD_VALUE_CHARS,
        )),
        FieldKind::Other => return None,
        _ => FieldValue::Text(clip(
            &el.unchecked_ref::<HtmlInputElement>().value(),
            MAX_FIELD_VALUE_CHARS,
        )),
    })
}

/// How a proposed value reads for the visitor: the options' labels for
/// selects, the chosen radio's label (`el` is that radio), yes/no for
/// checkboxes.
pub fn describe(el: &Element, kind: FieldKind, value: &FieldValue, yes: &str, no: &str) -> String {
    let option_label = |v: &str| {
        let options = el.unchecked_ref::<HtmlSelectElement>().options();
        (0..options.length())
            .filter_map(|i| options.item(i))
            .map(|o| o.unchecked_into::<web_sys::HtmlOptionElement>())
            .find(|o| o.value() == v)
            .map_or_else(|| v.to_string(), |o| tidy(&o.text()))
    };
    match (kind, value) {
        (_, FieldValue::Flag(on)) => (if *on { yes } else { no }).to_string(),
        (FieldKind::Radio, FieldValue::Text(v)) => label_of(el).unwrap_or_else(|| v.clone()),
        (FieldKind::Select, FieldValue::Text(v)) => option_label(v),
        (_, FieldValue::Text(v)) => v.clone(),
        (_, FieldValue::List(items)) => {
            let mut out = String::new();
            for item in items {
                if !out.is_empty() {
                    out.push_str(", ");
                }
                out.push_str(&option_label(item));
            }
            out
        }
    }
}

/// Whitespace collapsed, ends trimmed.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
