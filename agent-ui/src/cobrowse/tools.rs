//! What the agent does with a shared screen: ask the visitor to share or
//! stop sharing, move their pointer over the mirror (sent as throttled
//! `pointer` frames) and highlight elements on the visitor's page.

use std::time::Duration;

use leptos::prelude::*;
use protocol::ClientFrame;
use protocol::cobrowse::{Highlight, Pointer};
use protocol::limits::MAX_SHORT_CHARS;

use super::replay::publish;
use crate::mirror::{overlay, scale};
use crate::state::{Console, OFFLINE};

/// The agent's pointer is sent at most this often (≤ 20 frames a second).
const POINTER_EVERY_MS: f64 = 50.0;

/// Asks the visitor to share their screen; they see Allow / Deny.
pub fn request_screen(console: Console, session: &str) {
    let frame = ClientFrame::CobrowseRequest {
        session: session.to_string(),
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
    }
}

/// Stops screen sharing (or withdraws the request).
pub fn stop_screen(console: Console, session: &str) {
    let frame = ClientFrame::CobrowseStop {
        session: session.to_string(),
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
    }
}

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
    console.send(ClientFrame::Pointer(Pointer {
        session: session.to_string(),
        node,
        x,
        y,
    }));
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
    console.send(ClientFrame::Highlight(Highlight {
        session: session.to_string(),
        node,
        label,
    }));
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
