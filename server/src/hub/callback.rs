//! When nobody can answer soon: telling a waiting visitor why (no agent for
//! their topic online, outside opening hours, a wait over the site's limit),
//! and turning their request into a message or a call back that stays in the
//! queue until it is due, then is offered to agents like any request.

use protocol::{Callback, ErrorCode, EventBody, Millis, Role, SessionState, Unavailable};

use super::error::{HubError, HubResult};
use super::principal::Principal;
use super::queue::skill_for;
use super::site_policy::SitePolicy;
use super::state::{Hub, State};
use crate::clock::now_ms;

impl State {
    /// Why the waiting `session` cannot expect an answer soon, if so.
    pub(super) fn unavailable(
        &self,
        session: &str,
        eta_secs: Option<u32>,
        now: Millis,
    ) -> Option<Unavailable> {
        let record = &self.sessions.get(session)?.record;
        let policy = self.sites.get(&record.site);
        if let Some(hours) = policy.and_then(|p| p.hours.as_ref())
            && !hours.is_open(now)
        {
            return Some(Unavailable::Closed);
        }
        if !self
            .acd
            .can_serve(skill_for(record.topic.as_deref()).as_deref())
        {
            return Some(Unavailable::NoAgents);
        }
        let limit = policy.and_then(|p| p.max_wait_secs)?;
        (eta_secs? > limit).then_some(Unavailable::LongWait)
    }
}

impl Hub {
    /// Reads the site's routing settings into the hub's cache.
    pub(super) async fn refresh_site(&self, site: &str) -> HubResult<()> {
        let policy = SitePolicy::of_stored(self.inner.store.site(site).await?);
        self.state().sites.insert(site.to_string(), policy);
        Ok(())
    }

    /// The visitor of a waiting session leaves a message or asks to be
    /// called back. Asking again replaces the earlier choice.
    pub(super) async fn callback_request(
        &self,
        who: &Principal,
        session: &str,
        callback: Callback,
    ) -> HubResult<()> {
        let Principal::Visitor { .. } = who else {
            return Err(HubError::forbidden(
                "only the visitor asks to be called back",
            ));
        };
        let record = self.access(who, session).await?;
        if record.state != SessionState::Queued {
            return Err(HubError::new(
                ErrorCode::InvalidFrame,
                "only a waiting request can become a message or a call back",
            ));
        }
        let now = now_ms();
        callback
            .validate(now)
            .map_err(|e| HubError::new(ErrorCode::InvalidFrame, e))?;
        let record = {
            let st = &mut *self.state();
            st.check_callback_room(session)?;
            let live = st
                .sessions
                .get_mut(session)
                .filter(|l| l.record.state == SessionState::Queued)
                .ok_or_else(|| {
                    HubError::new(ErrorCode::AlreadyTaken, "an agent has just taken it")
                })?;
            live.record.callback = Some(callback.clone());
            live.record.clone()
        };
        self.inner.store.update_session(&record).await?;
        self.append(
            session,
            Role::Visitor,
            record.visitor_name.clone(),
            EventBody::Callback {
                callback: callback.clone(),
            },
        )
        .await?;
        let st = &mut *self.state();
        // One waiting outside a full line enters the distributor as a call back.
        st.overflow_to_distributor(session, now);
        let actions = st.acd.schedule(session, callback.due_at(now), now);
        st.carry_out(actions, now);
        Self::announce(st, &record);
        st.queue_changed(now);
        Ok(())
    }
}
