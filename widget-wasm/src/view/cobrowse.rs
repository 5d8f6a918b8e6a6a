//! Screen sharing in the UI (only with the visitor's yes, visible while active):
//! the agent's request with Allow / Deny, the visitor's own "Share my
//! screen" button, and the "Your screen is shared" banner with Stop, which
//! sits on the page itself so it shows even when the panel is closed.

use protocol::ShareState;
use web_sys::{Document, Element};

use super::consent::Consent;
use super::dom::{append, attr, button, child, set_text, show};
use super::icons;
use crate::dispatcher::Dispatcher;
use crate::i18n::{Strings, fill};
use crate::input::{Input, UiEvent};
use crate::listener::Listener;
use crate::state::Phase;

pub struct CobrowseView {
    prompt: Element,
    prompt_text: Element,
    start: Element,
    banner: Element,
    banner_text: Element,
}

impl CobrowseView {
    /// `footer`: the panel's footer (prompt and button go at its top);
    /// `root`: the widget's container (the banner is fixed on the page).
    pub fn build(
        doc: &Document,
        s: &Strings,
        footer: &Element,
        root: &Element,
        dispatcher: &Dispatcher,
        listeners: &mut Vec<Listener>,
    ) -> CobrowseView {
        let ui = |e: UiEvent| {
            let d = dispatcher.clone();
            move |_: web_sys::Event| d.send(Input::Ui(e))
        };
        let first = footer.first_child();

        let consent = Consent::build(
            doc,
            "share",
            icons::SCREEN,
            (s.share_deny, "deny"),
            (s.share_allow, "allow"),
        );
        set_text(&consent.title, s.share_title);
        set_text(&consent.fine, s.share_privacy);
        let (prompt, prompt_text) = (consent.root, consent.text);
        let _ = footer.insert_before(&prompt, first.as_ref());

        let start = button(doc, "share-start", "");
        attr(&start, "data-testid", "tandem-share-start");
        attr(&start, "hidden", "");
        let icon = child(doc, &start, "span", "share-start-icon");
        icons::set_icon(doc, &icon, icons::SCREEN, 16);
        set_text(&child(doc, &start, "span", ""), s.share_start);
        let _ = footer.insert_before(&start, first.as_ref());

        let banner = child(doc, root, "div", "share-banner");
        attr(&banner, "role", "status");
        attr(&banner, "data-testid", "tandem-share-banner");
        attr(&banner, "hidden", "");
        let dot = child(doc, &banner, "span", "share-dot");
        attr(&dot, "aria-hidden", "true");
        let banner_text = child(doc, &banner, "span", "share-text");
        let stop = button(doc, "share-stop", s.share_stop);
        attr(&stop, "data-testid", "tandem-share-stop");
        attr(&stop, "aria-label", s.share_stop_label);
        append(&banner, &stop);

        listeners.push(Listener::new(
            &consent.yes,
            "click",
            ui(UiEvent::ShareAllow),
        ));
        listeners.push(Listener::new(&consent.no, "click", ui(UiEvent::ShareDeny)));
        listeners.push(Listener::new(&start, "click", ui(UiEvent::ShareStart)));
        listeners.push(Listener::new(&stop, "click", ui(UiEvent::ShareStop)));
        CobrowseView {
            prompt,
            prompt_text,
            start,
            banner,
            banner_text,
        }
    }

    pub fn render(&self, s: &Strings, phase: Phase, share: ShareState, agent: Option<&str>) {
        let active = phase == Phase::Active;
        show(&self.prompt, active && share == ShareState::Requested);
        set_text(
            &self.prompt_text,
            &fill(s.share_text, agent.unwrap_or(s.someone)),
        );
        show(&self.start, active && share == ShareState::Off);
        show(&self.banner, active && share == ShareState::Active);
        let text = match agent {
            Some(name) => fill(s.share_banner, name),
            None => s.share_banner_anonymous.to_string(),
        };
        set_text(&self.banner_text, &text);
    }
}
