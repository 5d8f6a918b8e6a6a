//! When to tell the agent the visitor is typing.
//!
//! Keystrokes are far more frequent than the agent needs to know about:
//! "typing" is sent at most every [`REFRESH_MS`] while keys keep coming, and
//! "stopped" after [`IDLE_MS`] without a key or when the message is sent.
//! The agent's console expires a stale "typing" on its own, which is why the
//! refresh exists at all.

/// Least time between two "typing" frames while the visitor keeps typing.
pub const REFRESH_MS: f64 = 2000.0;
/// Quiet time after which the visitor counts as having stopped.
pub const IDLE_MS: f64 = 3000.0;

#[derive(Debug, Default)]
pub struct TypingSignal {
    last_sent: Option<f64>,
    idle_at: Option<f64>,
}

impl TypingSignal {
    /// A key went into the message box. Returns `Some(true)` when a "typing"
    /// frame is due.
    pub fn on_input(&mut self, now: f64) -> Option<bool> {
        self.idle_at = Some(now + IDLE_MS);
        match self.last_sent {
            Some(t) if now - t < REFRESH_MS => None,
            _ => {
                self.last_sent = Some(now);
                Some(true)
            }
        }
    }

    /// Time passed. Returns `Some(false)` when the visitor went quiet.
    pub fn on_tick(&mut self, now: f64) -> Option<bool> {
        match self.idle_at {
            Some(at) if now >= at => self.stop(),
            _ => None,
        }
    }

    /// The message was sent (or the box emptied): stop at once.
    pub fn stop(&mut self) -> Option<bool> {
        self.idle_at = None;
        self.last_sent.take().map(|_| false)
    }

    /// When [`on_tick`](Self::on_tick) next has something to do.
    pub fn deadline(&self) -> Option<f64> {
        self.idle_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_and_stops_when_idle() {
        let mut t = TypingSignal::default();
        assert_eq!(t.on_input(0.0), Some(true));
        assert_eq!(t.on_input(500.0), None);
        assert_eq!(t.on_input(1999.0), None);
        assert_eq!(t.on_input(2000.0), Some(true));
        assert_eq!(t.deadline(), Some(5000.0));
        assert_eq!(t.on_tick(4999.0), None);
        assert_eq!(t.on_tick(5000.0), Some(false));
        assert_eq!(t.on_tick(9000.0), None);
        assert_eq!(t.deadline(), None);
    }

    #[test]
    fn stop_only_when_started() {
        let mut t = TypingSignal::default();
        assert_eq!(t.stop(), None);
        t.on_input(0.0);
        assert_eq!(t.stop(), Some(false));
        assert_eq!(
            t.on_input(100.0),
            Some(true),
            "a new burst after a send starts at once"
        );
    }
}
