//! One page frame into a session's mirror: the stream decides whether it
//! applies, rebuilds, is only the visitor's pointer, or shows a gap; the
//! stage is then brought in line with the page. A frame that does not fit
//! starts a resync (`replay`).

use protocol::cobrowse::{Delta, FrameHeader, Keyframe, MAX_KEYFRAME_DEPTH, Op, json_depth};

use super::replay::{After, resync};
use super::state::{Mirror, MirrorStatus};
use crate::mirror::page::{Effects, Page};
use crate::mirror::stream::Verdict;

/// Frames kept for a mirror whose stage is not mounted yet.
const MAX_QUEUED: usize = 400;

pub(super) fn receive(
    mirror: &mut Mirror,
    header: &FrameHeader,
    frame: Vec<u8>,
    after: &mut Vec<After>,
) {
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
