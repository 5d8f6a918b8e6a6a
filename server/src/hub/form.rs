//! Form push and page push in the hub: the agent proposes, the visitor
//! answers, and each step is written to the session's audit trail with
//! field names only (values never reach the log).
//!
//! The server numbers each push and remembers it until answered, so a
//! visitor can only answer pushes that were made, once each, and the audit
//! entry names only fields the push named. Listing fields and pushing
//! values need screen sharing: fields are addressed by the capture's node
//! ids, and a listing exposes page content.

use std::collections::BTreeMap;

use protocol::form::http_origin;
use protocol::limits::MAX_PENDING_PUSHES;
use protocol::{
    ErrorCode, EventBody, FieldError, FieldPush, FormField, FormOutcome, Role, ServerEnvelope,
    ServerFrame, SessionState,
};

use super::{Hub, HubError, HubResult, Principal, Wire};

/// A push waiting for the visitor's answer.
#[derive(Debug, Clone)]
pub(super) enum Pending {
    /// Form push: the names of the fields it proposed values for.
    Form(Vec<String>),
    Page,
}

/// The pushes of one session waiting for an answer, by number.
#[derive(Debug, Default)]
pub(super) struct Pushes {
    next: u32,
    waiting: BTreeMap<u32, Pending>,
}

impl Pushes {
    /// Numbers a new push. When too many wait (a visitor who never
    /// answers), the oldest is forgotten: its late answer is refused.
    fn add(&mut self, pending: Pending) -> u32 {
        self.next += 1;
        while self.waiting.len() >= MAX_PENDING_PUSHES {
            self.waiting.pop_first();
        }
        self.waiting.insert(self.next, pending);
        self.next
    }

    fn take(&mut self, push: u32) -> Option<Pending> {
        self.waiting.remove(&push)
    }

    /// Forgets every waiting push (the agent who made them left the
    /// session); numbering goes on, so a late answer matches no new push.
    pub(super) fn clear(&mut self) {
        self.waiting.clear();
    }
}

/// The fields of an answer to a form push.
pub(super) struct FormAnswer {
    pub push: u32,
    pub outcome: FormOutcome,
    pub applied: Vec<String>,
    pub rejected: Vec<String>,
    pub errors: Vec<FieldError>,
}

impl Hub {
    /// Agent: ask the visitor's widget for the page's fields.
    pub(super) async fn form_fields_request(
        &self,
        who: &Principal,
        session: &str,
    ) -> HubResult<()> {
        let st = self.sharing(who, session).await?;
        let wire = Wire::new(&ServerEnvelope::new(ServerFrame::FormFieldsRequest {
            session: session.to_string(),
        }));
        for c in Self::visitor_conns(&st, session) {
            c.send(&wire);
        }
        Ok(())
    }

    /// Visitor: the page's fields, relayed to the session's agent. Not
    /// stored: the listing holds the page's (unmasked) values.
    pub(super) async fn form_fields(
        &self,
        who: &Principal,
        session: &str,
        url: String,
        fields: Vec<FormField>,
    ) -> HubResult<()> {
        let st = self.sharing_by(who, session, Role::Visitor).await?;
        let wire = Wire::new(&ServerEnvelope::new(ServerFrame::FormFields {
            session: session.to_string(),
            url,
            fields,
        }));
        for c in Self::agent_conns(&st, session) {
            c.send(&wire);
        }
        Ok(())
    }

    /// Agent: propose values; the visitor's widget validates and asks.
    pub(super) async fn form_push(
        &self,
        who: &Principal,
        session: &str,
        url: String,
        fields: Vec<FieldPush>,
    ) -> HubResult<()> {
        let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
        let push = {
            let mut st = self.sharing(who, session).await?;
            let live = st
                .sessions
                .get_mut(session)
                .ok_or_else(HubError::session_ended)?;
            live.pushes.add(Pending::Form(names.clone()))
        };
        let by = agent_name(who);
        // Logged first: whoever hears of the push finds it in the history.
        let body = EventBody::FormPush {
            push,
            url: url.clone(),
            fields: names,
        };
        self.append(session, Role::Agent, by.clone(), body).await?;
        let frame = ServerFrame::FormPush {
            session: session.to_string(),
            push,
            url,
            fields,
            by,
        };
        self.to_visitor(session, frame);
        Ok(())
    }

    /// Visitor: how they answered a form push (or why the widget refused it).
    pub(super) async fn form_answer(
        &self,
        who: &Principal,
        session: &str,
        answer: FormAnswer,
    ) -> HubResult<()> {
        let Pending::Form(names) = self.take_push(who, session, answer.push, true).await? else {
            unreachable!("take_push checked the kind")
        };
        // The trail names only fields the push named.
        let known = |n: &String| names.contains(n);
        let body = EventBody::FormAnswer {
            push: answer.push,
            outcome: answer.outcome,
            applied: answer.applied.into_iter().filter(known).collect(),
            rejected: answer.rejected.into_iter().filter(known).collect(),
            errors: answer
                .errors
                .into_iter()
                .filter(|e| names.contains(&e.name))
                .collect(),
        };
        self.append(session, Role::Visitor, None, body).await?;
        Ok(())
    }

    /// Agent: propose another page of the visitor's site.
    pub(super) async fn page_push(
        &self,
        who: &Principal,
        session: &str,
        url: String,
        label: Option<String>,
    ) -> HubResult<()> {
        if who.role() != Role::Agent {
            return Err(HubError::forbidden("only the agent does this"));
        }
        let record = self.access(who, session).await?;
        if record.state != SessionState::Active {
            return Err(HubError::new(
                ErrorCode::InvalidFrame,
                "a page push needs an active session",
            ));
        }
        let current = self
            .inner
            .store
            .page_views(&record.visitor_id, 1)
            .await?
            .into_iter()
            .next()
            .map(|(page, _)| page.url);
        let here = current.as_deref().and_then(http_origin);
        if here.is_none() || here != http_origin(&url) {
            return Err(HubError::new(
                ErrorCode::CrossOrigin,
                format!(
                    "the page must be on the visitor's site ({})",
                    here.as_deref().unwrap_or("unknown")
                ),
            ));
        }
        let push = {
            let mut st = self.state();
            let live = st
                .sessions
                .get_mut(session)
                .ok_or_else(HubError::session_ended)?;
            live.pushes.add(Pending::Page)
        };
        let by = agent_name(who);
        let body = EventBody::PagePush {
            push,
            url: url.clone(),
            label: label.clone(),
        };
        self.append(session, Role::Agent, by.clone(), body).await?;
        let frame = ServerFrame::PagePush {
            session: session.to_string(),
            push,
            url,
            label,
            by,
        };
        self.to_visitor(session, frame);
        Ok(())
    }

    /// Visitor: yes or no to a page push (on yes the widget navigates).
    pub(super) async fn page_answer(
        &self,
        who: &Principal,
        session: &str,
        push: u32,
        accepted: bool,
    ) -> HubResult<()> {
        self.take_push(who, session, push, false).await?;
        self.append(
            session,
            Role::Visitor,
            None,
            EventBody::PageAnswer { push, accepted },
        )
        .await?;
        Ok(())
    }

    /// The visitor's push `push` of the expected kind, now answered.
    async fn take_push(
        &self,
        who: &Principal,
        session: &str,
        push: u32,
        form: bool,
    ) -> HubResult<Pending> {
        if who.role() != Role::Visitor {
            return Err(HubError::forbidden("only the visitor answers a push"));
        }
        self.access(who, session).await?;
        let mut st = self.state();
        let live = st
            .sessions
            .get_mut(session)
            .ok_or_else(HubError::session_ended)?;
        let unknown = || {
            HubError::new(
                ErrorCode::UnknownPush,
                format!("push {push} is unknown or was already answered"),
            )
        };
        match live.pushes.take(push) {
            Some(p @ Pending::Form(_)) if form => Ok(p),
            Some(Pending::Page) if !form => Ok(Pending::Page),
            Some(other) => {
                // Answered with the wrong kind: keep it for the right answer.
                live.pushes.waiting.insert(push, other);
                Err(unknown())
            }
            None => Err(unknown()),
        }
    }

    fn to_visitor(&self, session: &str, frame: ServerFrame) {
        let st = self.state();
        let wire = Wire::new(&ServerEnvelope::new(frame));
        for c in Self::visitor_conns(&st, session) {
            c.send(&wire);
        }
    }
}

fn agent_name(who: &Principal) -> Option<String> {
    match who {
        Principal::Agent(agent) => Some(agent.name.clone()),
        Principal::Visitor { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_are_numbered_answered_once_and_bounded() {
        let mut p = Pushes::default();
        let first = p.add(Pending::Page);
        let second = p.add(Pending::Form(vec!["email".into()]));
        assert_eq!((first, second), (1, 2));
        assert!(p.take(first).is_some());
        assert!(p.take(first).is_none(), "answered once");
        for _ in 0..MAX_PENDING_PUSHES {
            p.add(Pending::Page);
        }
        assert!(p.take(second).is_none(), "the oldest was forgotten");
        assert_eq!(p.waiting.len(), MAX_PENDING_PUSHES);
    }
}
