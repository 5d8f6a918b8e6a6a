//! Co-browsing in the conversation: the sharing state follows `cobrowse`
//! frames here (summaries and the session's end set it too, in
//! `conversation.rs`).

use protocol::ShareState;

use super::conversation::Conversation;
use super::session::Phase;

impl Conversation {
    /// A `cobrowse` frame: sharing changed state in `session`.
    pub fn apply_share(&mut self, session: &str, state: ShareState) -> bool {
        if self.session.as_deref() != Some(session) || self.phase == Phase::Ended {
            return false;
        }
        self.share = state;
        true
    }
}
