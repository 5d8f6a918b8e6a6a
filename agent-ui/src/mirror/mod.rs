//! The co-browse mirror: a live, sandboxed copy of the visitor's page, one
//! per session being shared, kept up to date in the background so switching
//! chats is instant.
//!
//! - `stream`: which frames to apply (epoch and seq; gaps resynchronise)
//! - `sanitize`: what the mirror refuses to build (principle 5)
//! - `page`, `build`, `apply`: the mirror document and the node-id map
//! - `sheets`: the page's styles under the console's CSP
//! - `overlay`, `stage`: geometry, the scaled frame and what is drawn over it
//! - `scale`: fitting the visitor's viewport into the pane
//!
//! This file routes binary frames to their session's mirror, asks the server
//! for a replay (`cobrowse.subscribe`) whenever a mirror cannot be trusted,
//! and turns the agent's mouse over the mirror into `pointer` and
//! `highlight` frames.

mod apply;
mod build;
pub mod overlay;
pub mod page;
pub mod sanitize;
pub mod scale;
mod sheets;
pub mod stage;
pub mod stream;

use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;
use protocol::cobrowse::{
    Delta, FrameHeader, Keyframe, MAX_KEYFRAME_DEPTH, Op, decode_header, json_depth,
};
use protocol::limits::MAX_SHORT_CHARS;
use protocol::{ClientFrame, ShareState};

use self::page::{Effects, Page};
use self::stage::{Marks, Stage};
use self::stream::{Tracker, Verdict};
use crate::state::Console;

/// Frames kept for a mirror whose stage is not mounted yet.
const MAX_QUEUED: usize = 400;
/// Ask again if no keyframe came this long after asking; doubled for each
/// failure in a row (a replay that fails the same way again means the
/// server's log itself is unusable until the widget's next keyframe).
const RETRY_MS: u64 = 5_000;
const RETRY_MAX_MS: u64 = 60_000;
/// When this tab saw sharing begin, the widget's first keyframe is on its
/// way to every agent tab: asking for the page as well would only make the
/// server ask the widget for a second one.
const FIRST_KEYFRAME_GRACE_MS: u64 = 2_000;
/// The agent's pointer is sent at most this often (≤ 20 frames a second).
const POINTER_EVERY_MS: f64 = 50.0;

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
    map: HashMap<String, Mirror>,
}

struct Mirror {
    /// Which mount of the stage this is (see `detach`).
    generation: u64,
    tracker: Tracker,
    status: MirrorStatus,
    stage: Option<Stage>,
    page: Option<Page>,
    /// Frames that arrived before the stage was mounted.
    queued: Vec<Vec<u8>>,
    marks: Marks,
    /// Pending "ask again" timer, cleared when a keyframe arrives.
    retry: Option<TimeoutHandle>,
    /// Local time until which the widget's own first keyframe is awaited
    /// (sharing began while this tab watched).
    expect_keyframe_until: Option<f64>,
    /// Failures since the mirror last applied a delta: the first asks for a
    /// replay of the server's log, the second for a fresh keyframe from the
    /// visitor's page (replaying the same log would fail the same way), and
    /// later ones wait for the retry timer's growing delay
    /// (`stream::recovery`).
    strikes: u32,
    /// (epoch, seq) of the frame that failed last.
    failed_at: Option<(u32, u32)>,
    pointer: Pointer,
    published: Option<MirrorInfo>,
}

/// The agent's pointer, throttled: the latest position waits for its turn.
#[derive(Default)]
struct Pointer {
    last_sent: f64,
    pending: Option<(u32, f32, f32)>,
    timer: Option<TimeoutHandle>,
}

impl Mirror {
    fn new() -> Self {
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

    fn info(&self) -> MirrorInfo {
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

    fn stop_timers(&mut self) {
        if let Some(t) = self.retry.take() {
            t.clear();
        }
        if let Some(t) = self.pointer.timer.take() {
            t.clear();
        }
    }
}

/// What to do once the mirrors are no longer borrowed.
enum After {
    Send(ClientFrame),
    /// Arm the "ask again" timer for this session.
    Retry,
    /// Ask for the page after this many milliseconds unless it came.
    RetryIn(u64),
}

// ---- frames from the server ---------------------------------------------

/// A binary page frame from the socket.
pub fn on_binary(console: Console, frame: Vec<u8>) {
    let header = match decode_header(&frame) {
        Ok(h) => h,
        Err(e) => {
            web_sys::console::warn_1(&format!("tandem: skipped page frame: {e}").into());
            return;
        }
    };
    // Frames may beat the stage's mount by a moment; keep them for it.
    let sharing = console
        .peek_chat(&header.session, |c| {
            !c.is_ended() && c.summary.share == ShareState::Active
        })
        .unwrap_or(false);
    let session = header.session.clone();
    let mut after = Vec::new();
    console.mirrors.update_value(|m| {
        let mirror = match m.map.get_mut(&session) {
            Some(mirror) => mirror,
            None if sharing => m.map.entry(session.clone()).or_insert_with(Mirror::new),
            None => return,
        };
        receive(mirror, &header, frame, &mut after);
    });
    finish(console, &session, after);
}

fn receive(mirror: &mut Mirror, header: &FrameHeader, frame: Vec<u8>, after: &mut Vec<After>) {
    // An iframe that was moved or reloaded has a new, empty document: start
    // over in it rather than update one nobody sees.
    if let (Some(stage), Some(page)) = (&mirror.stage, &mirror.page)
        && let Some(doc) = stage.document()
        && !doc.is_same_node(Some(page.doc()))
    {
        mirror.page = Some(Page::new(doc));
        mirror.tracker.broken();
        if header.kind != protocol::cobrowse::FrameKind::Keyframe {
            resync(mirror, after);
            return;
        }
    }
    if mirror.page.is_none() {
        if mirror.queued.len() < MAX_QUEUED {
            mirror.queued.push(frame);
        } else {
            // Too much to keep: the replay asked for on mount catches up.
            mirror.queued.clear();
        }
        return;
    }
    let verdict = mirror.tracker.check(header.kind, header.epoch, header.seq);
    let body = &frame[header.body_at..];
    let started = js_sys::Date::now();
    let result = match verdict {
        Verdict::Ignore => return,
        Verdict::Pointer => {
            show_pointer(mirror, body);
            return;
        }
        Verdict::Resync => Err("a frame is missing".to_string()),
        Verdict::Rebuild => parse_keyframe(body).and_then(|kf| {
            let page = mirror.page.as_mut().expect("checked above");
            let new_url = page.url != kf.url;
            let fx = page.rebuild(kf).map_err(|e| e.to_string())?;
            if new_url {
                // Another page: the highlighted elements are gone with the old one.
                mirror.marks.highlights.clear();
                mirror.marks.hover = None;
            }
            Ok(fx)
        }),
        Verdict::Apply => serde_json::from_slice::<Delta>(body)
            .map_err(|e| format!("unreadable delta: {e}"))
            .and_then(|delta| {
                mirror
                    .page
                    .as_mut()
                    .expect("checked above")
                    .apply(delta)
                    .map_err(|e| e.to_string())
            }),
    };
    match result {
        Ok(fx) => {
            if verdict == Verdict::Rebuild {
                mirror.status = MirrorStatus::Live;
                if let Some(t) = mirror.retry.take() {
                    t.clear();
                }
                if mirror
                    .failed_at
                    .is_none_or(|(epoch, _)| epoch != header.epoch)
                {
                    mirror.strikes = 0;
                    mirror.failed_at = None;
                }
            } else if mirror
                .failed_at
                .is_none_or(|(epoch, seq)| epoch != header.epoch || header.seq > seq)
            {
                // Past the point that failed: the log is sound again.
                mirror.strikes = 0;
                mirror.failed_at = None;
            }
            show(mirror, fx, verdict == Verdict::Rebuild);
            if let Some(stage) = &mirror.stage {
                stage.note_frame(header.epoch, header.seq, js_sys::Date::now() - started);
            }
        }
        Err(why) => {
            web_sys::console::warn_1(
                &format!("tandem: mirror out of step ({why}); asking for the page again").into(),
            );
            mirror.failed_at = Some((header.epoch, header.seq));
            resync(mirror, after);
        }
    }
}

fn parse_keyframe(body: &[u8]) -> Result<Keyframe, String> {
    if json_depth(body) > MAX_KEYFRAME_DEPTH {
        return Err("the page is nested too deeply to mirror".into());
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    de.disable_recursion_limit();
    serde::Deserialize::deserialize(&mut de).map_err(|e| format!("unreadable keyframe: {e}"))
}

/// Brings the stage in line with the page after a frame.
fn show(mirror: &mut Mirror, fx: Effects, rebuilt: bool) {
    let (Some(stage), Some(page)) = (mirror.stage.as_mut(), mirror.page.as_ref()) else {
        return;
    };
    if let Some(mouse) = fx.mouse {
        mirror.marks.mouse = Some(mouse);
    }
    if fx.viewport.is_some() || rebuilt {
        stage.layout(page.vw, page.vh);
    }
    page.restore_scroll();
    if fx.dom_changed || rebuilt {
        stage.draw(page, &mirror.marks);
    } else {
        stage.move_cursor(mirror.marks.mouse);
    }
    for (x, y) in fx.clicks {
        stage.ripple(x, y);
    }
}

/// Draws the visitor's pointer from a pointer frame. Only pointer ops are
/// taken from it (anything else would change the page outside the
/// sequence); an unreadable one is dropped: the next move replaces it.
fn show_pointer(mirror: &mut Mirror, body: &[u8]) {
    let Ok(delta) = serde_json::from_slice::<Delta>(body) else {
        return;
    };
    let mut fx = Effects::default();
    for op in delta.ops {
        match op {
            Op::Mouse { x, y } => fx.mouse = Some((x, y)),
            Op::Click { x, y } => fx.clicks.push((x, y)),
            _ => {}
        }
    }
    show(mirror, fx, false);
}

/// The page can no longer be trusted: ask for a replay and say so.
fn resync(mirror: &mut Mirror, after: &mut Vec<After>) {
    mirror.tracker.broken();
    mirror.status = if mirror.page.as_ref().is_some_and(|p| !p.url.is_empty()) {
        MirrorStatus::Resyncing
    } else {
        MirrorStatus::Loading
    };
    mirror.strikes += 1;
    if mirror.retry.is_some() {
        // Already waiting for an answer; the timer asks again if none comes.
        return;
    }
    if let Some(fresh) = stream::recovery(mirror.strikes) {
        after.push(After::Send(ClientFrame::CobrowseSubscribe {
            session: String::new(),
            fresh,
        }));
    }
    after.push(After::Retry);
}

fn retry_delay(strikes: u32) -> u64 {
    (RETRY_MS << strikes.saturating_sub(1).min(4)).min(RETRY_MAX_MS)
}

/// Sends what was decided and publishes the mirror's info if it changed.
fn finish(console: Console, session: &str, after: Vec<After>) {
    for step in after {
        match step {
            After::Send(frame) => {
                console.send(with_session(frame, session));
            }
            After::Retry => arm_retry(console, session, None),
            After::RetryIn(ms) => arm_retry(console, session, Some(ms)),
        }
    }
    publish(console, session);
}

/// The frames above are built before the session id is at hand.
fn with_session(frame: ClientFrame, session: &str) -> ClientFrame {
    match frame {
        ClientFrame::CobrowseSubscribe { fresh, .. } => ClientFrame::CobrowseSubscribe {
            session: session.to_string(),
            fresh,
        },
        other => other,
    }
}

/// Asks again later (after `delay_ms`, or a delay growing with the failures)
/// if the mirror is still not live by then.
fn arm_retry(console: Console, session: &str, delay_ms: Option<u64>) {
    let id = session.to_string();
    let strikes = console
        .mirrors
        .with_value(|m| m.map.get(session).map_or(1, |mirror| mirror.strikes));
    let delay = delay_ms.unwrap_or_else(|| retry_delay(strikes));
    let handle = set_timeout_with_handle(
        move || {
            let mut again = false;
            console.mirrors.update_value(|m| {
                if let Some(mirror) = m.map.get_mut(&id) {
                    mirror.retry = None;
                    again = !mirror.tracker.is_live();
                }
            });
            if again {
                let sharing = console
                    .peek_chat(&id, |c| {
                        c.summary.share == ShareState::Active && !c.is_ended()
                    })
                    .unwrap_or(false);
                if sharing {
                    console.send(ClientFrame::CobrowseSubscribe {
                        session: id.clone(),
                        fresh: false,
                    });
                    arm_retry(console, &id, None);
                }
            }
        },
        Duration::from_millis(delay),
    )
    .ok();
    let session = session.to_string();
    console
        .mirrors
        .update_value(|m| match m.map.get_mut(&session) {
            Some(mirror) => {
                if let Some(old) = std::mem::replace(&mut mirror.retry, handle) {
                    old.clear();
                }
            }
            None => {
                if let Some(h) = handle {
                    h.clear();
                }
            }
        });
}

fn publish(console: Console, session: &str) {
    let info = console
        .mirrors
        .try_update_value(|m| {
            let mirror = m.map.get_mut(session)?;
            let info = mirror.info();
            if mirror.published.as_ref() == Some(&info) {
                return None;
            }
            mirror.published = Some(info.clone());
            Some(info)
        })
        .flatten();
    if let Some(info) = info {
        console.mirror_info.update(|m| {
            m.insert(session.to_string(), info);
        });
    }
}

// ---- the stage's life ------------------------------------------------------

/// This tab saw the visitor start sharing: the widget sends its first
/// keyframe to every agent tab, so the mirror waits for it a moment before
/// asking the server for the page.
pub fn sharing_started(console: Console, session: &str) {
    console.mirrors.update_value(|m| {
        let mirror = m.map.entry(session.to_string()).or_insert_with(Mirror::new);
        if !mirror.tracker.is_live() {
            mirror.expect_keyframe_until =
                Some(js_sys::Date::now() + FIRST_KEYFRAME_GRACE_MS as f64);
        }
    });
}

/// Sharing ended: a mirror that never got its stage is dropped here (one
/// with a stage goes when the stage unmounts).
pub fn sharing_stopped(console: Console, session: &str) {
    let removed = console
        .mirrors
        .try_update_value(|m| {
            if m.map
                .get(session)
                .is_some_and(|mirror| mirror.stage.is_none())
            {
                m.map.remove(session)
            } else {
                None
            }
        })
        .flatten();
    if let Some(mut mirror) = removed {
        mirror.stop_timers();
    }
}

/// The stage for `session` is mounted: build what already arrived, or ask
/// the server for the current page.
pub fn attach(console: Console, session: &str, stage: Stage, generation: u64) {
    let Some(doc) = stage.document() else {
        web_sys::console::warn_1(&"tandem: the mirror frame has no document".into());
        return;
    };
    let mut after = Vec::new();
    console.mirrors.update_value(|m| {
        let mirror = m.map.entry(session.to_string()).or_insert_with(Mirror::new);
        mirror.stop_timers();
        mirror.generation = generation;
        mirror.tracker = Tracker::default();
        mirror.strikes = 0;
        mirror.stage = Some(stage);
        mirror.page = Some(Page::new(doc));
        for frame in std::mem::take(&mut mirror.queued) {
            if let Ok(header) = decode_header(&frame) {
                receive(mirror, &header, frame, &mut after);
            }
        }
        if !mirror.tracker.is_live() && after.is_empty() {
            mirror.status = MirrorStatus::Loading;
            mirror.strikes = 1;
            let wait = mirror
                .expect_keyframe_until
                .take()
                .map(|until| until - js_sys::Date::now())
                .filter(|ms| *ms > 0.0);
            match wait {
                // The widget's first keyframe is coming anyway; ask only if it does not.
                Some(ms) => after.push(After::RetryIn(ms as u64)),
                None => {
                    after.push(After::Send(ClientFrame::CobrowseSubscribe {
                        session: String::new(),
                        fresh: false,
                    }));
                    after.push(After::Retry);
                }
            }
        }
    });
    finish(console, session, after);
}

/// Stage `generation` is gone (sharing stopped, chat closed): forget the
/// mirror, unless a newer stage for the session already took its place.
pub fn detach(console: Console, session: &str, generation: u64) {
    let removed = console
        .mirrors
        .try_update_value(|m| {
            if m.map
                .get(session)
                .is_some_and(|mirror| mirror.generation == generation)
            {
                m.map.remove(session)
            } else {
                None
            }
        })
        .flatten();
    if removed.is_none() {
        return;
    }
    if let Some(mut mirror) = removed {
        mirror.stop_timers();
    }
    console.mirror_info.update(|m| {
        m.remove(session);
    });
}

/// The socket came back: frames may have been lost meanwhile, so every
/// mirror of a session still shared asks for the current page.
pub fn reconnected(console: Console) {
    let sessions: Vec<String> = console
        .mirrors
        .with_value(|m| m.map.keys().cloned().collect());
    for session in sessions {
        let sharing = console
            .peek_chat(&session, |c| {
                c.summary.share == ShareState::Active && !c.is_ended()
            })
            .unwrap_or(false);
        if !sharing {
            continue;
        }
        let mut after = Vec::new();
        console.mirrors.update_value(|m| {
            if let Some(mirror) = m.map.get_mut(&session)
                && mirror.page.is_some()
            {
                if let Some(t) = mirror.retry.take() {
                    t.clear();
                }
                mirror.strikes = 0;
                resync(mirror, &mut after);
            }
        });
        finish(console, &session, after);
    }
}

/// The pane changed size or another chat was selected: fit every mirror
/// again and redraw what sits over it.
pub fn relayout(console: Console) {
    let sessions: Vec<String> = console
        .mirrors
        .with_value(|m| m.map.keys().cloned().collect());
    for session in &sessions {
        console.mirrors.update_value(|m| {
            let Some(mirror) = m.map.get_mut(session) else {
                return;
            };
            let (Some(stage), Some(page)) = (mirror.stage.as_mut(), mirror.page.as_ref()) else {
                return;
            };
            if page.vw > 0 && stage.layout(page.vw, page.vh) {
                page.restore_scroll();
                stage.draw(page, &mirror.marks);
            }
        });
        publish(console, session);
    }
}

// ---- the agent's tools -----------------------------------------------------

/// The agent's mouse moved over the mirror to (`x`, `y`) pixels of the
/// scaled mirror: outline the element under it and tell the visitor.
pub fn agent_move(console: Console, session: &str, x: f64, y: f64) {
    let mut send = None;
    let mut wait_ms = None;
    console.mirrors.update_value(|m| {
        let Some(mirror) = m.map.get_mut(session) else {
            return;
        };
        if !mirror.tracker.is_live() {
            return;
        }
        let (Some(stage), Some(page)) = (mirror.stage.as_ref(), mirror.page.as_ref()) else {
            return;
        };
        let (px, py) = scale::to_page(x, y, stage.scale);
        let hit = overlay::hit(page, px, py);
        let hover = hit.map(|h| h.node);
        if hover != mirror.marks.hover {
            mirror.marks.hover = hover;
            stage.draw(page, &mirror.marks);
        }
        let Some(hit) = hit else { return };
        let now = js_sys::Date::now();
        let p = &mut mirror.pointer;
        if now - p.last_sent >= POINTER_EVERY_MS && p.timer.is_none() {
            p.last_sent = now;
            send = Some((hit.node, hit.fx, hit.fy));
        } else {
            p.pending = Some((hit.node, hit.fx, hit.fy));
            if p.timer.is_none() {
                wait_ms = Some((p.last_sent + POINTER_EVERY_MS - now).max(1.0));
            }
        }
    });
    if let Some((node, x, y)) = send {
        send_pointer(console, session, Some(node), x, y);
    }
    if let Some(ms) = wait_ms {
        let id = session.to_string();
        let handle = set_timeout_with_handle(
            move || flush_pointer(console, &id),
            Duration::from_millis(ms as u64),
        )
        .ok();
        console.mirrors.update_value(|m| {
            if let Some(mirror) = m.map.get_mut(session) {
                mirror.pointer.timer = handle;
            }
        });
    }
}

fn flush_pointer(console: Console, session: &str) {
    let pending = console
        .mirrors
        .try_update_value(|m| {
            let mirror = m.map.get_mut(session)?;
            mirror.pointer.timer = None;
            let pending = mirror.pointer.pending.take()?;
            mirror.pointer.last_sent = js_sys::Date::now();
            Some(pending)
        })
        .flatten();
    if let Some((node, x, y)) = pending {
        send_pointer(console, session, Some(node), x, y);
    }
}

/// The agent's mouse left the mirror: hide their pointer on the visitor's page.
pub fn agent_leave(console: Console, session: &str) {
    let mut was_live = false;
    console.mirrors.update_value(|m| {
        let Some(mirror) = m.map.get_mut(session) else {
            return;
        };
        if let Some(t) = mirror.pointer.timer.take() {
            t.clear();
        }
        mirror.pointer.pending = None;
        was_live = mirror.tracker.is_live();
        if mirror.marks.hover.take().is_some()
            && let (Some(stage), Some(page)) = (mirror.stage.as_ref(), mirror.page.as_ref())
        {
            stage.draw(page, &mirror.marks);
        }
    });
    if was_live {
        send_pointer(console, session, None, 0.0, 0.0);
    }
}

fn send_pointer(console: Console, session: &str, node: Option<u32>, x: f32, y: f32) {
    console.send(ClientFrame::Pointer {
        session: session.to_string(),
        node,
        x,
        y,
    });
}

/// The agent clicked the mirror: highlight the element under the cursor on
/// the visitor's page, with the label typed beside the mirror, if any.
/// Returns the node highlighted, if any.
pub fn agent_click(console: Console, session: &str, x: f64, y: f64, label: &str) -> Option<u32> {
    let node = console.mirrors.with_value(|m| {
        let mirror = m.map.get(session)?;
        if !mirror.tracker.is_live() {
            return None;
        }
        let (stage, page) = (mirror.stage.as_ref()?, mirror.page.as_ref()?);
        let (px, py) = scale::to_page(x, y, stage.scale);
        overlay::hit(page, px, py).map(|h| h.node)
    })?;
    highlight(console, session, node, label);
    Some(node)
}

/// Outlines `node` on the visitor's page (scrolled into view there) and in
/// the mirror: the mirror's clicks and the form panel's "Show me".
pub fn highlight(console: Console, session: &str, node: u32, label: &str) {
    let label: String = label.trim().chars().take(MAX_SHORT_CHARS).collect();
    let label = (!label.is_empty()).then_some(label);
    console.mirrors.update_value(|m| {
        let Some(mirror) = m.map.get_mut(session) else {
            return;
        };
        mirror.marks.highlights.retain(|(n, _)| *n != node);
        mirror.marks.highlights.push((node, label.clone()));
        if let (Some(stage), Some(page)) = (mirror.stage.as_ref(), mirror.page.as_ref()) {
            stage.draw(page, &mirror.marks);
        }
    });
    console.send(ClientFrame::Highlight {
        session: session.to_string(),
        node,
        label,
    });
    publish(console, session);
}

/// Removes the agent's highlights on both sides.
pub fn clear_highlights(console: Console, session: &str) {
    console.send(ClientFrame::HighlightClear {
        session: session.to_string(),
    });
    console.mirrors.update_value(|m| {
        let Some(mirror) = m.map.get_mut(session) else {
            return;
        };
        mirror.marks.highlights.clear();
        if let (Some(stage), Some(page)) = (mirror.stage.as_ref(), mirror.page.as_ref()) {
            stage.draw(page, &mirror.marks);
        }
    });
    publish(console, session);
}
