//! The voice call in the conversation: it follows `call` frames here
//! (summaries and the session's end set it too, in `conversation.rs`).

use protocol::{CallInfo, CallPhase};

use super::conversation::Conversation;
use super::session::Phase;

impl Conversation {
    /// A `call` frame: the session's call changed. Returns whether it is ours.
    pub fn apply_call(&mut self, session: &str, call: &CallInfo) -> bool {
        if self.session.as_deref() != Some(session) || self.phase == Phase::Ended {
            return false;
        }
        self.call = (call.phase != CallPhase::Ended).then(|| call.clone());
        true
    }
}
