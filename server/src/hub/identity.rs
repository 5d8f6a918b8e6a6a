//! `identify`: who a visitor is, as their site vouches for it. The checks
//! themselves live in auth/identity.rs; here the result is stored and the
//! session's header follows the name.

use protocol::{ErrorCode, SessionState, VisitorIdentity};

use super::error::{HubError, HubResult};
use super::state::Hub;
use crate::auth::identity::{self, Acceptance, Proof, Unverified};
use crate::auth::identity_token::TokenError;
use crate::clock::now_ms;
use crate::metrics::counters::IdentifyOutcome;

impl Hub {
    pub(super) async fn identify(
        &self,
        visitor: &str,
        site: &str,
        mut identity: VisitorIdentity,
        proof: Proof<'_>,
    ) -> HubResult<()> {
        let store = self.inner.store.as_ref();
        let mut refused = None;
        if proof.token.is_some() || proof.hash.is_some() {
            let secret = identity::site_secret(store, site).await?;
            let legacy_hash = store
                .site(site)
                .await?
                .is_some_and(|s| s.legacy_identity_hash);
            let acceptance = Acceptance {
                secret: &secret,
                legacy_hash,
            };
            let mut outcome = identity::check(&mut identity, proof, acceptance, now_ms() / 1000);
            if let (Err(Unverified::Token(TokenError::Expired)), Some(token)) =
                (&outcome, proof.token)
            {
                // A page open since before its token expired, reconnecting.
                if let Some(stored) = store.visitor(visitor).await? {
                    outcome = identity::renew(&mut identity, token, &secret, &stored.identity);
                }
            }
            if let Err(why) = outcome {
                // The reason is one of ours, never the page's input.
                tracing::warn!(visitor, site, reason = ?why, "identify: left unverified");
                refused = Some(why);
            }
        } else {
            identity.verified = false;
        }
        store.set_visitor_identity(visitor, &identity).await?;
        {
            let st = &mut *self.state();
            if let Some(session) = st.visitor_open.get(visitor).cloned()
                && let Some(live) = st.sessions.get_mut(&session)
            {
                live.record.visitor_name = identity.name.clone();
                live.screen_pop = st
                    .sites
                    .get(&live.record.site)
                    .and_then(|p| p.screen_pop(&identity, visitor, &session));
                let record = live.record.clone();
                Self::announce(st, &record);
                if record.state == SessionState::Queued {
                    st.queue_changed(now_ms());
                }
            }
        }
        let outcome = match (&refused, identity.verified) {
            (Some(_), _) => IdentifyOutcome::Refused,
            (None, true) => IdentifyOutcome::Verified,
            (None, false) => IdentifyOutcome::Unverified,
        };
        self.inner.counters.identified(outcome);
        match refused {
            Some(why) => Err(HubError::new(
                ErrorCode::IdentityNotVerified,
                why.to_string(),
            )),
            None => Ok(()),
        }
    }
}
