//! The co-browse log of one session: the latest keyframe and the deltas after
//! it, kept as the opaque bytes the widget sent (the server never reads a
//! page frame's body; docs/protocol.md).
//! An agent who joins, reconnects or receives the session by transfer is
//! replayed this log and sees the current page without asking the visitor.
//!
//! A pure state machine: the hub feeds it frame headers and bytes and acts on
//! its verdicts (relay or not, ask the widget for a keyframe or not).

use axum::body::Bytes;
use protocol::cobrowse::{FrameHeader, FrameKind, MAX_LOG_DELTA_BYTES, MAX_LOG_DELTAS};

#[derive(Debug, Default)]
pub struct CobrowseLog {
    epoch: Option<u32>,
    /// None when there is no keyframe, or the log stopped being a faithful
    /// history (a gap, or the bound was passed twice over).
    keyframe: Option<Bytes>,
    deltas: Vec<Bytes>,
    delta_bytes: usize,
    next_seq: u32,
    /// A keyframe was asked for and has not arrived; ask only once.
    awaiting_keyframe: bool,
}

/// What to do with a frame the widget sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Send it on to the agents.
    pub relay: bool,
    /// Ask the widget for a fresh keyframe.
    pub request_keyframe: bool,
}

impl CobrowseLog {
    pub fn push(&mut self, header: &FrameHeader, frame: Bytes) -> Verdict {
        match header.kind {
            FrameKind::Keyframe => {
                if header.seq != 0 {
                    return self.broken();
                }
                self.epoch = Some(header.epoch);
                self.keyframe = Some(frame);
                self.deltas.clear();
                self.delta_bytes = 0;
                self.next_seq = 1;
                self.awaiting_keyframe = false;
                Verdict {
                    relay: true,
                    request_keyframe: false,
                }
            }
            // Passing pointer moves: for mirrors of the current page only,
            // never kept.
            FrameKind::Pointer => Verdict {
                relay: self.epoch == Some(header.epoch),
                request_keyframe: false,
            },
            FrameKind::Delta => {
                if self.epoch != Some(header.epoch) || header.seq != self.next_seq {
                    // A delta that does not follow what we have: relaying it would
                    // make mirrors wrong; the next keyframe repairs everything.
                    return self.broken();
                }
                self.next_seq += 1;
                let mut request_keyframe = false;
                if self.keyframe.is_some() {
                    self.delta_bytes += frame.len();
                    self.deltas.push(frame);
                    let over = self.deltas.len() > MAX_LOG_DELTAS
                        || self.delta_bytes > MAX_LOG_DELTA_BYTES;
                    if over {
                        request_keyframe = self.ask();
                    }
                    if self.deltas.len() > 2 * MAX_LOG_DELTAS
                        || self.delta_bytes > 2 * MAX_LOG_DELTA_BYTES
                    {
                        // The widget has not answered: stop keeping history (memory
                        // stays bounded), keep relaying to agents already in sync.
                        self.forget();
                    }
                }
                Verdict {
                    relay: true,
                    request_keyframe,
                }
            }
        }
    }

    /// The frames that rebuild the current page, oldest first; None when a
    /// keyframe is needed first (call `ask_for_keyframe`).
    pub fn replay(&self) -> Option<Vec<Bytes>> {
        let keyframe = self.keyframe.as_ref()?;
        let mut frames = Vec::with_capacity(1 + self.deltas.len());
        frames.push(keyframe.clone());
        frames.extend(self.deltas.iter().cloned());
        Some(frames)
    }

    /// True if a keyframe request should be sent now (none is outstanding).
    pub fn ask_for_keyframe(&mut self) -> bool {
        self.ask()
    }

    /// Sharing stopped: forget the page.
    pub fn clear(&mut self) {
        *self = CobrowseLog::default();
    }

    /// Bytes held.
    #[cfg(test)]
    fn held_bytes(&self) -> usize {
        self.keyframe.as_ref().map_or(0, |k| k.len()) + self.delta_bytes
    }

    fn ask(&mut self) -> bool {
        !std::mem::replace(&mut self.awaiting_keyframe, true)
    }

    fn forget(&mut self) {
        self.keyframe = None;
        self.deltas.clear();
        self.delta_bytes = 0;
    }

    fn broken(&mut self) -> Verdict {
        self.forget();
        self.epoch = None;
        Verdict {
            relay: false,
            request_keyframe: self.ask(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::cobrowse::{decode_header, encode_frame};

    fn push(log: &mut CobrowseLog, kind: FrameKind, epoch: u32, seq: u32) -> Verdict {
        let frame = encode_frame(kind, "s_1", epoch, seq, b"{}");
        let header = decode_header(&frame).unwrap();
        log.push(&header, Bytes::from(frame))
    }

    const RELAY: Verdict = Verdict {
        relay: true,
        request_keyframe: false,
    };

    #[test]
    fn keyframe_then_deltas_replay_in_order() {
        let mut log = CobrowseLog::default();
        assert!(log.replay().is_none());
        assert_eq!(push(&mut log, FrameKind::Keyframe, 1, 0), RELAY);
        assert_eq!(push(&mut log, FrameKind::Delta, 1, 1), RELAY);
        assert_eq!(push(&mut log, FrameKind::Delta, 1, 2), RELAY);
        let frames = log.replay().unwrap();
        let seqs: Vec<_> = frames
            .iter()
            .map(|f| decode_header(f).unwrap().seq)
            .collect();
        assert_eq!(seqs, [0, 1, 2]);
        // A new keyframe (next page) replaces everything.
        assert_eq!(push(&mut log, FrameKind::Keyframe, 2, 0), RELAY);
        assert_eq!(log.replay().unwrap().len(), 1);
    }

    #[test]
    fn a_gap_or_stale_epoch_drops_and_asks_for_one_keyframe() {
        let mut log = CobrowseLog::default();
        push(&mut log, FrameKind::Keyframe, 1, 0);
        push(&mut log, FrameKind::Delta, 1, 1);
        assert_eq!(
            push(&mut log, FrameKind::Delta, 1, 3),
            Verdict {
                relay: false,
                request_keyframe: true
            }
        );
        assert!(log.replay().is_none(), "a log with a gap is not replayed");
        // Further deltas do not ask again while a keyframe is awaited.
        assert_eq!(
            push(&mut log, FrameKind::Delta, 1, 4),
            Verdict {
                relay: false,
                request_keyframe: false
            }
        );
        assert_eq!(push(&mut log, FrameKind::Keyframe, 2, 0), RELAY);
        assert_eq!(
            push(&mut log, FrameKind::Delta, 1, 1),
            Verdict {
                relay: false,
                request_keyframe: true
            }
        );
    }

    #[test]
    fn deltas_before_any_keyframe_are_not_relayed() {
        let mut log = CobrowseLog::default();
        assert_eq!(
            push(&mut log, FrameKind::Delta, 1, 1),
            Verdict {
                relay: false,
                request_keyframe: true
            }
        );
        assert!(!log.ask_for_keyframe(), "already asked");
    }

    #[test]
    fn the_log_is_bounded_and_asks_for_a_fresh_keyframe() {
        let mut log = CobrowseLog::default();
        push(&mut log, FrameKind::Keyframe, 1, 0);
        let mut asked = 0;
        for seq in 1..=(2 * MAX_LOG_DELTAS as u32 + 5) {
            let v = push(&mut log, FrameKind::Delta, 1, seq);
            assert!(v.relay, "agents in sync keep receiving deltas");
            asked += v.request_keyframe as u32;
        }
        assert_eq!(asked, 1, "one request, not one per delta");
        assert!(
            log.replay().is_none(),
            "history dropped past twice the bound"
        );
        assert!(log.held_bytes() < 100);
        push(&mut log, FrameKind::Keyframe, 2, 0);
        assert_eq!(log.replay().unwrap().len(), 1);
    }

    #[test]
    fn pointer_frames_are_relayed_for_the_current_page_and_never_kept() {
        let mut log = CobrowseLog::default();
        assert!(
            !push(&mut log, FrameKind::Pointer, 1, 0).relay,
            "no page yet"
        );
        push(&mut log, FrameKind::Keyframe, 1, 0);
        for _ in 0..(3 * MAX_LOG_DELTAS) {
            assert_eq!(push(&mut log, FrameKind::Pointer, 1, 0), RELAY);
        }
        assert_eq!(log.replay().unwrap().len(), 1, "only the keyframe is kept");
        assert_eq!(
            push(&mut log, FrameKind::Delta, 1, 1),
            RELAY,
            "seq untouched"
        );
        assert!(
            !push(&mut log, FrameKind::Pointer, 0, 0).relay,
            "an old page's"
        );
    }
}
