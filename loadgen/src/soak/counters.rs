//! What the soak's pairs did, counted as it happens by every pair at once.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// What the pairs did, counted as it happens.
#[derive(Default)]
pub struct Counters {
    sent: AtomicU64,
    received: AtomicU64,
    lost: AtomicU64,
    errors: AtomicU64,
    failures: AtomicU64,
    pub(super) started: AtomicU64,
    ended: AtomicU64,
    visitor_reconnects: AtomicU64,
    agent_reconnects: AtomicU64,
    page_frames_sent: AtomicU64,
    page_frames_received: AtomicU64,
    keyframe_requests: AtomicU64,
    first_error: Mutex<Option<String>>,
    first_failure: Mutex<Option<String>>,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub(super) fn sent(&self) {
        bump(&self.sent)
    }
    pub(super) fn received(&self) {
        bump(&self.received)
    }
    pub(super) fn lost(&self, n: u64) {
        self.lost.fetch_add(n, Ordering::Relaxed);
    }
    pub(super) fn started(&self) {
        bump(&self.started)
    }
    pub(super) fn ended(&self) {
        bump(&self.ended)
    }
    pub(super) fn visitor_reconnected(&self) {
        bump(&self.visitor_reconnects)
    }
    pub(super) fn agent_reconnected(&self) {
        bump(&self.agent_reconnects)
    }
    pub(super) fn page_frame_sent(&self) {
        bump(&self.page_frames_sent)
    }
    pub(super) fn page_frame_received(&self) {
        bump(&self.page_frames_received)
    }
    pub(super) fn keyframe_requested(&self) {
        bump(&self.keyframe_requests)
    }
    pub(super) fn error(&self, what: String) {
        bump(&self.errors);
        self.first_error
            .lock()
            .expect("not poisoned")
            .get_or_insert(what);
    }
    pub(super) fn failed(&self, what: String) {
        bump(&self.failures);
        eprintln!("loadgen: {what}");
        self.first_failure
            .lock()
            .expect("not poisoned")
            .get_or_insert(what);
    }

    pub(super) fn totals(&self) -> Totals {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Totals {
            sent: get(&self.sent),
            received: get(&self.received),
            lost: get(&self.lost),
            errors: get(&self.errors),
            failures: get(&self.failures),
            sessions_started: get(&self.started),
            sessions_ended: get(&self.ended),
            visitor_reconnects: get(&self.visitor_reconnects),
            agent_reconnects: get(&self.agent_reconnects),
            page_frames_sent: get(&self.page_frames_sent),
            page_frames_received: get(&self.page_frames_received),
            keyframe_requests: get(&self.keyframe_requests),
            first_error: self.first_error.lock().expect("not poisoned").clone(),
            first_failure: self.first_failure.lock().expect("not poisoned").clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Totals {
    pub sent: u64,
    pub received: u64,
    /// Messages the other side had not seen when their conversation ended.
    pub lost: u64,
    /// `error` frames from the server.
    pub errors: u64,
    /// Conversations that failed (a step timed out, a connection closed).
    pub failures: u64,
    pub sessions_started: u64,
    pub sessions_ended: u64,
    pub visitor_reconnects: u64,
    pub agent_reconnects: u64,
    pub page_frames_sent: u64,
    pub page_frames_received: u64,
    pub keyframe_requests: u64,
    pub first_error: Option<String>,
    pub first_failure: Option<String>,
}
