//! The sentences the chat log shows for form and page pushes (the session's
//! audit trail), e.g. "Form push: email, phone — accepted 2 of 2".
//!
//! An answer names its push by number; the push's own entry gives the
//! fields proposed, so the line can say "2 of 3".

use std::collections::BTreeMap;

use protocol::{Event, EventBody, FieldProblem, FormOutcome};

use crate::format::host_and_path;

/// The line for a push or answer event; `None` for other kinds.
pub fn audit_text(
    body: &EventBody,
    author_name: Option<&str>,
    log: &BTreeMap<u64, Event>,
) -> Option<String> {
    let text = match body {
        EventBody::FormPush { fields, .. } => format!(
            "{} proposed values for {}",
            author_name.unwrap_or("The agent"),
            fields.join(", ")
        ),
        EventBody::FormAnswer {
            push,
            outcome,
            applied,
            rejected,
            errors,
        } => {
            let proposed = proposed_fields(log, *push).unwrap_or_else(|| {
                let mut all = applied.clone();
                all.extend(rejected.iter().cloned());
                all.extend(errors.iter().map(|e| e.name.clone()));
                all
            });
            let head = format!("Form push: {}", proposed.join(", "));
            match outcome {
                FormOutcome::Accepted | FormOutcome::Partial => {
                    let mut t =
                        format!("{head} — accepted {} of {}", applied.len(), proposed.len());
                    if !rejected.is_empty() {
                        t.push_str(&format!(" (rejected: {})", rejected.join(", ")));
                    }
                    t
                }
                FormOutcome::Rejected => format!("{head} — rejected by the visitor"),
                FormOutcome::Failed => {
                    let why: Vec<String> = errors
                        .iter()
                        .map(|e| format!("{}: {}", e.name, problem_text(e.reason)))
                        .collect();
                    format!("{head} — not applied ({})", why.join("; "))
                }
            }
        }
        EventBody::PagePush { url, label, .. } => format!(
            "{} proposed the page {}",
            author_name.unwrap_or("The agent"),
            label.clone().unwrap_or_else(|| host_and_path(url))
        ),
        EventBody::PageAnswer { push, accepted } => {
            let page = pushed_page(log, *push).unwrap_or_else(|| "the page".into());
            if *accepted {
                format!("The visitor opened {page}")
            } else {
                format!("The visitor declined {page}")
            }
        }
        _ => return None,
    };
    Some(text)
}

/// What the agent reads for why a field was not filled.
pub fn problem_text(p: FieldProblem) -> &'static str {
    match p {
        FieldProblem::Masked => "protected field",
        FieldProblem::Password => "password field",
        FieldProblem::Payment => "payment field",
        FieldProblem::Hidden => "hidden field",
        FieldProblem::Disabled => "field is disabled or read-only",
        FieldProblem::Unsupported => "this kind of field cannot be filled",
        FieldProblem::Gone => "field no longer exists",
        FieldProblem::LeftPage => "the visitor left the page",
        FieldProblem::InvalidValue => "value does not fit the field",
    }
}

fn proposed_fields(log: &BTreeMap<u64, Event>, push: u32) -> Option<Vec<String>> {
    log.values().rev().find_map(|e| match &e.body {
        EventBody::FormPush {
            push: p, fields, ..
        } if *p == push => Some(fields.clone()),
        _ => None,
    })
}

fn pushed_page(log: &BTreeMap<u64, Event>, push: u32) -> Option<String> {
    log.values().rev().find_map(|e| match &e.body {
        EventBody::PagePush {
            push: p,
            url,
            label,
        } if *p == push => Some(label.clone().unwrap_or_else(|| host_and_path(url))),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{FieldError, Role};

    fn ev(seq: u64, body: EventBody) -> (u64, Event) {
        (
            seq,
            Event {
                seq,
                at: 0,
                author: Role::Agent,
                author_name: None,
                body,
            },
        )
    }

    #[test]
    fn answers_count_against_their_push() {
        let log: BTreeMap<u64, Event> = [ev(
            1,
            EventBody::FormPush {
                push: 7,
                url: "u".into(),
                fields: vec!["email".into(), "phone".into()],
            },
        )]
        .into();
        let accepted = EventBody::FormAnswer {
            push: 7,
            outcome: FormOutcome::Accepted,
            applied: vec!["email".into(), "phone".into()],
            rejected: vec![],
            errors: vec![],
        };
        assert_eq!(
            audit_text(&accepted, None, &log).unwrap(),
            "Form push: email, phone — accepted 2 of 2"
        );
        let partial = EventBody::FormAnswer {
            push: 7,
            outcome: FormOutcome::Partial,
            applied: vec!["email".into()],
            rejected: vec!["phone".into()],
            errors: vec![],
        };
        assert_eq!(
            audit_text(&partial, None, &log).unwrap(),
            "Form push: email, phone — accepted 1 of 2 (rejected: phone)"
        );
        let failed = EventBody::FormAnswer {
            push: 7,
            outcome: FormOutcome::Failed,
            applied: vec![],
            rejected: vec![],
            errors: vec![FieldError {
                node: 3,
                name: "phone".into(),
                reason: FieldProblem::Gone,
            }],
        };
        assert!(
            audit_text(&failed, None, &log)
                .unwrap()
                .ends_with("not applied (phone: field no longer exists)")
        );
        let msg = EventBody::Message {
            text: "hi".into(),
            client_id: None,
        };
        assert_eq!(audit_text(&msg, None, &log), None);
    }
}
