//! The form panel's state for one session: the fields the visitor's widget
//! listed, the values the agent typed for them, and the field selected
//! (in the panel or by a click in the mirror); and where a page push may
//! lead (`page_url`). Pure data, tested natively.

use std::collections::BTreeMap;

use protocol::{FieldKind, FieldPush, FieldValue, FormField};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormPanel {
    /// The page the listing is for.
    pub url: String,
    pub fields: Vec<FormField>,
    /// A listing was asked for and has not arrived yet.
    pub loading: bool,
    /// Node of the selected field.
    pub selected: Option<u32>,
    /// What the agent entered, by field node; only these are pushed.
    pub drafts: BTreeMap<u32, FieldValue>,
}

impl FormPanel {
    /// A fresh listing. Drafts for fields that are still there are kept, so
    /// a refresh after a push does not lose what the agent typed for others.
    pub fn set_fields(&mut self, url: String, fields: Vec<FormField>) {
        if url != self.url {
            self.drafts.clear();
            self.selected = None;
        }
        self.drafts
            .retain(|node, _| fields.iter().any(|f| f.node == *node && f.pushable()));
        self.url = url;
        self.fields = fields;
        self.loading = false;
    }

    /// The field an element of the page belongs to: the field itself, or a
    /// radio of its group.
    pub fn field_for_node(&self, node: u32) -> Option<&FormField> {
        self.fields
            .iter()
            .find(|f| f.node == node || f.options.iter().any(|o| o.node == Some(node)))
    }

    /// Selects the field `node` belongs to; returns whether there was one.
    pub fn select_node(&mut self, node: u32) -> bool {
        match self.field_for_node(node).map(|f| f.node) {
            Some(field) => {
                self.selected = Some(field);
                true
            }
            None => false,
        }
    }

    /// Sets (or, with `None`, drops) the agent's value for a pushable field.
    pub fn set_draft(&mut self, node: u32, value: Option<FieldValue>) {
        let pushable = self.fields.iter().any(|f| f.node == node && f.pushable());
        match value {
            Some(v) if pushable => {
                self.drafts.insert(node, v);
            }
            _ => {
                self.drafts.remove(&node);
            }
        }
    }

    /// What "Push to visitor" sends: every draft of a field still listed.
    pub fn push_fields(&self) -> Vec<FieldPush> {
        self.fields
            .iter()
            .filter(|f| f.pushable())
            .filter_map(|f| {
                Some(FieldPush {
                    node: f.node,
                    name: f.name.clone(),
                    value: self.drafts.get(&f.node)?.clone(),
                })
            })
            .collect()
    }
}

/// The text an input shows for a value (lists joined by commas).
pub fn value_text(value: Option<&FieldValue>) -> String {
    match value {
        Some(FieldValue::Text(t)) => t.clone(),
        Some(FieldValue::Flag(true)) => "checked".into(),
        Some(FieldValue::Flag(false)) => "not checked".into(),
        Some(FieldValue::List(items)) => items.join(", "),
        None => String::new(),
    }
}

/// A human name for a kind, for the panel's type column.
pub fn kind_text(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "text",
        FieldKind::Email => "email",
        FieldKind::Tel => "phone",
        FieldKind::Number => "number",
        FieldKind::Date => "date",
        FieldKind::Textarea => "text area",
        FieldKind::Select => "choice",
        FieldKind::SelectMultiple => "choices",
        FieldKind::Checkbox => "checkbox",
        FieldKind::Radio => "options",
        FieldKind::Other => "other",
    }
}

/// Resolves what the agent typed in "Send page" against the visitor's
/// page: relative paths are allowed ("/cart.html"); the result must stay
/// on the page's origin (the server and the widget check again).
pub fn page_url(base: &str, typed: &str) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    let url = web_url(typed, base)?;
    let origin = protocol::form::http_origin(&url)?;
    (Some(origin) == protocol::form::http_origin(base)).then_some(url)
}

#[cfg(target_arch = "wasm32")]
fn web_url(typed: &str, base: &str) -> Option<String> {
    web_sys::Url::new_with_base(typed, base)
        .ok()
        .map(|u| u.href())
}

/// Native builds (tests) join by hand: absolute URLs as they are, paths
/// from the base's origin.
#[cfg(not(target_arch = "wasm32"))]
fn web_url(typed: &str, base: &str) -> Option<String> {
    if typed.contains("://") {
        return Some(typed.to_string());
    }
    let origin = protocol::form::http_origin(base)?;
    typed.starts_with('/').then(|| format!("{origin}{typed}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{FieldOption, FieldProblem};

    fn field(node: u32, name: &str, kind: FieldKind) -> FormField {
        FormField {
            node,
            name: name.into(),
            label: name.into(),
            kind,
            value: None,
            options: vec![],
            refused: None,
        }
    }

    fn panel() -> FormPanel {
        let mut radio = field(10, "ship", FieldKind::Radio);
        radio.options = vec![
            FieldOption {
                value: "std".into(),
                label: "Standard".into(),
                node: Some(10),
            },
            FieldOption {
                value: "exp".into(),
                label: "Express".into(),
                node: Some(11),
            },
        ];
        let mut pw = field(5, "pw", FieldKind::Other);
        pw.refused = Some(FieldProblem::Password);
        let mut p = FormPanel::default();
        p.set_fields(
            "https://shop.test/a".into(),
            vec![field(3, "email", FieldKind::Email), pw, radio],
        );
        p
    }

    #[test]
    fn clicks_on_a_radio_select_its_group() {
        let mut p = panel();
        assert!(p.select_node(11));
        assert_eq!(p.selected, Some(10));
        assert!(!p.select_node(99));
    }

    #[test]
    fn only_drafts_of_pushable_fields_are_pushed() {
        let mut p = panel();
        p.set_draft(3, Some(FieldValue::Text("a@b.c".into())));
        p.set_draft(5, Some(FieldValue::Text("secret".into())));
        p.set_draft(10, Some(FieldValue::Text("exp".into())));
        let pushed = p.push_fields();
        assert_eq!(pushed.len(), 2);
        assert_eq!(pushed[0].name, "email");
        assert_eq!(pushed[1].value, FieldValue::Text("exp".into()));
        // Another page: drafts go.
        p.set_fields("https://shop.test/b".into(), vec![]);
        assert!(p.drafts.is_empty());
    }

    #[test]
    fn page_urls_stay_on_the_site() {
        let base = "http://127.0.0.1:8080/account.html";
        assert_eq!(
            page_url(base, "/cart.html").as_deref(),
            Some("http://127.0.0.1:8080/cart.html")
        );
        assert_eq!(page_url(base, "https://evil.test/"), None);
        assert_eq!(page_url(base, "  "), None);
    }
}
