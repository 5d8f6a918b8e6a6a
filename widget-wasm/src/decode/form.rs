//! Reading the form family's values: pushed fields and their values, and
//! the field errors of a form answer.

use protocol::{FieldError, FieldProblem, FieldPush, FieldValue};

use super::source::{Source, text, uint};

pub(super) fn field_value<S: Source>(v: &S) -> Option<FieldValue> {
    if let Some(b) = v.boolean() {
        return Some(FieldValue::Flag(b));
    }
    if v.is_array() {
        return v
            .items()
            .iter()
            .map(|i| i.string())
            .collect::<Option<_>>()
            .map(FieldValue::List);
    }
    v.string().map(FieldValue::Text)
}

pub(super) fn field_push<S: Source>(v: &S) -> Option<FieldPush> {
    Some(FieldPush {
        node: uint(v, "node")? as u32,
        name: text(v, "name")?,
        value: field_value(&v.get("value")?)?,
    })
}

pub(super) fn field_error<S: Source>(v: &S) -> Option<FieldError> {
    Some(FieldError {
        node: uint(v, "node")? as u32,
        name: text(v, "name")?,
        reason: FieldProblem::parse(&text(v, "reason")?)?,
    })
}
