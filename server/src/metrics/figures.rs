//! The day's contact-centre figures, computed from session records: a pure
//! function, so a scripted day can be checked against figures worked out by
//! hand (tests/tests/supervisor.rs).
//!
//! Definitions (the usual ones, written down because centres differ):
//! - offered: requests made in the period;
//! - answered: those an agent accepted; abandoned: those ended while still
//!   waiting (the visitor gave up);
//! - service level: answered within the threshold ÷ (answered + abandoned);
//! - average speed of answer: mean wait from request to accept, over answered;
//! - abandonment rate: abandoned ÷ (answered + abandoned);
//! - average handle time: mean time from accept to end, over answered sessions
//!   that have ended;
//! - dispositions: the period's sessions by the tag of their latest wrap-up
//!   (every allowed tag listed, 0 included; sessions not wrapped up are not
//!   counted).

use protocol::api::DayFigures;
use protocol::{DISPOSITIONS, Millis, SessionState};

use crate::store::SessionRecord;

/// The service-level threshold: answered within this many seconds counts.
pub const SERVICE_LEVEL_SECS: i64 = 60;

/// The figures of `sessions` (the period's), answered within
/// `threshold_secs` counting as served in time.
pub fn day_figures(sessions: &[SessionRecord], threshold_secs: i64) -> DayFigures {
    let mut f = DayFigures {
        offered: sessions.len() as u32,
        dispositions: DISPOSITIONS.iter().map(|d| (d.to_string(), 0)).collect(),
        ..Default::default()
    };
    let (mut within, mut wait_total, mut handle_total, mut handled) = (0u32, 0i64, 0i64, 0u32);
    for s in sessions {
        if let Some(w) = &s.wrapup {
            *f.dispositions.entry(w.disposition.clone()).or_default() += 1;
        }
        match s.accepted_at {
            Some(accepted) => {
                f.answered += 1;
                let wait = accepted - s.requested_at;
                wait_total += wait;
                if wait <= threshold_secs * 1000 {
                    within += 1;
                }
                if let Some(ended) = s.ended_at {
                    handle_total += ended - accepted;
                    handled += 1;
                }
            }
            None if s.state == SessionState::Ended => f.abandoned += 1,
            None => f.waiting += 1,
        }
    }
    let closed = f.answered + f.abandoned;
    let ratio = |n: u32, d: u32| (d > 0).then(|| f64::from(n) / f64::from(d));
    let mean_secs = |total: Millis, n: u32| (n > 0).then(|| total as f64 / 1000.0 / f64::from(n));
    f.service_level = ratio(within, closed);
    f.abandonment_rate = ratio(f.abandoned, closed);
    f.average_speed_of_answer_secs = mean_secs(wait_total, f.answered);
    f.average_handle_time_secs = mean_secs(handle_total, handled);
    f
}
