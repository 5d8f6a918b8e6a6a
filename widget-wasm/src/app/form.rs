//! Form push and page push (nothing changes without the visitor's yes): list the page's fields for the
//! agent, check a push and, when it holds, ask the visitor field by field;
//! propose a page and navigate once the visitor said yes.
//!
//! Form pushes are handled by the tab that shares the screen (node ids are
//! its capture's); the others ignore them. A page push is shown in every
//! tab of the visitor; the first answer wins and the answer's audit event
//! takes the prompt away everywhere.

use protocol::{ClientFrame, EventBody, FieldError, FieldProblem, FieldPush, FormAnswer};

use super::core::App;
use crate::browser::{page_info, window};
use crate::form::apply::check;
use crate::form::{PagePrompt, Proposal, Proposed, fields, page_of, summarise};

impl App {
    /// `form.fields.request`: the sharing tab lists the page's fields.
    pub(super) fn on_fields_request(&mut self, session: &str) {
        let Some(capture) = self.capture.as_ref().filter(|_| self.is_ours(session)) else {
            return;
        };
        let fields = fields::list(capture);
        self.send(ClientFrame::FormFields {
            session: session.to_string(),
            url: page_info().url,
            fields,
        });
    }

    /// `form.push`: check every field first; any problem fails the push
    /// without asking the visitor or changing anything.
    pub(super) fn on_form_push(
        &mut self,
        session: &str,
        push: u32,
        url: &str,
        proposed: Vec<FieldPush>,
        by: Option<String>,
    ) {
        let Some(capture) = self.capture.as_ref().filter(|_| self.is_ours(session)) else {
            return;
        };
        let here = page_info().url;
        let mut checked = Vec::new();
        let mut errors = Vec::new();
        for p in &proposed {
            let result = if page_of(url) != page_of(&here) {
                Err(FieldProblem::LeftPage)
            } else {
                check(capture, p)
            };
            match result {
                Ok(c) => checked.push(c),
                Err(reason) => errors.push(FieldError {
                    node: p.node,
                    name: p.name.clone(),
                    reason,
                }),
            }
        }
        if !errors.is_empty() {
            self.send(ClientFrame::FormAnswer(FormAnswer {
                session: session.to_string(),
                push,
                outcome: summarise(0, 0, errors.len()),
                applied: Vec::new(),
                rejected: Vec::new(),
                errors,
            }));
            return;
        }
        // A newer push replaces one still waiting: the older is turned down.
        self.answer_form();
        let s = self.strings;
        let fields: Vec<Proposed> = checked
            .into_iter()
            .map(|field| Proposed {
                label: fields::label_for(&field.el, field.push.node),
                shown: fields::describe(
                    &field.el,
                    field.kind,
                    &field.push.value,
                    s.form_checked,
                    s.form_unchecked,
                ),
                field,
                decision: None,
            })
            .collect();
        self.view.overlay.clear_highlights();
        for f in &fields {
            let tag = format!("{}: {}", f.label, f.shown);
            self.view
                .overlay
                .highlight(f.field.node, Some(&tag), &f.field.el);
        }
        self.proposal = Some(Proposal { push, by, fields });
        self.set_open(true, false);
    }

    /// The visitor decided on one field, or on all that are left.
    pub(super) fn on_form_decision(&mut self, index: Option<usize>, accept: bool) {
        let Some(p) = self.proposal.as_mut() else {
            return;
        };
        match index {
            Some(i) => p.decide(i, accept),
            None => p.decide_rest(accept),
        }
        if p.finished() {
            self.answer_form();
        }
    }

    /// Applies what was accepted of the waiting proposal, rejects what is
    /// undecided, and answers.
    fn answer_form(&mut self) {
        let Some(mut proposal) = self.proposal.take() else {
            return;
        };
        proposal.decide_rest(false);
        let answer = proposal.apply();
        self.view.overlay.clear_highlights();
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        self.send(ClientFrame::FormAnswer(FormAnswer {
            session,
            push: proposal.push,
            outcome: answer.outcome,
            applied: answer.applied,
            rejected: answer.rejected,
            errors: answer.errors,
        }));
    }

    /// `page.push`: only pages of this site are ever proposed.
    pub(super) fn on_page_push(
        &mut self,
        session: &str,
        push: u32,
        url: String,
        label: Option<String>,
        by: Option<String>,
    ) {
        if !self.is_ours(session) {
            return;
        }
        if !same_origin(&url) {
            self.send(ClientFrame::PageAnswer {
                session: session.to_string(),
                push,
                accepted: false,
            });
            return;
        }
        self.page_prompt = Some(PagePrompt {
            push,
            url,
            label,
            by,
        });
        self.set_open(true, false);
    }

    /// "Open page" or "Stay here". On yes the page changes once the server
    /// has logged the answer (its event comes back), so it is not lost
    /// with the page.
    pub(super) fn on_page_decision(&mut self, accept: bool) {
        let (Some(prompt), Some(session)) = (self.page_prompt.take(), self.convo.session.clone())
        else {
            return;
        };
        let sent = self.send(ClientFrame::PageAnswer {
            session,
            push: prompt.push,
            accepted: accept,
        });
        if accept && sent {
            self.navigate_after = Some((prompt.push, prompt.url));
        }
    }

    /// An answer in the log: navigate if it is ours, and take away prompts
    /// another tab answered.
    pub(super) fn on_push_event(&mut self, body: &EventBody) {
        match body {
            EventBody::PageAnswer { push, accepted } => {
                if self.page_prompt.as_ref().is_some_and(|p| p.push == *push) {
                    self.page_prompt = None;
                }
                if let Some((p, url)) = self.navigate_after.take() {
                    if p == *push && *accepted {
                        let _ = window().location().assign(&url);
                    } else {
                        self.navigate_after = Some((p, url));
                    }
                }
            }
            EventBody::FormAnswer { push, .. }
                if self.proposal.as_ref().is_some_and(|p| p.push == *push) =>
            {
                self.proposal = None;
                self.view.overlay.clear_highlights();
            }
            // The agent who proposed them left the chat: the server forgot
            // their pushes, so the prompts go too.
            EventBody::Transferred { .. } => {
                self.proposal = None;
                self.page_prompt = None;
                self.navigate_after = None;
                self.view.overlay.clear_highlights();
            }
            _ => {}
        }
    }
}

/// Whether `url` is on this page's origin, by the browser's URL parser.
fn same_origin(url: &str) -> bool {
    let here = window().location().origin().ok();
    web_sys::Url::new(url).ok().map(|u| u.origin()) == here
}
