//! What routing needs to know of a site: its opening hours and its wait
//! limit (and the console its screen pop), cached by the hub (`State::sites`) and refreshed with every new
//! request (sites are edited from the command line). callback.rs reads it
//! to tell a waiting visitor why nobody can answer soon.

use crate::routing::OpeningHours;
use crate::store::Site;

#[derive(Debug, Clone, Default)]
pub(super) struct SitePolicy {
    pub(super) hours: Option<OpeningHours>,
    pub(super) max_wait_secs: Option<u32>,
    /// The CRM page template of its screen pop (crate::screen_pop).
    pub(super) screen_pop: Option<String>,
}

impl SitePolicy {
    /// The policy of a stored site; defaults when there is none.
    pub(super) fn of_stored(site: Option<Site>) -> SitePolicy {
        site.map(|s| SitePolicy::of(&s)).unwrap_or_default()
    }

    fn of(site: &Site) -> SitePolicy {
        let hours = site.hours.as_deref().and_then(|spec| {
            let tz = site.timezone.as_deref().unwrap_or("UTC");
            // The command line checks hours before storing them; a bad value
            // can only come from editing the database by hand.
            OpeningHours::parse(spec, tz)
                .inspect_err(|e| tracing::warn!(site = site.id, "ignoring opening hours: {e}"))
                .ok()
        });
        SitePolicy {
            hours,
            max_wait_secs: site.max_wait_secs,
            screen_pop: site.screen_pop.clone(),
        }
    }

    /// The screen pop for this customer, if the site has one and they are identified.
    pub(super) fn screen_pop(
        &self,
        identity: &protocol::VisitorIdentity,
        visitor: &str,
        session: &str,
    ) -> Option<String> {
        let template = self.screen_pop.as_deref()?;
        crate::screen_pop::fill(template, identity, visitor, session)
    }
}
