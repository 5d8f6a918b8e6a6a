//! Which page frames a mirror may apply. Every frame names the keyframe it
//! belongs to (epoch) and its place after it (seq); a mirror applies a delta
//! only when it follows the last frame applied, and otherwise asks the server
//! to replay the page (`cobrowse.subscribe`). A silently wrong mirror is the
//! one outcome this module exists to prevent. Pure logic, tested natively.

use protocol::cobrowse::FrameKind;

/// What to do with one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A keyframe: throw the page away and build it again from this frame.
    Rebuild,
    /// The next delta: apply it.
    Apply,
    /// Nothing to do: a delta while waiting for a keyframe (the replay asked
    /// for is on its way), a repeat, or a malformed frame.
    Ignore,
    /// The mirror missed something: discard the page and ask for a replay.
    Resync,
    /// The visitor's pointer, for the page shown: draw it, nothing else.
    Pointer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No usable page: waiting for a keyframe.
    Waiting,
    /// In step with the visitor's page: the next delta must be `next` of `epoch`.
    Live { epoch: u32, next: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracker {
    state: State,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker {
            state: State::Waiting,
        }
    }
}

impl Tracker {
    pub fn is_live(&self) -> bool {
        matches!(self.state, State::Live { .. })
    }

    /// Decides about a frame and moves on as if it will be handled that way.
    pub fn check(&mut self, kind: FrameKind, epoch: u32, seq: u32) -> Verdict {
        match (kind, self.state) {
            // Keyframes always carry seq 0; the server refuses others.
            (FrameKind::Keyframe, _) if seq != 0 => Verdict::Ignore,
            (FrameKind::Keyframe, _) => {
                self.state = State::Live { epoch, next: 1 };
                Verdict::Rebuild
            }
            (FrameKind::Pointer, State::Live { epoch: e, .. }) if epoch == e => Verdict::Pointer,
            // Pointer moves of another page, or while no page is shown, are
            // simply not drawn: they are never worth a replay.
            (FrameKind::Pointer, _) => Verdict::Ignore,
            (FrameKind::Delta, State::Waiting) => Verdict::Ignore,
            (FrameKind::Delta, State::Live { epoch: e, next }) => {
                if epoch != e || seq > next {
                    self.state = State::Waiting;
                    Verdict::Resync
                } else if seq < next {
                    // Already applied (a replay racing live frames).
                    Verdict::Ignore
                } else {
                    self.state = State::Live {
                        epoch,
                        next: next + 1,
                    };
                    Verdict::Apply
                }
            }
        }
    }

    /// Applying a frame failed (e.g. it named a node the mirror does not
    /// have): the page is no longer trusted until the next keyframe.
    pub fn broken(&mut self) {
        self.state = State::Waiting;
    }
}

/// What a mirror asks the server for after its `strikes`-th failure in a
/// row: first a replay of the server's log (`Some(false)`); if applying
/// that failed too, a fresh keyframe from the visitor's page
/// (`Some(true)`: the log itself may be what is wrong); after that nothing
/// at once, only the retry timer's growing delay (the page itself may be
/// what the mirror cannot build, and a keyframe a second would load the
/// visitor's device for nothing).
pub fn recovery(strikes: u32) -> Option<bool> {
    match strikes {
        1 => Some(false),
        2 => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FrameKind::{Delta, Keyframe, Pointer};

    #[test]
    fn a_failed_replay_asks_the_page_itself_once_then_backs_off() {
        assert_eq!(recovery(1), Some(false), "replay the server's log");
        assert_eq!(
            recovery(2),
            Some(true),
            "the replay failed: a fresh keyframe"
        );
        assert_eq!(recovery(3), None, "then only the retry timer");
        assert_eq!(recovery(9), None);
    }

    #[test]
    fn pointer_frames_are_drawn_for_the_page_shown_and_never_resync() {
        let mut t = Tracker::default();
        assert_eq!(t.check(Pointer, 1, 0), Verdict::Ignore, "no page yet");
        t.check(Keyframe, 3, 0);
        assert_eq!(t.check(Pointer, 3, 0), Verdict::Pointer);
        assert_eq!(t.check(Pointer, 3, 0), Verdict::Pointer, "not counted");
        assert_eq!(
            t.check(Delta, 3, 1),
            Verdict::Apply,
            "deltas still follow on"
        );
        assert_eq!(
            t.check(Pointer, 2, 7),
            Verdict::Ignore,
            "an older page's pointer"
        );
        assert!(t.is_live());
    }

    #[test]
    fn deltas_wait_for_a_keyframe_then_follow_it() {
        let mut t = Tracker::default();
        assert_eq!(t.check(Delta, 1, 1), Verdict::Ignore);
        assert_eq!(t.check(Keyframe, 1, 0), Verdict::Rebuild);
        assert_eq!(t.check(Delta, 1, 1), Verdict::Apply);
        assert_eq!(t.check(Delta, 1, 2), Verdict::Apply);
        assert!(t.is_live());
    }

    #[test]
    fn a_gap_or_a_foreign_epoch_resyncs_once() {
        let mut t = Tracker::default();
        t.check(Keyframe, 4, 0);
        assert_eq!(t.check(Delta, 4, 2), Verdict::Resync, "seq 1 was lost");
        assert_eq!(
            t.check(Delta, 4, 3),
            Verdict::Ignore,
            "no second request while waiting"
        );
        assert_eq!(t.check(Keyframe, 4, 0), Verdict::Rebuild, "the replay");
        assert_eq!(t.check(Delta, 4, 1), Verdict::Apply);
        assert_eq!(
            t.check(Delta, 5, 2),
            Verdict::Resync,
            "a delta of a keyframe we never saw"
        );
    }

    #[test]
    fn repeats_are_ignored_and_a_failed_apply_waits() {
        let mut t = Tracker::default();
        t.check(Keyframe, 2, 0);
        t.check(Delta, 2, 1);
        assert_eq!(t.check(Delta, 2, 1), Verdict::Ignore);
        t.broken();
        assert!(!t.is_live());
        assert_eq!(t.check(Delta, 2, 2), Verdict::Ignore);
        assert_eq!(t.check(Keyframe, 2, 5), Verdict::Ignore, "malformed");
    }
}
