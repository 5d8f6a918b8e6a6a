//! The requests waiting outside full lines. When a site already has
//! `max_waiting` requests waiting live, a new request does not go to the
//! back of a line nobody will reach soon: it waits outside the line, and its
//! visitor is told at once (`queue.position` with position 0 and
//! `unavailable: queue_full`), so the widget offers to leave a message or be
//! called back, as it does when nobody can answer soon. Left alone, the
//! request joins the line, oldest first, as soon as there is room.
//!
//! Outside the line is bounded too: requests waiting outside plus call backs
//! waiting may number at most `max_waiting` per site. Beyond that a new
//! request is refused with `queue_full` and nothing is created, and a
//! request in line cannot become a call back (the same code).
//!
//! This file holds the bookkeeping; the rules that use it (when a request
//! waits outside, when it joins the line) are the queue's, in queue.rs.

use std::collections::{HashMap, VecDeque};

/// One request waiting outside its site's line.
pub(super) struct Outside {
    pub(super) session: String,
    /// For the distributor when it joins the line.
    pub(super) last_agent: Option<String>,
}

/// The requests waiting outside full lines, by site, oldest first.
pub(super) struct Overflow {
    max_waiting: usize,
    by_site: HashMap<String, VecDeque<Outside>>,
    /// Session → site, for lookups by session.
    site_of: HashMap<String, String>,
}

impl Overflow {
    pub(super) fn new(max_waiting: u32) -> Overflow {
        Overflow {
            max_waiting: max_waiting.max(1) as usize,
            by_site: HashMap::new(),
            site_of: HashMap::new(),
        }
    }

    /// How many requests a site's line holds, and how many may wait outside it.
    pub(super) fn max_waiting(&self) -> usize {
        self.max_waiting
    }

    pub(super) fn holds(&self, session: &str) -> bool {
        self.site_of.contains_key(session)
    }

    pub(super) fn len(&self) -> usize {
        self.site_of.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.site_of.is_empty()
    }

    /// The sessions waiting outside, in no order.
    pub(super) fn sessions(&self) -> impl Iterator<Item = &str> {
        self.site_of.keys().map(String::as_str)
    }

    /// The sites with requests waiting outside.
    pub(super) fn sites(&self) -> Vec<String> {
        self.by_site.keys().cloned().collect()
    }

    pub(super) fn of_site(&self, site: &str) -> usize {
        self.by_site.get(site).map_or(0, VecDeque::len)
    }

    pub(super) fn hold(&mut self, site: &str, session: &str, last_agent: Option<String>) {
        self.site_of.insert(session.to_string(), site.to_string());
        self.by_site
            .entry(site.to_string())
            .or_default()
            .push_back(Outside {
                session: session.to_string(),
                last_agent,
            });
    }

    /// Takes the oldest request waiting outside `site`'s line.
    pub(super) fn pop_oldest(&mut self, site: &str) -> Option<Outside> {
        let q = self.by_site.get_mut(site)?;
        let next = q.pop_front();
        if q.is_empty() {
            self.by_site.remove(site);
        }
        let next = next?;
        self.site_of.remove(&next.session);
        Some(next)
    }

    /// Takes `session` out (it joins the line, becomes a call back, or
    /// ends); false if it was not outside.
    pub(super) fn remove(&mut self, session: &str) -> bool {
        let Some(site) = self.site_of.remove(session) else {
            return false;
        };
        if let Some(q) = self.by_site.get_mut(&site) {
            q.retain(|o| o.session != session);
            if q.is_empty() {
                self.by_site.remove(&site);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_leave_oldest_first_and_by_session() {
        let mut o = Overflow::new(0);
        assert_eq!(o.max_waiting(), 1, "at least one may wait");
        o.hold("site", "s1", None);
        o.hold("site", "s2", Some("a".into()));
        o.hold("other", "s3", None);
        assert_eq!((o.len(), o.of_site("site")), (3, 2));
        assert!(o.remove("s3") && !o.remove("s3"));
        assert_eq!(o.sites(), ["site"]);
        assert_eq!(o.pop_oldest("site").map(|x| x.session), Some("s1".into()));
        let next = o.pop_oldest("site").unwrap();
        assert_eq!(
            (next.session.as_str(), next.last_agent),
            ("s2", Some("a".into()))
        );
        assert!(o.pop_oldest("site").is_none());
        assert!(o.is_empty() && o.sites().is_empty());
    }
}
