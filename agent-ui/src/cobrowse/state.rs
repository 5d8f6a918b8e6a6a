//! What the console holds of each shared screen: one mirror per session
//! (the page renderer's document and stage, the stream's position, the
//! retry timers, the agent's marks and pointer), kept outside the reactive
//! state in `Console::mirrors`, and what the views show of it
//! (`MirrorInfo`, in `Console::mirror_info`). Types only.

use std::collections::HashMap;

use leptos::prelude::TimeoutHandle;

use crate::mirror::page::Page;
use crate::mirror::stage::{Marks, Stage};
use crate::mirror::stream::Tracker;

/// How far a mirror is, for the toolbar and the veil over the mirror.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MirrorStatus {
    /// Sharing started; the first page is on its way.
    Loading,
    /// Showing the visitor's page as it is now.
    Live,
    /// Frames were missed or did not fit: the page was discarded and a
    /// replay asked for.
    Resyncing,
}

impl MirrorStatus {
    pub fn name(self) -> &'static str {
        match self {
            MirrorStatus::Loading => "loading",
            MirrorStatus::Live => "live",
            MirrorStatus::Resyncing => "resync",
        }
    }
}

/// What the views show about one mirror (changes rarely: not per frame).
#[derive(Debug, Clone, PartialEq)]
pub struct MirrorInfo {
    pub status: MirrorStatus,
    pub url: String,
    pub title: String,
    pub vw: u32,
    pub vh: u32,
    /// Percent, rounded.
    pub zoom: u32,
    pub highlights: usize,
}

impl Default for MirrorInfo {
    fn default() -> Self {
        MirrorInfo {
            status: MirrorStatus::Loading,
            url: String::new(),
            title: String::new(),
            vw: 0,
            vh: 0,
            zoom: 100,
            highlights: 0,
        }
    }
}

/// Every session's mirror, by session id.
#[derive(Default)]
pub struct Mirrors {
    pub(super) map: HashMap<String, Mirror>,
}

pub(super) struct Mirror {
    /// Which mount of the stage this is (see `detach`).
    pub(super) generation: u64,
    pub(super) tracker: Tracker,
    pub(super) status: MirrorStatus,
    pub(super) stage: Option<Stage>,
    pub(super) page: Option<Page>,
    /// Frames that arrived before the stage was mounted.
    pub(super) queued: Vec<Vec<u8>>,
    pub(super) marks: Marks,
    /// Pending "ask again" timer, cleared when a keyframe arrives.
    pub(super) retry: Option<TimeoutHandle>,
    /// Local time until which the widget's own first keyframe is awaited
    /// (sharing began while this tab watched).
    pub(super) expect_keyframe_until: Option<f64>,
    /// Failures since the mirror last applied a delta: the first asks for a
    /// replay of the server's log, the second for a fresh keyframe from the
    /// visitor's page (replaying the same log would fail the same way), and
    /// later ones wait for the retry timer's growing delay
    /// (`stream::recovery`).
    pub(super) strikes: u32,
    /// (epoch, seq) of the frame that failed last.
    pub(super) failed_at: Option<(u32, u32)>,
    pub(super) pointer: Pointer,
    pub(super) published: Option<MirrorInfo>,
}

/// The agent's pointer, throttled: the latest position waits for its turn.
#[derive(Default)]
pub(super) struct Pointer {
    pub(super) last_sent: f64,
    pub(super) pending: Option<(u32, f32, f32)>,
    pub(super) timer: Option<TimeoutHandle>,
}

impl Mirror {
    pub(super) fn new() -> Self {
        Mirror {
            generation: 0,
            tracker: Tracker::default(),
            status: MirrorStatus::Loading,
            stage: None,
            page: None,
            queued: Vec::new(),
            marks: Marks::default(),
            retry: None,
            expect_keyframe_until: None,
            strikes: 0,
            failed_at: None,
            pointer: Pointer::default(),
            published: None,
        }
    }

    pub(super) fn info(&self) -> MirrorInfo {
        let page = self
            .page
            .as_ref()
            .filter(|_| self.tracker.is_live() || self.status != MirrorStatus::Loading);
        MirrorInfo {
            status: self.status,
            url: page.map(|p| p.url.clone()).unwrap_or_default(),
            title: page.map(|p| p.current_title()).unwrap_or_default(),
            vw: page.map_or(0, |p| p.vw),
            vh: page.map_or(0, |p| p.vh),
            zoom: self
                .stage
                .as_ref()
                .map_or(100, |s| (s.scale * 100.0).round() as u32),
            highlights: self.marks.highlights.len(),
        }
    }

    pub(super) fn stop_timers(&mut self) {
        if let Some(t) = self.retry.take() {
            t.clear();
        }
        if let Some(t) = self.pointer.timer.take() {
            t.clear();
        }
    }
}
