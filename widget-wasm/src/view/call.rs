//! Voice calls in the UI (only with the visitor's yes, visible while active): the
//! incoming call with Accept / Decline, the visitor's own "Call" button in
//! the header, and the call bar under the header (state, duration, level
//! meters, mute, hang up), which also says how the last call ended.
//! The meters' levels are written by `voice::Meters` straight into the
//! `--level` variable of their elements, not through a render.

use protocol::{CallInfo, CallPhase, Role};
use voice::Link;
use web_sys::{Document, Element};

use super::consent::Consent;
use super::dom::{append, attr, button, child, el, remove_attr, set_attr, set_text, show};
use super::icons;
use crate::dispatcher::Dispatcher;
use crate::i18n::{Strings, fill};
use crate::input::{Input, UiEvent};
use crate::listener::Listener;

/// What the call UI shows, from the app's state.
#[derive(Default)]
pub struct CallScene<'a> {
    /// The session's call while it rings or is active.
    pub info: Option<&'a CallInfo>,
    /// This tab's media, when it holds the call.
    pub media: Option<MediaScene>,
    /// Waiting for the browser's microphone permission.
    pub asking_mic: bool,
    /// How the last call ended, for a few seconds.
    pub notice: Option<&'a str>,
    pub can_start: bool,
}

pub struct MediaScene {
    pub link: Link,
    pub muted: bool,
    pub remote_muted: bool,
    /// Milliseconds since the path first connected.
    pub connected_for: Option<f64>,
}

pub struct CallView {
    start: Element,
    prompt: Element,
    prompt_title: Element,
    prompt_text: Element,
    prompt_wait: Element,
    accept: Element,
    bar: Element,
    state: Element,
    clock: Element,
    remote_note: Element,
    meters: Element,
    local_level: Element,
    remote_level: Element,
    mute: Element,
    hang_up: Element,
}

impl CallView {
    /// `end`: the header's "End chat" button (Call goes before it);
    /// `body`: the panel's body (the bar goes before it); `footer`: the
    /// prompt goes at its top.
    pub fn build(
        doc: &Document,
        s: &Strings,
        end: &Element,
        body: &Element,
        footer: &Element,
        dispatcher: &Dispatcher,
        listeners: &mut Vec<Listener>,
    ) -> CallView {
        let mut on = |target: &Element, e: UiEvent| {
            let d = dispatcher.clone();
            listeners.push(Listener::new(target, "click", move |_| {
                d.send(Input::Ui(e))
            }));
        };
        let start = button(doc, "end call-start", "");
        attr(&start, "data-testid", "tandem-call-start");
        attr(&start, "title", s.call_start_label);
        attr(&start, "hidden", "");
        icons::set_icon(doc, &start, icons::PHONE, 14);
        set_text(&child(doc, &start, "span", ""), s.call_start);
        let _ = end.before_with_node_1(&start);
        on(&start, UiEvent::CallStart);

        let consent = Consent::build(
            doc,
            "call",
            icons::PHONE,
            (s.call_decline, "decline"),
            (s.call_accept, "accept"),
        );
        let Consent {
            root: prompt,
            title: prompt_title,
            text: prompt_text,
            fine: prompt_wait,
            no: decline,
            yes: accept,
        } = consent;
        set_text(&prompt_wait, s.call_mic_waiting);
        let _ = footer.insert_before(&prompt, footer.first_child().as_ref());
        on(&accept, UiEvent::CallAccept);
        on(&decline, UiEvent::CallDecline);

        let bar = el(doc, "div", "callbar");
        attr(&bar, "role", "status");
        attr(&bar, "data-testid", "tandem-call-bar");
        attr(&bar, "hidden", "");
        let icon = child(doc, &bar, "span", "callbar-icon");
        icons::set_icon(doc, &icon, icons::PHONE, 16);
        let texts = child(doc, &bar, "div", "callbar-texts");
        let line = child(doc, &texts, "p", "callbar-line");
        let state = child(doc, &line, "span", "callbar-state");
        attr(&state, "data-testid", "tandem-call-state");
        let clock = child(doc, &line, "span", "callbar-clock");
        attr(&clock, "data-testid", "tandem-call-duration");
        let remote_note = child(doc, &texts, "p", "callbar-note");
        let meters = child(doc, &bar, "div", "callbar-meters");
        attr(&meters, "aria-hidden", "true");
        let local_level = child(doc, &meters, "span", "meter meter--local");
        attr(&local_level, "data-testid", "tandem-call-level");
        child(doc, &local_level, "i", "");
        let remote_level = child(doc, &meters, "span", "meter meter--remote");
        child(doc, &remote_level, "i", "");
        let mute = button(doc, "callbar-btn", "");
        attr(&mute, "data-testid", "tandem-call-mute");
        let hang_up = button(doc, "callbar-btn callbar-hangup", "");
        attr(&hang_up, "data-testid", "tandem-call-hangup");
        attr(&hang_up, "aria-label", s.call_hang_up);
        attr(&hang_up, "title", s.call_hang_up);
        icons::set_icon(doc, &hang_up, icons::PHONE, 16);
        append(&bar, &mute);
        append(&bar, &hang_up);
        let _ = body.before_with_node_1(&bar);
        on(&mute, UiEvent::CallMute);
        on(&hang_up, UiEvent::CallHangUp);

        CallView {
            start,
            prompt,
            prompt_title,
            prompt_text,
            prompt_wait,
            accept,
            bar,
            state,
            clock,
            remote_note,
            meters,
            local_level,
            remote_level,
            mute,
            hang_up,
        }
    }

    /// The elements `voice::Meters` writes levels into: (local, remote).
    pub fn meters(&self) -> (Element, Element) {
        (self.local_level.clone(), self.remote_level.clone())
    }

    pub fn render(&self, s: &Strings, call: &CallScene, agent: Option<&str>) {
        let who = agent.unwrap_or(s.someone);
        show(&self.start, call.can_start);
        let ringing_here = call
            .info
            .is_some_and(|c| c.phase == CallPhase::Ringing && c.started_by == Role::Agent);
        show(&self.prompt, ringing_here && call.media.is_none());
        if ringing_here {
            set_text(&self.prompt_title, &fill(s.call_incoming, who));
            set_text(&self.prompt_text, &fill(s.call_incoming_text, who));
            show(&self.prompt_wait, call.asking_mic);
            if call.asking_mic {
                set_attr(&self.accept, "disabled", "");
            } else {
                remove_attr(&self.accept, "disabled");
            }
        }

        // The bar: our own call, an answered one, or how the last one ended.
        let (state, text) = match (call.info, &call.media) {
            _ if ringing_here && call.media.is_none() => ("", String::new()),
            (Some(c), None) if c.phase == CallPhase::Active => {
                ("elsewhere", s.call_elsewhere.into())
            }
            (Some(c), Some(_))
                if c.phase == CallPhase::Ringing && c.started_by == Role::Visitor =>
            {
                ("calling", s.call_calling.into())
            }
            (_, Some(m)) => (
                m.link.as_str(),
                match m.link {
                    Link::Connecting => s.call_connecting,
                    Link::Connected => s.call_connected,
                    Link::Reconnecting => s.call_reconnecting,
                }
                .into(),
            ),
            (_, None) => match call.notice {
                Some(notice) => ("ended", notice.into()),
                None => ("", String::new()),
            },
        };
        show(&self.bar, !state.is_empty());
        if state.is_empty() {
            return;
        }
        set_attr(&self.bar, "data-state", state);
        set_text(&self.state, &text);
        let media = call.media.as_ref();
        let clock = media
            .and_then(|m| m.connected_for)
            .map(|ms| duration(ms as u64))
            .unwrap_or_default();
        set_text(&self.clock, &clock);
        let note = media
            .filter(|m| m.remote_muted)
            .map(|_| fill(s.call_remote_muted, who))
            .unwrap_or_default();
        set_text(&self.remote_note, &note);
        show(&self.remote_note, !note.is_empty());
        show(&self.meters, media.is_some());
        show(&self.mute, media.is_some());
        show(&self.hang_up, state != "ended");
        let muted = media.is_some_and(|m| m.muted);
        set_attr(
            &self.bar,
            "data-muted",
            if muted { "true" } else { "false" },
        );
        set_attr(
            &self.mute,
            "aria-pressed",
            if muted { "true" } else { "false" },
        );
        let label = if muted { s.call_unmute } else { s.call_mute };
        if self.mute.get_attribute("aria-label").as_deref() != Some(label) {
            attr(&self.mute, "aria-label", label);
            attr(&self.mute, "title", label);
            let icon = if muted { icons::MIC_OFF } else { icons::MIC };
            icons::set_icon(
                &self.mute.owner_document().expect("in a document"),
                &self.mute,
                icon,
                16,
            );
        }
    }
}

/// "2:13", or "1:02:03" past an hour.
pub fn duration(ms: u64) -> String {
    let secs = ms / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(duration(0), "0:00");
        assert_eq!(duration(133_400), "2:13");
        assert_eq!(duration(3_723_000), "1:02:03");
    }
}
