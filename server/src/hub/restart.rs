//! What a restarted server reads back about its open sessions beyond their
//! rows: whether each was being shared, and which calls the stop cut off.
//!
//! Both come from the session's log, not from a copy kept elsewhere: every
//! consent step and every call step is an entry (`share`, `call`), and an
//! entry is committed before either side is told of it. So the restarted
//! hub resumes from exactly what both sides last heard. A step the process
//! died before committing was never confirmed to anyone; a visitor's Stop
//! in that window has already stopped the capture in their browser, and
//! the banner still offers Stop.
//!
//! The page log and any push waiting for an answer are not kept: the mirror
//! asks the widget for a fresh keyframe, and the agent pushes again. A call
//! cannot survive (its signalling and relays were in the stopped process):
//! it is ended with reason `interrupted`, an entry both sides see.

use std::collections::HashMap;

use protocol::{CallAction, Event, EventBody, ShareAction, ShareState};

/// A call that was ringing or connected when the server stopped.
#[derive(Debug, PartialEq)]
pub(super) struct CutCall {
    pub(super) session: String,
    pub(super) call: String,
}

/// Read back from the open sessions' `share` and `call` entries.
#[derive(Debug, Default)]
pub(super) struct Resumed {
    /// The sharing state of each session whose log has consent steps.
    pub(super) share: HashMap<String, ShareState>,
    /// Calls to end, one at most per session, in the order of the entries.
    pub(super) cut_calls: Vec<CutCall>,
}

/// Folds `share` and `call` entries, grouped by session and in log order
/// within each (as the store returns them), into each session's last
/// sharing state and its unfinished call.
pub(super) fn resume(events: Vec<(String, Event)>) -> Resumed {
    let mut resumed = Resumed::default();
    let mut calls: Vec<(String, Option<String>)> = Vec::new();
    for (session, event) in events {
        match event.body {
            EventBody::Share { action, .. } => {
                let state = match action {
                    ShareAction::Requested => ShareState::Requested,
                    ShareAction::Started => ShareState::Active,
                    ShareAction::Denied | ShareAction::Stopped => ShareState::Off,
                };
                resumed.share.insert(session, state);
            }
            EventBody::Call { call, action, .. } => {
                let open = (action != CallAction::Ended).then_some(call);
                // Entries come by session: a session's calls are the last row.
                match calls.last_mut() {
                    Some((s, last)) if *s == session => *last = open,
                    _ => calls.push((session, open)),
                }
            }
            _ => {}
        }
    }
    resumed.cut_calls = calls
        .into_iter()
        .filter_map(|(session, call)| {
            Some(CutCall {
                session,
                call: call?,
            })
        })
        .collect();
    resumed
}

#[cfg(test)]
mod tests {
    use protocol::{CallEndReason, Role};

    use super::*;

    fn entry(session: &str, seq: u64, body: EventBody) -> (String, Event) {
        let event = Event {
            seq,
            at: 1_000 + seq as i64,
            author: Role::System,
            author_name: None,
            body,
        };
        (session.to_string(), event)
    }

    fn share(session: &str, seq: u64, action: ShareAction) -> (String, Event) {
        entry(
            session,
            seq,
            EventBody::Share {
                action,
                by: Role::Visitor,
            },
        )
    }

    fn call(session: &str, seq: u64, id: &str, action: CallAction) -> (String, Event) {
        let ended = action == CallAction::Ended;
        let body = EventBody::Call {
            call: id.to_string(),
            action,
            by: Role::Agent,
            duration_ms: ended.then_some(0),
            reason: ended.then_some(CallEndReason::HungUp),
        };
        entry(session, seq, body)
    }

    #[test]
    fn the_last_consent_step_decides_the_sharing_state() {
        let resumed = resume(vec![
            share("s1", 3, ShareAction::Requested),
            share("s1", 4, ShareAction::Started),
            share("s2", 2, ShareAction::Requested),
            share("s3", 5, ShareAction::Started),
            share("s3", 9, ShareAction::Stopped),
            share("s4", 2, ShareAction::Requested),
            share("s4", 3, ShareAction::Denied),
        ]);
        assert_eq!(resumed.share["s1"], ShareState::Active);
        assert_eq!(resumed.share["s2"], ShareState::Requested);
        assert_eq!(resumed.share["s3"], ShareState::Off);
        assert_eq!(resumed.share["s4"], ShareState::Off);
        assert!(resumed.cut_calls.is_empty());
    }

    #[test]
    fn only_calls_without_an_end_were_cut() {
        let resumed = resume(vec![
            call("s1", 3, "c_1", CallAction::Started),
            call("s1", 4, "c_1", CallAction::Answered),
            call("s2", 2, "c_2", CallAction::Started),
            call("s2", 3, "c_2", CallAction::Ended),
            call("s2", 5, "c_3", CallAction::Started),
            call("s3", 2, "c_4", CallAction::Started),
            call("s3", 3, "c_4", CallAction::Ended),
        ]);
        assert_eq!(
            resumed.cut_calls,
            [
                CutCall {
                    session: "s1".into(),
                    call: "c_1".into()
                },
                CutCall {
                    session: "s2".into(),
                    call: "c_3".into()
                },
            ]
        );
        assert!(resumed.share.is_empty());
    }
}
