//! The sentences the chat log shows for lifecycle events: requests, joins,
//! ends, screen sharing, transfers, wrap-ups, call-backs and calls (pushes
//! and their answers: `form::audit`). Pure, tested natively.

use protocol::{CallAction, CallEndReason, Callback, EventBody, Millis, Role, ShareAction};

/// The sentence shown for a lifecycle event.
pub(super) fn system_text(body: &EventBody, author_name: Option<&str>) -> String {
    match body {
        EventBody::Requested { topic: Some(topic) } => format!("Visitor asked for help · {topic}"),
        EventBody::Requested { topic: None } => "Visitor asked for help".into(),
        EventBody::AgentJoined { name, .. } => format!("{name} joined the chat"),
        EventBody::Ended { by } => match by {
            Role::Visitor => "The visitor ended the chat".into(),
            Role::Agent => match author_name {
                Some(name) => format!("{name} ended the chat"),
                None => "The agent ended the chat".into(),
            },
            Role::System => "The chat was closed".into(),
        },
        EventBody::Message { text, .. } => text.clone(),
        EventBody::Share { action, by } => match (action, by) {
            (ShareAction::Requested, _) => "You asked to see the visitor's screen".into(),
            (ShareAction::Started, _) => "The visitor is sharing their screen".into(),
            (ShareAction::Denied, _) => "The visitor declined to share their screen".into(),
            (ShareAction::Stopped, Role::Visitor) => {
                "The visitor stopped sharing their screen".into()
            }
            (ShareAction::Stopped, Role::Agent) => "You stopped screen sharing".into(),
            // Only a change of agent stops it on its own; the next agent asks again.
            (ShareAction::Stopped, Role::System) => {
                "Screen sharing ended with the transfer; ask again to see the screen".into()
            }
        },
        EventBody::Highlight {
            label: Some(label), ..
        } => format!("Highlighted “{label}” on the visitor's page"),
        EventBody::Highlight { label: None, .. } => {
            "Highlighted an element on the visitor's page".into()
        }
        // Pushes and answers: see `form/audit.rs`.
        EventBody::FormPush { .. }
        | EventBody::FormAnswer { .. }
        | EventBody::PagePush { .. }
        | EventBody::PageAnswer { .. } => String::new(),
        EventBody::Transferred {
            from, to: Some(to), ..
        } => format!("{} transferred the chat to {}", from.name, to.name),
        EventBody::Transferred { from, skill, .. } => match skill {
            Some(skill) => format!("{} sent the chat to the {skill} queue", from.name),
            None => format!("{} sent the chat back to the queue", from.name),
        },
        EventBody::Note { text } => text.clone(),
        EventBody::Wrapup { disposition, note } => {
            let tag = crate::format::disposition_label(disposition);
            match note {
                Some(note) => format!("Wrapped up as {tag} · {note}"),
                None => format!("Wrapped up as {tag}"),
            }
        }
        // Agents get `redacted` only for entries erased for privacy
        // (docs/privacy.md): the entry stays so the numbering has no gaps.
        EventBody::Redacted => "Erased for privacy".into(),
        EventBody::Callback { callback } => match callback {
            // An erased call-back keeps its kind, not its contact.
            Callback::Message { email } if email.is_empty() => {
                "Nobody was free: the visitor asked for an answer by email (address erased)".into()
            }
            Callback::Phone { phone, .. } if phone.is_empty() => {
                "Nobody was free: the visitor asked to be called back (number erased)".into()
            }
            Callback::Message { email } => {
                format!("Nobody was free: the visitor asked for an answer by email at {email}")
            }
            Callback::Phone { phone, at: None } => {
                format!("Nobody was free: the visitor asked to be called back at {phone}")
            }
            Callback::Phone {
                phone,
                at: Some(at),
            } => format!(
                "Nobody was free: the visitor asked to be called back at {phone}, {}",
                crate::clock::full_time(*at)
            ),
            Callback::Browser => {
                "Nobody was free: the visitor asked to be answered here when someone is".into()
            }
        },
        EventBody::Call {
            action,
            by,
            duration_ms,
            reason,
            ..
        } => call_text(*action, *by, author_name, *duration_ms, *reason),
    }
}

/// The transcript's line for a call event.
fn call_text(
    action: CallAction,
    by: Role,
    author_name: Option<&str>,
    duration_ms: Option<u64>,
    reason: Option<CallEndReason>,
) -> String {
    let who = match (by, author_name) {
        (Role::Visitor, _) => "the visitor",
        (_, Some(name)) => name,
        _ => "the agent",
    };
    match (action, reason) {
        (CallAction::Started, _) => format!("Call started by {who}"),
        (CallAction::Answered, _) => format!("Call answered by {who}"),
        (CallAction::Ended, Some(CallEndReason::Declined)) => format!("Call declined by {who}"),
        (CallAction::Ended, Some(CallEndReason::Cancelled)) => {
            "Call cancelled before it was answered".into()
        }
        (CallAction::Ended, Some(CallEndReason::NoAnswer)) => "Call not answered".into(),
        (CallAction::Ended, Some(CallEndReason::Failed)) => "Call failed: no network path".into(),
        (CallAction::Ended, Some(CallEndReason::Transferred)) => {
            "Call ended with the transfer".into()
        }
        (CallAction::Ended, Some(CallEndReason::Interrupted)) => {
            "Call cut off: the server restarted".into()
        }
        (CallAction::Ended, _) => match duration_ms.filter(|d| *d > 0) {
            Some(d) => format!("Call ended — {}", crate::format::elapsed(d as Millis)),
            None => "Call ended".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_erased_for_privacy_say_so() {
        assert_eq!(
            system_text(&EventBody::Redacted, None),
            "Erased for privacy"
        );
        let callback = |callback| system_text(&EventBody::Callback { callback }, None);
        let phone = Callback::Phone {
            phone: String::new(),
            at: Some(1),
        };
        assert!(callback(phone).ends_with("(number erased)"));
        let email = Callback::Message {
            email: String::new(),
        };
        assert!(callback(email).ends_with("(address erased)"));
    }

    #[test]
    fn calls_read_in_the_transcript_with_who_and_how_long() {
        let line =
            |action, by, duration_ms, reason| call_text(action, by, None, duration_ms, reason);
        assert_eq!(
            line(CallAction::Started, Role::Agent, None, None),
            "Call started by the agent"
        );
        assert_eq!(
            call_text(CallAction::Started, Role::Agent, Some("Ana"), None, None),
            "Call started by Ana"
        );
        assert_eq!(
            line(
                CallAction::Ended,
                Role::Agent,
                Some(133_000),
                Some(CallEndReason::HungUp)
            ),
            "Call ended — 02:13"
        );
        assert_eq!(
            line(
                CallAction::Ended,
                Role::Visitor,
                Some(0),
                Some(CallEndReason::Declined)
            ),
            "Call declined by the visitor"
        );
        assert_eq!(
            line(
                CallAction::Ended,
                Role::Agent,
                Some(9_000),
                Some(CallEndReason::Failed)
            ),
            "Call failed: no network path"
        );
    }
}
