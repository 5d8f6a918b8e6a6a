//! When to tell the visitor the agent is typing. A frame per keystroke would
//! flood the socket (and hit the server's rate limit), so "typing" is
//! repeated at most every [`REPEAT_MS`] while keys are pressed, and "stopped"
//! is sent once after [`IDLE_MS`] without input or when the message is sent.

use protocol::Millis;

/// Minimum gap between two `typing: true` frames.
pub const REPEAT_MS: Millis = 2_000;
/// Quiet time after which the agent counts as no longer typing.
pub const IDLE_MS: Millis = 3_000;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TypingSignal {
    /// When `typing: true` was last sent, while the agent counts as typing.
    last_sent: Option<Millis>,
}

impl TypingSignal {
    /// A key was pressed at `now`. Returns true when `typing: true` should be sent.
    pub fn input(&mut self, now: Millis) -> bool {
        match self.last_sent {
            Some(at) if now - at < REPEAT_MS => false,
            _ => {
                self.last_sent = Some(now);
                true
            }
        }
    }

    /// The agent went quiet or sent the message. Returns true when
    /// `typing: false` should be sent.
    pub fn stop(&mut self) -> bool {
        self.last_sent.take().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_at_most_every_two_seconds_and_stops_once() {
        let mut t = TypingSignal::default();
        assert!(t.input(0));
        assert!(!t.input(500));
        assert!(!t.input(1_999));
        assert!(t.input(2_000));
        assert!(t.stop());
        assert!(!t.stop());
        assert!(
            t.input(2_100),
            "typing again after a stop is announced at once"
        );
    }
}
