//! Form push and page push: the agent proposes, the visitor accepts.
//!
//! The widget lists the fields of the visitor's page (`form.fields`), the
//! agent proposes values (`form.push`) or another page of the same site
//! (`page.push`), the visitor accepts or rejects, and every step goes to
//! the session's audit trail with field *names* only, never values.
//!
//! Fields are addressed by the capture's node ids, never by pixels, the same
//! ids the agent's mirror uses, so a click in the mirror finds its field.

use serde::{Deserialize, Serialize};

use crate::limits::short_len as len;
use crate::limits::{
    MAX_FIELD_OPTIONS, MAX_FIELD_VALUE_CHARS, MAX_FORM_FIELDS, MAX_PUSH_FIELDS, MAX_SHORT_CHARS,
    MAX_URL_CHARS,
};

/// What kind of control a field is, which decides the values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// An `<input>` of type text, search, url or password: a string value.
    Text,
    /// `<input type=email>`: a string value.
    Email,
    /// `<input type=tel>`: a string value.
    Tel,
    /// `<input type=number>`: a string value the field must accept.
    Number,
    /// `<input type=date>`: a string value the field must accept.
    Date,
    /// A `<textarea>`: a string value.
    Textarea,
    /// A single `<select>`: the chosen option's value.
    Select,
    /// A `<select multiple>`: the list of chosen options' values.
    SelectMultiple,
    /// A checkbox: a boolean value.
    Checkbox,
    /// A radio group, listed once under its first radio's node.
    Radio,
    /// Anything else (range, color, time…): listed, never pushed.
    Other,
}

impl FieldKind {
    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Email => "email",
            FieldKind::Tel => "tel",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
            FieldKind::Textarea => "textarea",
            FieldKind::Select => "select",
            FieldKind::SelectMultiple => "select_multiple",
            FieldKind::Checkbox => "checkbox",
            FieldKind::Radio => "radio",
            FieldKind::Other => "other",
        }
    }

    /// The kind named `s` on the wire; `None` for any other string.
    pub fn parse(s: &str) -> Option<FieldKind> {
        [
            FieldKind::Text,
            FieldKind::Email,
            FieldKind::Tel,
            FieldKind::Number,
            FieldKind::Date,
            FieldKind::Textarea,
            FieldKind::Select,
            FieldKind::SelectMultiple,
            FieldKind::Checkbox,
            FieldKind::Radio,
            FieldKind::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Why a field cannot be pushed to, or why a push to it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    /// Masked by the site (`data-tandem-mask`, mask selectors) or inside a masked element.
    Masked,
    /// A password input.
    Password,
    /// `autocomplete="cc-*"`.
    Payment,
    /// Hidden or file inputs.
    Hidden,
    /// Disabled or read-only.
    Disabled,
    /// A kind of control values are never pushed to.
    Unsupported,
    /// No such field on the page any more.
    Gone,
    /// The visitor is no longer on the page the push was made for.
    LeftPage,
    /// The value does not fit the field (a letter in a number field, an
    /// option the select does not have…).
    InvalidValue,
}

impl FieldProblem {
    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldProblem::Masked => "masked",
            FieldProblem::Password => "password",
            FieldProblem::Payment => "payment",
            FieldProblem::Hidden => "hidden",
            FieldProblem::Disabled => "disabled",
            FieldProblem::Unsupported => "unsupported",
            FieldProblem::Gone => "gone",
            FieldProblem::LeftPage => "left_page",
            FieldProblem::InvalidValue => "invalid_value",
        }
    }

    /// The problem named `s` on the wire; `None` for any other string.
    pub fn parse(s: &str) -> Option<FieldProblem> {
        [
            FieldProblem::Masked,
            FieldProblem::Password,
            FieldProblem::Payment,
            FieldProblem::Hidden,
            FieldProblem::Disabled,
            FieldProblem::Unsupported,
            FieldProblem::Gone,
            FieldProblem::LeftPage,
            FieldProblem::InvalidValue,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    /// Protected fields: the console never offers them, the widget refuses them.
    pub fn is_protection(self) -> bool {
        matches!(
            self,
            FieldProblem::Masked
                | FieldProblem::Password
                | FieldProblem::Payment
                | FieldProblem::Hidden
        )
    }
}

/// A field's value: text (text-like inputs, textarea, select, the chosen
/// radio), a flag (checkbox) or a list (select multiple).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// A checkbox's state: `true` when checked.
    Flag(bool),
    /// The text of a text-like input or textarea, or the value of the chosen
    /// option or radio (≤ 1,000 characters).
    Text(String),
    /// The values chosen in a select multiple (at most 100).
    List(Vec<String>),
}

impl FieldValue {
    fn validate(&self) -> Result<(), String> {
        match self {
            FieldValue::Flag(_) => Ok(()),
            FieldValue::Text(t) => len("value", t, MAX_FIELD_VALUE_CHARS),
            FieldValue::List(items) => {
                if items.len() > MAX_FIELD_OPTIONS {
                    return Err(format!("at most {MAX_FIELD_OPTIONS} values in a list"));
                }
                items
                    .iter()
                    .try_for_each(|i| len("value", i, MAX_FIELD_VALUE_CHARS))
            }
        }
    }
}

/// One choice of a select or radio group. `node` is the radio's own node
/// (options of a select have none: the select is the field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldOption {
    /// The value a push names to choose it (≤ 200 characters).
    pub value: String,
    /// The text the visitor sees for it (≤ 200 characters).
    pub label: String,
    /// The radio's own node id; absent for an option of a select.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<u32>,
}

/// One field of the visitor's page as the agent sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormField {
    /// The capture's node id (the mirror's id for the same element).
    pub node: u32,
    /// The `name` attribute, else the `id`, else `field-<node>`.
    pub name: String,
    /// From `<label>`, `aria-label`, `placeholder` or the name, in that order.
    pub label: String,
    /// The kind of control, which decides the values it takes.
    pub kind: FieldKind,
    /// The current value; absent for protected fields (never sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<FieldValue>,
    /// The choices of a select or radio group (at most 100); absent for other
    /// kinds and for protected fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<FieldOption>,
    /// Why the field cannot be pushed to; absent when it can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<FieldProblem>,
}

impl FormField {
    /// Whether the agent may propose a value for it (nothing `refused` it).
    pub fn pushable(&self) -> bool {
        self.refused.is_none()
    }
}

/// A value the agent proposes for one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldPush {
    /// The capture's node id of the field, from the `form.fields` listing.
    pub node: u32,
    /// The field's name from the listing, which the audit trail records.
    pub name: String,
    /// The proposed value, of the shape the field's kind takes.
    pub value: FieldValue,
}

/// How the visitor answered a form push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FormOutcome {
    /// Every proposed field was applied.
    Accepted,
    /// Some fields applied, the others rejected by the visitor.
    Partial,
    /// The visitor rejected everything; nothing changed.
    Rejected,
    /// The widget refused the push before asking (see `errors`); nothing changed.
    Failed,
}

impl FormOutcome {
    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            FormOutcome::Accepted => "accepted",
            FormOutcome::Partial => "partial",
            FormOutcome::Rejected => "rejected",
            FormOutcome::Failed => "failed",
        }
    }

    /// The outcome named `s` on the wire; `None` for any other string.
    pub fn parse(s: &str) -> Option<FormOutcome> {
        [
            FormOutcome::Accepted,
            FormOutcome::Partial,
            FormOutcome::Rejected,
            FormOutcome::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// Visitor: the answer to form push `push` (frame `form.answer`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormAnswer {
    /// The session the push was made in.
    pub session: String,
    /// The number the server gave the push in its `form.push` frame.
    pub push: u32,
    /// Whether the fields were applied, in part, not at all, or refused.
    pub outcome: FormOutcome,
    /// Names of the fields the widget filled in.
    #[serde(default)]
    pub applied: Vec<String>,
    /// Names of the fields the visitor turned down.
    #[serde(default)]
    pub rejected: Vec<String>,
    /// Fields the widget refused, each with the reason; empty when none.
    #[serde(default)]
    pub errors: Vec<FieldError>,
}

/// Why one field of a push was not applied by the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The capture's node id of the field, as the push named it.
    pub node: u32,
    /// The field's name, as the push named it.
    pub name: String,
    /// Why the widget did not apply the value.
    pub reason: FieldProblem,
}

pub(crate) fn validate_fields(fields: &[FormField]) -> Result<(), String> {
    if fields.len() > MAX_FORM_FIELDS {
        return Err(format!("at most {MAX_FORM_FIELDS} fields"));
    }
    for f in fields {
        len("field name", &f.name, MAX_SHORT_CHARS)?;
        len("field label", &f.label, MAX_SHORT_CHARS)?;
        if let Some(v) = &f.value {
            v.validate()?;
        }
        if f.options.len() > MAX_FIELD_OPTIONS {
            return Err(format!("at most {MAX_FIELD_OPTIONS} options per field"));
        }
        for o in &f.options {
            len("option value", &o.value, MAX_SHORT_CHARS)?;
            len("option label", &o.label, MAX_SHORT_CHARS)?;
        }
    }
    Ok(())
}

pub(crate) fn validate_push(url: &str, fields: &[FieldPush]) -> Result<(), String> {
    len("url", url, MAX_URL_CHARS)?;
    if fields.is_empty() {
        return Err("a push needs at least one field".into());
    }
    if fields.len() > MAX_PUSH_FIELDS {
        return Err(format!("at most {MAX_PUSH_FIELDS} fields per push"));
    }
    for f in fields {
        len("field name", &f.name, MAX_SHORT_CHARS)?;
        f.value.validate()?;
    }
    Ok(())
}

pub(crate) fn validate_names(names: &[String]) -> Result<(), String> {
    if names.len() > MAX_PUSH_FIELDS {
        return Err(format!("at most {MAX_PUSH_FIELDS} field names"));
    }
    names
        .iter()
        .try_for_each(|n| len("field name", n, MAX_SHORT_CHARS))
}

/// The visitor's answer to a form push names fields and errors, within limits.
pub(crate) fn validate_answer(answer: &FormAnswer) -> Result<(), String> {
    validate_names(&answer.applied)?;
    validate_names(&answer.rejected)?;
    if answer.errors.len() > MAX_PUSH_FIELDS {
        return Err(format!("at most {MAX_PUSH_FIELDS} errors"));
    }
    answer
        .errors
        .iter()
        .try_for_each(|e| len("field name", &e.name, MAX_SHORT_CHARS))
}

/// A page push proposes an absolute http(s) URL with an optional short label.
pub(crate) fn validate_page_push(url: &str, label: &Option<String>) -> Result<(), String> {
    len("url", url, MAX_URL_CHARS)?;
    if http_origin(url).is_none() {
        return Err("url must be an absolute http(s) URL".into());
    }
    match label {
        Some(l) => len("label", l, MAX_SHORT_CHARS),
        None => Ok(()),
    }
}

/// `scheme://host[:port]` of an absolute http(s) URL, lower-cased; `None`
/// for anything else. Enough to tell whether a page push stays on the
/// visitor's site (the widget checks again with the browser's URL parser).
pub fn http_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    // Credentials in the URL would make the "host" misleading.
    if host.is_empty() || host.contains('@') || host.contains('\\') {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let host = match (scheme.as_str(), host.rsplit_once(':')) {
        ("http", Some((h, "80"))) | ("https", Some((h, "443"))) => h.to_string(),
        _ => host,
    };
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_untagged() {
        let v: Vec<FieldValue> = serde_json::from_str(r#"["a", true, ["x","y"]]"#).unwrap();
        assert_eq!(
            v,
            vec![
                FieldValue::Text("a".into()),
                FieldValue::Flag(true),
                FieldValue::List(vec!["x".into(), "y".into()])
            ]
        );
        assert_eq!(
            serde_json::to_string(&FieldValue::Flag(false)).unwrap(),
            "false"
        );
    }

    #[test]
    fn origins() {
        assert_eq!(
            http_origin("https://Shop.test/cart?x=1").as_deref(),
            Some("https://shop.test")
        );
        assert_eq!(
            http_origin("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            http_origin("http://a.test:80/x").as_deref(),
            Some("http://a.test")
        );
        assert_eq!(http_origin("javascript:alert(1)"), None);
        assert_eq!(http_origin("/relative"), None);
        assert_eq!(http_origin("http://evil.test@shop.test/"), None);
        assert_eq!(http_origin("ftp://shop.test/"), None);
    }

    #[test]
    fn names_round_trip() {
        for k in ["text", "select_multiple", "radio", "other"] {
            assert_eq!(FieldKind::parse(k).unwrap().as_str(), k);
        }
        for p in ["masked", "payment", "left_page", "invalid_value"] {
            assert_eq!(FieldProblem::parse(p).unwrap().as_str(), p);
        }
        assert!(FieldProblem::Password.is_protection());
        assert!(!FieldProblem::Gone.is_protection());
    }
}
