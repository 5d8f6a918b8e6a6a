//! Whether the call's network path holds, as a pure state machine: ICE
//! connection states and the clock go in, "restart ICE" or "give up" come
//! out, plus the next deadline. No browser types, so it is tested natively.
//!
//! - Never connected: give up when ICE fails, when gathering ends without
//!   a single local candidate (a wrong TURN password under a relay-only
//!   policy gives exactly that, and no error), or after [`CONNECT_MS`].
//! - Connected before: a `disconnected` that lasts [`GRACE_MS`] (Wi-Fi to
//!   cellular, a VPN coming up) or a `failed` restarts ICE; if the path is
//!   not back [`RECONNECT_MS`] after the restart, give up.

/// How long a new call may take to find a path.
pub const CONNECT_MS: f64 = 10_000.0;
/// How long `disconnected` may last before ICE is restarted: it often
/// recovers on its own within a second or two.
pub const GRACE_MS: f64 = 3_000.0;
/// How long an ICE restart may take to bring the path back.
pub const RECONNECT_MS: f64 = 15_000.0;

/// What the call bar says about the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Connected,
    Reconnecting,
}

impl Link {
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Connecting => "connecting",
            Link::Connected => "connected",
            Link::Reconnecting => "reconnecting",
        }
    }
}

/// What the peer must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    RestartIce,
    /// No path: end the call with reason `failed`.
    GiveUp,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Due {
    Restart(f64),
    GiveUp(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub link: Link,
    pub ever_connected: bool,
    due: Option<Due>,
    /// Once given up, nothing more is reported.
    over: bool,
}

impl Health {
    pub fn new(now: f64) -> Health {
        Health {
            link: Link::Connecting,
            ever_connected: false,
            due: Some(Due::GiveUp(now + CONNECT_MS)),
            over: false,
        }
    }

    /// When [`Health::on_time`] should be called next.
    pub fn deadline(&self) -> Option<f64> {
        match self.due? {
            Due::Restart(at) | Due::GiveUp(at) => Some(at),
        }
    }

    /// `RTCPeerConnection.iceConnectionState` changed.
    pub fn on_ice(&mut self, state: &str, now: f64) -> Option<Action> {
        if self.over {
            return None;
        }
        match state {
            "connected" | "completed" => {
                self.link = Link::Connected;
                self.ever_connected = true;
                self.due = None;
                None
            }
            "disconnected" if self.ever_connected && self.link == Link::Connected => {
                self.link = Link::Reconnecting;
                self.due = Some(Due::Restart(now + GRACE_MS));
                None
            }
            "failed" if self.ever_connected => self.restart(now),
            "failed" => self.give_up(),
            _ => None,
        }
    }

    /// ICE gathering finished; `candidates` local candidates were found.
    pub fn on_gathered(&mut self, candidates: u32) -> Option<Action> {
        if candidates == 0 && !self.ever_connected && !self.over {
            return self.give_up();
        }
        None
    }

    /// The clock reached (or passed) [`Health::deadline`].
    pub fn on_time(&mut self, now: f64) -> Option<Action> {
        match self.due {
            Some(Due::Restart(at)) if at <= now => self.restart(now),
            Some(Due::GiveUp(at)) if at <= now => self.give_up(),
            _ => None,
        }
    }

    fn restart(&mut self, now: f64) -> Option<Action> {
        self.link = Link::Reconnecting;
        self.due = Some(Due::GiveUp(now + RECONNECT_MS));
        Some(Action::RestartIce)
    }

    fn give_up(&mut self) -> Option<Action> {
        self.over = true;
        self.due = None;
        Some(Action::GiveUp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_that_never_connects_gives_up_after_the_connect_time() {
        let mut h = Health::new(0.0);
        assert_eq!(h.on_ice("checking", 10.0), None);
        assert_eq!(h.deadline(), Some(CONNECT_MS));
        assert_eq!(h.on_time(CONNECT_MS - 1.0), None);
        assert_eq!(h.on_time(CONNECT_MS), Some(Action::GiveUp));
        assert_eq!(h.deadline(), None);
        assert_eq!(h.on_ice("failed", CONNECT_MS + 1.0), None, "reported once");
    }

    #[test]
    fn failing_or_gathering_nothing_before_connecting_gives_up_at_once() {
        let mut h = Health::new(0.0);
        assert_eq!(h.on_ice("failed", 500.0), Some(Action::GiveUp));
        let mut h = Health::new(0.0);
        assert_eq!(h.on_gathered(2), None);
        assert_eq!(h.on_gathered(0), Some(Action::GiveUp));
    }

    #[test]
    fn a_lasting_disconnect_restarts_ice_then_gives_up_if_it_does_not_come_back() {
        let mut h = Health::new(0.0);
        h.on_ice("connected", 100.0);
        assert_eq!((h.link, h.deadline()), (Link::Connected, None));
        assert_eq!(h.on_ice("disconnected", 1000.0), None);
        assert_eq!(h.link, Link::Reconnecting);
        assert_eq!(h.on_time(1000.0 + GRACE_MS), Some(Action::RestartIce));
        assert_eq!(h.deadline(), Some(1000.0 + GRACE_MS + RECONNECT_MS));
        assert_eq!(
            h.on_gathered(0),
            None,
            "after connecting, never for candidates"
        );
        assert_eq!(
            h.on_time(1000.0 + GRACE_MS + RECONNECT_MS),
            Some(Action::GiveUp)
        );
    }

    #[test]
    fn a_short_disconnect_heals_and_failure_after_connecting_restarts() {
        let mut h = Health::new(0.0);
        h.on_ice("connected", 100.0);
        h.on_ice("disconnected", 1000.0);
        h.on_ice("connected", 1500.0);
        assert_eq!((h.link, h.deadline()), (Link::Connected, None));
        assert_eq!(h.on_time(1000.0 + GRACE_MS), None);
        assert_eq!(h.on_ice("failed", 2000.0), Some(Action::RestartIce));
        h.on_ice("completed", 2500.0);
        assert_eq!(h.link, Link::Connected);
    }
}
