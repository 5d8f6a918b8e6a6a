//! Form push and page push in the hub: the agent proposes, the visitor
//! answers, and each step is written to the session's audit trail with
//! field names only (values never reach the log).
//!
//! The server numbers each push and remembers it until answered
//! (form_pushes.rs), so a visitor can only answer pushes that were made, once each, and the audit
//! entry names only fields the push named. Listing fields and pushing
//! values need screen sharing: fields are addressed by the capture's node
//! ids, and a listing exposes page content.

use protocol::form::http_origin;
use protocol::{
    ErrorCode, EventBody, FieldPush, FormAnswer, FormField, Role, ServerEnvelope, ServerFrame,
};

use super::error::{HubError, HubResult};
use super::form_pushes::Pending;
use super::outbound::Wire;
use super::principal::{Principal, agent_name, require_role};
use super::state::{Hub, require_active};

/// Why a page push was refused: the visitor has no agent with them.
const NEEDS_ACTIVE: &str = "a page push needs an active session";

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
            let live = st.live_session(session)?;
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
    pub(super) async fn form_answer(&self, who: &Principal, answer: FormAnswer) -> HubResult<()> {
        let session = answer.session.as_str();
        let names = self
            .take_push(who, session, answer.push, Pending::into_form)
            .await?;
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
        require_role(who, Role::Agent)?;
        let record = self.access(who, session).await?;
        require_active(record.state, NEEDS_ACTIVE)?;
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
            let live = st.active_session(session, NEEDS_ACTIVE)?;
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
        self.take_push(who, session, push, Pending::into_page)
            .await?;
        self.append(
            session,
            Role::Visitor,
            None,
            EventBody::PageAnswer { push, accepted },
        )
        .await?;
        Ok(())
    }

    /// The visitor's push `push`, now answered, if `kind` accepts it
    /// (`Pending::into_form` or `Pending::into_page`).
    async fn take_push<T>(
        &self,
        who: &Principal,
        session: &str,
        push: u32,
        kind: impl FnOnce(Pending) -> Result<T, Pending>,
    ) -> HubResult<T> {
        if who.role() != Role::Visitor {
            return Err(HubError::forbidden("only the visitor answers a push"));
        }
        self.access(who, session).await?;
        let mut st = self.state();
        st.live_session(session)?
            .pushes
            .take(push, kind)
            .ok_or_else(|| {
                HubError::new(
                    ErrorCode::UnknownPush,
                    format!("push {push} is unknown or was already answered"),
                )
            })
    }
}
