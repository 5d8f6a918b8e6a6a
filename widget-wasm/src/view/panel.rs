//! The panel's shell ([`View`]): the host element on `<body>` with an open
//! shadow root, the launcher, the header, the banner, the message box, and
//! the parts each family draws (`queue.rs`, `chat.rs`, `cobrowse.rs`,
//! `call.rs`, `form.rs`), updated in place from a [`Scene`].

use protocol::ShareState;
use protocol::limits::MAX_MESSAGE_CHARS;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, HtmlElement, HtmlTextAreaElement, KeyboardEvent, ShadowRoot, ShadowRootInit,
    ShadowRootMode,
};

use super::call::{CallScene, CallView};
use super::callback::Draft;
use super::chat::MessageList;
use super::cobrowse::CobrowseView;
use super::dom::{append, attr, button, child, el, on_click, remove_attr, set_attr, set_text};
use super::form::FormView;
use super::icons;
use super::prompt_voice::PromptVoice;
use super::queue::{QueueView, StartForm};
use super::style;
use crate::browser::document;
use crate::dispatcher::Dispatcher;
use crate::i18n::{Strings, fill};
use crate::input::{Input, UiEvent};
use crate::listener::Listener;
use crate::options::Options;
use crate::overlay::Overlay;
use crate::state::{Conversation, Phase};

/// The host element's id, for sites that need to find (not style) it.
pub const HOST_ID: &str = "tandem-widget-root";

/// Everything the view shows, borrowed from the app for one render.
pub struct Scene<'a> {
    pub convo: &'a Conversation,
    pub open: bool,
    pub unread: u32,
    pub agent_typing: bool,
    pub offline: bool,
    /// Whether any connection succeeded yet: "lost" or "cannot reach".
    pub ever_connected: bool,
    pub alert: Option<&'a str>,
    pub call: CallScene<'a>,
    pub proposal: Option<&'a crate::form::Proposal>,
    pub page_prompt: Option<&'a crate::form::PagePrompt>,
}

impl Scene<'_> {
    fn share(&self) -> ShareState {
        self.convo.share
    }
}

pub struct View {
    host: Element,
    shadow: ShadowRoot,
    strings: &'static Strings,
    title_idle: String,
    root: Element,
    launcher: HtmlElement,
    launcher_icon: Element,
    badge: Element,
    avatar: Element,
    title: Element,
    subtitle: Element,
    body: Element,
    start: StartForm,
    queue: QueueView,
    messages: MessageList,
    typing: Element,
    typing_text: Element,
    footer: Element,
    banner: Element,
    compose: Element,
    compose_label: Element,
    input: HtmlTextAreaElement,
    shown_open: Option<bool>,
    /// Focus the message box at the end of the next render, once it is
    /// visible where the new phase puts it.
    want_focus: bool,
    shown_avatar: Option<String>,
    cobrowse: CobrowseView,
    call: CallView,
    form: FormView,
    /// The agent's pointer and highlights on the page.
    pub overlay: Overlay,
    /// Says each prompt as it appears.
    prompts: PromptVoice,
    _listeners: Vec<Listener>,
}

impl View {
    pub fn mount(options: &Options, dispatcher: Dispatcher) -> View {
        let doc = document();
        let s = options.locale.strings();
        // A stale host (a second init after a page swapped its body, say) goes first.
        if let Some(old) = doc.get_element_by_id(HOST_ID) {
            old.remove();
        }
        let host = el(&doc, "div", "");
        attr(&host, "id", HOST_ID);
        // Inline and !important: page rules cannot hide or restyle the host.
        // Set through the CSSOM, which a strict `style-src` CSP allows.
        let host_style = host.unchecked_ref::<HtmlElement>().style();
        let _ = host_style.set_property_with_priority("all", "initial", "important");
        let _ = host_style.set_property_with_priority("display", "block", "important");
        let shadow = crate::browser::must(
            host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)),
            "a fresh div accepts a shadow root",
        );
        style::install(&doc, &shadow);

        let root = el(&doc, "div", "tw");
        attr(&root, "lang", options.locale.tag());
        attr(&root, "data-phase", "idle");
        attr(&root, "data-open", "false");
        if let Some(color) = &options.color {
            let _ = root
                .unchecked_ref::<HtmlElement>()
                .style()
                .set_property("--tw-accent", color);
        }
        let _ = shadow.append_child(&root);

        // Panel first so it precedes the launcher in tab order when open.
        let panel = child(&doc, &root, "section", "panel");
        attr(&panel, "id", "tw-panel");
        attr(&panel, "role", "dialog");
        attr(
            &panel,
            "aria-label",
            options.title.as_deref().unwrap_or(s.panel_title),
        );

        let head = child(&doc, &panel, "header", "head");
        let avatar = child(&doc, &head, "div", "avatar");
        attr(&avatar, "aria-hidden", "true");
        icons::set_icon(&doc, &avatar, icons::CHAT, 20);
        let titles = child(&doc, &head, "div", "titles");
        let title = child(&doc, &titles, "h2", "title");
        let subtitle = child(&doc, &titles, "p", "subtitle");
        let end = button(&doc, "end", s.end_chat);
        attr(&end, "data-testid", "tandem-end");
        append(&head, &end);
        let close = button(&doc, "icon-btn close", "");
        attr(&close, "aria-label", s.close);
        attr(&close, "title", s.close);
        icons::set_icon(&doc, &close, icons::CLOSE, 20);
        append(&head, &close);

        let body = child(&doc, &panel, "div", "body");
        // Scrolls: reachable from the keyboard, so the transcript can be
        // read back with the arrow keys.
        attr(&body, "tabindex", "0");
        attr(&body, "role", "region");
        attr(&body, "aria-label", s.messages_label);
        let mut early = Vec::new();
        let start = StartForm::build(&doc, s, options, &dispatcher, &mut early);
        append(&body, &start.intro);
        let locale = options.locale.tag();
        let queue = QueueView::build(&doc, s, &body, locale, &dispatcher, &mut early);

        // The live region wraps the list: a list given role="log" would
        // stop being a list, and its rows would be items of nothing.
        let log_region = child(&doc, &body, "div", "log-region");
        attr(&log_region, "role", "log");
        attr(&log_region, "aria-live", "polite");
        let log = child(&doc, &log_region, "ol", "log");
        let typing = child(&doc, &body, "div", "typing");
        attr(&typing, "aria-live", "polite");
        attr(&typing, "data-testid", "tandem-typing");
        let dots = child(&doc, &typing, "span", "dots");
        attr(&dots, "aria-hidden", "true");
        for _ in 0..3 {
            child(&doc, &dots, "i", "");
        }
        let typing_text = child(&doc, &typing, "span", "");

        let footer = child(&doc, &panel, "footer", "foot");
        let banner = child(&doc, &footer, "div", "banner");
        attr(&banner, "role", "status");
        attr(&banner, "data-testid", "tandem-banner");
        attr(&banner, "hidden", "");
        let compose = child(&doc, &footer, "div", "compose");
        let compose_label = child(&doc, &compose, "label", "label compose-label");
        attr(&compose_label, "for", "tw-input");
        let row = child(&doc, &compose, "div", "compose-row");
        let input: HtmlTextAreaElement = child(&doc, &row, "textarea", "input").unchecked_into();
        attr(&input, "id", "tw-input");
        attr(&input, "rows", "1");
        attr(&input, "maxlength", &MAX_MESSAGE_CHARS.to_string());
        attr(&input, "data-testid", "tandem-chat-input");
        let send = button(&doc, "send", "");
        attr(&send, "data-testid", "tandem-chat-send");
        attr(&send, "aria-label", s.send);
        attr(&send, "title", s.send);
        icons::set_icon(&doc, &send, icons::SEND, 18);
        append(&row, &send);
        let ended = child(&doc, &footer, "div", "ended");
        set_text(&child(&doc, &ended, "p", "ended-title"), s.ended_title);
        set_text(&child(&doc, &ended, "p", "ended-text"), s.ended_text);
        let new_chat = button(&doc, "primary", s.new_chat);
        attr(&new_chat, "data-testid", "tandem-new-chat");
        append(&ended, &new_chat);

        let launcher: HtmlElement = button(&doc, "launcher", "").unchecked_into();
        attr(&launcher, "data-testid", "tandem-launcher");
        attr(&launcher, "aria-controls", "tw-panel");
        attr(&launcher, "aria-expanded", "false");
        let launcher_icon = child(&doc, &launcher, "span", "launcher-icon");
        icons::set_icon(&doc, &launcher_icon, icons::CHAT, 22);
        set_text(&child(&doc, &launcher, "span", ""), s.launcher);
        let badge = child(&doc, &launcher, "span", "badge");
        attr(&badge, "aria-hidden", "true");
        attr(&badge, "hidden", "");
        append(&root, &launcher);

        let mut listeners = vec![
            on_click(&launcher, &dispatcher, UiEvent::LauncherClicked),
            on_click(&close, &dispatcher, UiEvent::CloseClicked),
            on_click(&end, &dispatcher, UiEvent::EndChat),
            on_click(&send, &dispatcher, UiEvent::Submit),
            on_click(&new_chat, &dispatcher, UiEvent::NewChat),
            Listener::new(&input, "keydown", {
                let d = dispatcher.clone();
                move |e: Event| {
                    let Some(k) = e.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    // Enter sends; Shift+Enter is a newline; IME composition keeps Enter.
                    if k.key() == "Enter" && !k.shift_key() && !k.is_composing() {
                        e.prevent_default();
                        d.send(Input::Ui(UiEvent::Submit));
                    }
                }
            }),
            Listener::new(&input, "input", {
                let d = dispatcher.clone();
                let input = input.clone();
                move |_: Event| {
                    grow(&input);
                    d.send(Input::Ui(UiEvent::Typed));
                }
            }),
            Listener::new(&panel, "keydown", {
                let d = dispatcher.clone();
                move |e: Event| {
                    if e.dyn_ref::<KeyboardEvent>()
                        .is_some_and(|k| k.key() == "Escape")
                    {
                        d.send(Input::Ui(UiEvent::Escape));
                    }
                }
            }),
        ];
        listeners.append(&mut early);
        let cobrowse = CobrowseView::build(&doc, s, &footer, &root, &dispatcher, &mut listeners);
        let call = CallView::build(&doc, s, &end, &body, &footer, &dispatcher, &mut listeners);
        let form = FormView::build(&doc, s, &footer, &dispatcher, &mut listeners);
        let mut overlay = Overlay::new(&doc, &root, s);
        overlay.set_agent_name(s.agent);

        let prompts = PromptVoice::build(&doc, &root);
        let body_el = doc.body().expect("the widget starts after <body> exists");
        let _ = body_el.append_child(&host);
        View {
            host,
            shadow,
            strings: s,
            title_idle: options
                .title
                .clone()
                .unwrap_or_else(|| s.panel_title.to_string()),
            root,
            launcher,
            launcher_icon,
            badge,
            avatar,
            title,
            subtitle,
            body,
            start,
            queue,
            messages: MessageList::new(&doc, log, options.locale),
            typing,
            typing_text,
            footer,
            banner,
            compose,
            compose_label,
            input,
            shown_open: None,
            want_focus: false,
            shown_avatar: None,
            cobrowse,
            call,
            form,
            overlay,
            prompts,
            _listeners: listeners,
        }
    }

    /// The elements the call's level meters are drawn in: (local, remote).
    pub fn call_meters(&self) -> (Element, Element) {
        self.call.meters()
    }

    /// Where the call's `<audio>` goes (inside the shadow root).
    pub fn call_audio_parent(&self) -> Element {
        self.root.clone()
    }

    /// The widget's host element (never captured).
    pub fn host(&self) -> &Element {
        &self.host
    }

    pub fn render(&mut self, scene: &Scene) {
        let s = self.strings;
        let convo = scene.convo;
        let phase = convo.phase;
        set_attr(&self.root, "data-phase", phase.as_str());
        self.render_open(scene);

        let agent = convo.agent.as_ref().map(|a| a.name.as_str());
        let (title, subtitle) = match (phase, agent) {
            (Phase::Idle, _) => (self.title_idle.as_str(), s.subtitle_idle),
            (Phase::Queued, _) => (self.title_idle.as_str(), s.subtitle_queued),
            (Phase::Active, Some(name)) => (name, s.subtitle_active),
            (Phase::Ended, Some(name)) => (name, s.subtitle_ended),
            (Phase::Active, None) => (self.title_idle.as_str(), s.subtitle_active),
            (Phase::Ended, None) => (self.title_idle.as_str(), s.subtitle_ended),
        };
        set_text(&self.title, title);
        set_text(&self.subtitle, subtitle);
        let initial = agent
            .filter(|_| matches!(phase, Phase::Active | Phase::Ended))
            .and_then(|n| n.chars().next())
            // The browser's upper-casing (the same Unicode rules): Rust's
            // `char::to_uppercase` would link its case tables (KBs of wasm).
            .map(|c| String::from(js_sys::JsString::from(c).to_upper_case()));
        if initial != self.shown_avatar {
            match &initial {
                Some(letter) => set_text(&self.avatar, letter),
                None => icons::set_icon(&document(), &self.avatar, icons::CHAT, 20),
            }
            self.shown_avatar = initial;
        }

        // The same text box serves the start form and the chat: it moves.
        let slot = if phase == Phase::Idle {
            &self.start.slot
        } else {
            &self.footer
        };
        if !self
            .compose
            .parent_element()
            .is_some_and(|p| p.is_same_node(Some(slot)))
        {
            let had_focus = self.input_has_focus();
            let before = if phase == Phase::Idle {
                None
            } else {
                self.footer.query_selector(".ended").ok().flatten()
            };
            let _ = slot.insert_before(&self.compose, before.as_ref().map(|e| e.as_ref()));
            grow(&self.input);
            if had_focus {
                self.focus_input();
            }
        }
        let (label, placeholder) = if phase == Phase::Idle {
            (s.first_message_label, s.first_message_placeholder)
        } else {
            (s.message_label, s.message_placeholder)
        };
        set_text(&self.compose_label, label);
        set_attr(&self.input, "placeholder", placeholder);

        self.queue.render(s, &self.root, convo);

        let typing = scene.agent_typing && phase == Phase::Active;
        if typing {
            set_text(
                &self.typing_text,
                &fill(s.agent_typing, agent.unwrap_or(s.someone)),
            );
            remove_attr(&self.typing, "hidden");
        } else {
            set_attr(&self.typing, "hidden", "");
        }

        match (scene.offline, scene.alert) {
            (true, _) if scene.ever_connected => self.show_banner(s.reconnecting),
            (true, _) => self.show_banner(s.unreachable),
            (false, Some(text)) => self.show_banner(text),
            (false, None) => set_attr(&self.banner, "hidden", ""),
        }

        self.cobrowse.render(s, phase, scene.share(), agent);
        self.call.render(s, &scene.call, agent);
        let on_call = scene.call.media.as_ref().map_or("", |m| m.link.as_str());
        set_attr(&self.root, "data-call", on_call);
        let active = phase == Phase::Active;
        self.form.render(
            s,
            agent.unwrap_or(s.someone),
            scene.proposal.filter(|_| active),
            scene.page_prompt.filter(|_| active),
        );
        if let Some(name) = agent {
            self.overlay.set_agent_name(name);
        }
        self.prompts.say_new(&self.footer);

        let near_bottom = self.near_bottom();
        let synced = self.messages.sync(convo);
        if synced.own_added || (near_bottom && (synced.added || typing)) {
            self.body.set_scroll_top(self.body.scroll_height());
        }
        if std::mem::take(&mut self.want_focus) {
            let _ = self.input.focus();
        }
    }

    /// Opens the email (false) or phone (true) call-back form.
    pub fn choose_callback(&mut self, phone: bool) {
        self.queue.callback.choose(phone);
    }

    /// What the call-back form holds, if one is open.
    pub fn callback_draft(&self) -> Option<Draft> {
        self.queue.callback.draft()
    }

    pub fn set_callback_error(&self, text: &str) {
        self.queue.callback.set_error(text);
    }

    /// The text in the message box.
    pub fn draft(&self) -> String {
        self.input.value()
    }

    pub fn clear_draft(&self) {
        self.input.set_value("");
        grow(&self.input);
    }

    /// Puts text back in the box (a refused request), unless the visitor
    /// already typed something new.
    pub fn restore_draft(&self, text: &str) {
        if self.input.value().trim().is_empty() {
            self.input.set_value(text);
            grow(&self.input);
        }
    }

    /// The chosen topic id, if any.
    pub fn topic(&self) -> Option<String> {
        self.start.topic()
    }

    pub fn focus_input(&mut self) {
        self.want_focus = true;
    }

    pub fn focus_launcher(&self) {
        let _ = self.launcher.focus();
    }

    /// The panel was open on the previous page: show it without animating.
    pub fn skip_next_transition(&self) {
        let _ = self.root.class_list().add_1("tw--instant");
    }

    fn render_open(&mut self, scene: &Scene) {
        let s = self.strings;
        if self.shown_open != Some(scene.open) {
            if self.shown_open.is_some() {
                let _ = self.root.class_list().remove_1("tw--instant");
            }
            set_attr(
                &self.root,
                "data-open",
                if scene.open { "true" } else { "false" },
            );
            set_attr(
                &self.launcher,
                "aria-expanded",
                if scene.open { "true" } else { "false" },
            );
            let icon = if scene.open {
                icons::CHEVRON_DOWN
            } else {
                icons::CHAT
            };
            icons::set_icon(&document(), &self.launcher_icon, icon, 22);
            self.shown_open = Some(scene.open);
        }
        let unread = if scene.open { 0 } else { scene.unread };
        if unread > 0 {
            set_text(
                &self.badge,
                &if unread > 9 {
                    "9+".to_string()
                } else {
                    unread.to_string()
                },
            );
            remove_attr(&self.badge, "hidden");
            set_attr(
                &self.launcher,
                "aria-label",
                &format!("{} ({unread} {})", s.launcher, s.unread_badge),
            );
        } else {
            // The visible text, so speech input can say what it sees;
            // whether the panel is open is `aria-expanded`'s to tell.
            set_attr(&self.badge, "hidden", "");
            set_attr(&self.launcher, "aria-label", s.launcher);
        }
    }

    fn show_banner(&self, text: &str) {
        set_text(&self.banner, text);
        remove_attr(&self.banner, "hidden");
    }

    fn near_bottom(&self) -> bool {
        let b = &self.body;
        b.scroll_height() - b.scroll_top() - b.client_height() < 80
    }

    fn input_has_focus(&self) -> bool {
        self.shadow
            .active_element()
            .is_some_and(|a| a.is_same_node(Some(&self.input)))
    }
}

impl Drop for View {
    fn drop(&mut self) {
        self.host.remove();
    }
}

/// Lets the message box grow with its text, up to the CSS max-height. An
/// empty box goes back to its stylesheet height (which differs between the
/// start form and the chat).
fn grow(input: &HtmlTextAreaElement) {
    let style = input.style();
    let _ = style.remove_property("height");
    if !input.value().is_empty() {
        let _ = style.set_property("height", &format!("{}px", input.scroll_height()));
    }
}
