//! The mirror's stage in the views: mounted (build what already arrived,
//! or ask for the page), unmounted, and fitted again when the pane changes.

use leptos::prelude::*;
use protocol::ClientFrame;
use protocol::cobrowse::decode_header;

use super::receive::receive;
use super::replay::{After, finish, publish};
use super::state::{Mirror, MirrorStatus};
use crate::mirror::page::Page;
use crate::mirror::stage::Stage;
use crate::mirror::stream::Tracker;
use crate::state::Console;

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
