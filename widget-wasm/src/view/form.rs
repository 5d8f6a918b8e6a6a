//! The visitor's prompts for the agent's proposals (nothing changes without their yes): values
//! for form fields, each with Accept / Reject, plus Accept all and Reject;
//! and a page to open, with Open page / Stay here. The fields themselves
//! are outlined on the page by the overlay, labelled with the value.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use super::dom::{append, attr, button, child, el, set_text, show};
use super::icons;
use crate::dispatcher::Dispatcher;
use crate::form::{PagePrompt, Proposal};
use crate::i18n::{Strings, fill};
use crate::input::{Input, UiEvent};
use crate::listener::Listener;

pub struct FormView {
    doc: Document,
    card: Element,
    title: Element,
    list: Element,
    page: Element,
    page_title: Element,
    page_url: Element,
    /// What the list shows now, so it is rebuilt only when that changes.
    shown: Option<(u32, Vec<Option<bool>>)>,
}

impl FormView {
    /// Builds both prompts at the top of the panel's `footer`.
    pub fn build(
        doc: &Document,
        s: &Strings,
        footer: &Element,
        dispatcher: &Dispatcher,
        listeners: &mut Vec<Listener>,
    ) -> FormView {
        let first = footer.first_child();
        let send = |e: UiEvent| {
            let d = dispatcher.clone();
            move |_: web_sys::Event| d.send(Input::Ui(e))
        };

        let card = prompt_card(doc, "tandem-form-prompt");
        let title = header(doc, &card);
        set_text(&child(doc, &card, "p", "consent-fine"), s.form_hint);
        let list = child(doc, &card, "ul", "proposal-list");
        // One listener for every row's buttons: they say which field and what.
        let d = dispatcher.clone();
        listeners.push(Listener::new(&list, "click", move |ev: web_sys::Event| {
            let Some(b) = ev
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.closest("button[data-i]").ok().flatten())
            else {
                return;
            };
            let index = b.get_attribute("data-i").and_then(|i| i.parse().ok());
            let accept = b.get_attribute("data-accept").as_deref() == Some("1");
            if index.is_some() {
                d.send(Input::Ui(UiEvent::FormDecision { index, accept }));
            }
        }));
        let actions = child(doc, &card, "div", "consent-actions");
        let reject = button(doc, "btn-secondary", s.form_reject_all);
        attr(&reject, "data-testid", "tandem-form-reject-all");
        append(&actions, &reject);
        let accept = button(doc, "btn-accent", s.form_accept_all);
        attr(&accept, "data-testid", "tandem-form-accept-all");
        append(&actions, &accept);
        listeners.push(Listener::new(
            &accept,
            "click",
            send(UiEvent::FormDecision {
                index: None,
                accept: true,
            }),
        ));
        listeners.push(Listener::new(
            &reject,
            "click",
            send(UiEvent::FormDecision {
                index: None,
                accept: false,
            }),
        ));
        let _ = footer.insert_before(&card, first.as_ref());

        let page = prompt_card(doc, "tandem-page-prompt");
        let page_title = header(doc, &page);
        let page_url = child(doc, &page, "p", "proposal-url");
        let actions = child(doc, &page, "div", "consent-actions");
        let stay = button(doc, "btn-secondary", s.page_stay);
        attr(&stay, "data-testid", "tandem-page-stay");
        append(&actions, &stay);
        let open = button(doc, "btn-accent", s.page_open);
        attr(&open, "data-testid", "tandem-page-open");
        append(&actions, &open);
        listeners.push(Listener::new(
            &open,
            "click",
            send(UiEvent::PageDecision { accept: true }),
        ));
        listeners.push(Listener::new(
            &stay,
            "click",
            send(UiEvent::PageDecision { accept: false }),
        ));
        let _ = footer.insert_before(&page, first.as_ref());

        FormView {
            doc: doc.clone(),
            card,
            title,
            list,
            page,
            page_title,
            page_url,
            shown: None,
        }
    }

    pub fn render(
        &mut self,
        s: &Strings,
        someone: &str,
        form: Option<&Proposal>,
        page: Option<&PagePrompt>,
    ) {
        show(&self.card, form.is_some());
        if let Some(p) = form {
            set_text(
                &self.title,
                &fill(s.form_title, p.by.as_deref().unwrap_or(someone)),
            );
            let signature = p.signature();
            if self.shown.as_ref() != Some(&signature) {
                self.rebuild(s, p);
                self.shown = Some(signature);
            }
        } else {
            self.shown = None;
        }
        show(&self.page, page.is_some());
        if let Some(p) = page {
            set_text(
                &self.page_title,
                &fill(s.page_title, p.by.as_deref().unwrap_or(someone)),
            );
            set_text(&self.page_url, p.label.as_deref().unwrap_or(&p.url));
            attr(&self.page_url, "title", &p.url);
        }
    }

    fn rebuild(&self, s: &Strings, p: &Proposal) {
        let doc = &self.doc;
        self.list.set_text_content(None);
        for (i, f) in p.fields.iter().enumerate() {
            let row = child(doc, &self.list, "li", "proposal");
            attr(&row, "data-testid", "tandem-form-field");
            attr(&row, "data-name", &f.field.push.name);
            let text = child(doc, &row, "div", "proposal-text");
            set_text(&child(doc, &text, "span", "proposal-label"), &f.label);
            set_text(&child(doc, &text, "span", "proposal-value"), &f.shown);
            match f.decision {
                Some(yes) => {
                    let state = child(doc, &row, "span", "proposal-state");
                    set_text(
                        &state,
                        if yes {
                            s.form_accepted
                        } else {
                            s.form_rejected
                        },
                    );
                    attr(
                        &row,
                        "data-decision",
                        if yes { "accepted" } else { "rejected" },
                    );
                }
                None => {
                    for (accept, label, icon) in [
                        (false, s.form_reject, icons::CLOSE),
                        (true, s.form_accept, icons::CHECK),
                    ] {
                        let b = el(
                            doc,
                            "button",
                            if accept { "icon-btn ok" } else { "icon-btn" },
                        );
                        attr(&b, "type", "button");
                        attr(&b, "data-i", &i.to_string());
                        attr(&b, "data-accept", if accept { "1" } else { "0" });
                        attr(&b, "aria-label", &format!("{label}: {}", f.label));
                        attr(&b, "title", label);
                        attr(
                            &b,
                            "data-testid",
                            if accept {
                                "tandem-form-accept"
                            } else {
                                "tandem-form-reject"
                            },
                        );
                        icons::set_icon(doc, &b, icon, 16);
                        append(&row, &b);
                    }
                }
            }
        }
    }
}

fn prompt_card(doc: &Document, testid: &str) -> Element {
    let card = el(doc, "div", "consent proposal-card");
    attr(&card, "role", "alertdialog");
    attr(&card, "data-testid", testid);
    attr(&card, "hidden", "");
    card
}

fn header(doc: &Document, card: &Element) -> Element {
    let head = child(doc, card, "div", "consent-head");
    let badge = child(doc, &head, "span", "consent-icon");
    icons::set_icon(doc, &badge, icons::EDIT, 18);
    child(doc, &head, "p", "consent-title")
}
