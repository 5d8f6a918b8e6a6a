//! A full line. When a site already has `max_waiting` requests waiting live,
//! a new request does not go to the back of a line nobody will reach soon:
//! it waits outside the line, and its visitor is told at once
//! (`queue.position` with position 0 and `unavailable: queue_full`), so the
//! widget offers to leave a message or be called back, as it does when
//! nobody can answer soon. Left alone, the request joins the line, oldest
//! first, as soon as there is room.
//!
//! Outside the line is bounded too: requests waiting outside plus call backs
//! waiting may number at most `max_waiting` per site. Beyond that a new
//! request is refused with `queue_full` and nothing is created, and a
//! request in line cannot become a call back (the same code).

use std::collections::{HashMap, VecDeque};

use protocol::{ErrorCode, Millis};

use super::{HubError, Place, State, skill_for};
use crate::clock::now_ms;
use crate::store::SessionRecord;

/// One request waiting outside its site's line.
struct Outside {
    session: String,
    /// For the distributor when it joins the line.
    last_agent: Option<String>,
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

    pub(super) fn holds(&self, session: &str) -> bool {
        self.site_of.contains_key(session)
    }

    pub(super) fn len(&self) -> usize {
        self.site_of.len()
    }

    fn is_empty(&self) -> bool {
        self.site_of.is_empty()
    }

    /// The sessions waiting outside, in no order.
    pub(super) fn sessions(&self) -> impl Iterator<Item = &str> {
        self.site_of.keys().map(String::as_str)
    }

    fn of_site(&self, site: &str) -> usize {
        self.by_site.get(site).map_or(0, VecDeque::len)
    }

    fn hold(&mut self, site: &str, session: &str, last_agent: Option<String>) {
        self.site_of.insert(session.to_string(), site.to_string());
        self.by_site
            .entry(site.to_string())
            .or_default()
            .push_back(Outside {
                session: session.to_string(),
                last_agent,
            });
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

fn queue_full() -> HubError {
    HubError::new(
        ErrorCode::QueueFull,
        "too many people are waiting for this site right now; please try again later",
    )
}

impl State {
    /// Requests of `site` waiting live in line.
    fn line_len(&self, site: &str) -> usize {
        self.live_waiting()
            .filter(|s| self.sessions.get(*s).is_some_and(|l| l.record.site == site))
            .count()
    }

    /// Requests of `site` waiting outside its line, call backs included.
    fn outside_len(&self, site: &str) -> usize {
        let callbacks = self
            .acd
            .waiting()
            .filter_map(|s| self.sessions.get(s))
            .filter(|l| l.record.site == site && l.record.callback.is_some())
            .count();
        callbacks + self.overflow.of_site(site)
    }

    /// Refuses a new request when `site`'s line and the room outside it are
    /// both full. Checked before anything is stored; requests arriving
    /// together may pass it together, so the bound can be passed by the few
    /// requests in flight at once (the per-site rate limit bounds those).
    pub(super) fn check_room(&self, site: &str) -> Result<(), HubError> {
        let max = self.overflow.max_waiting;
        if self.line_len(site) >= max && self.outside_len(site) >= max {
            return Err(queue_full());
        }
        Ok(())
    }

    /// A waiting request in line asks to become a call back: refused when
    /// the room outside the line is full (it keeps its place in line).
    pub(super) fn check_callback_room(&self, session: &str) -> Result<(), HubError> {
        let Some(live) = self.sessions.get(session) else {
            return Ok(());
        };
        let in_line = live.record.callback.is_none() && !self.overflow.holds(session);
        if in_line && self.outside_len(&live.record.site) >= self.overflow.max_waiting {
            return Err(queue_full());
        }
        Ok(())
    }

    /// Puts a new request in its site's line, or outside it when the line
    /// is full (then tells the visitor).
    pub(super) fn enqueue(&mut self, session: &str, last_agent: Option<String>, now: Millis) {
        let Some(record) = self.sessions.get(session).map(|l| l.record.clone()) else {
            return;
        };
        if self.line_len(&record.site) >= self.overflow.max_waiting {
            self.overflow.hold(&record.site, session, last_agent);
            let frame = super::Hub::position_frame(session, self.overflow_place());
            for c in self.visitors.get(&record.visitor_id).into_iter().flatten() {
                c.send(&frame);
            }
            return;
        }
        self.distribute(session, last_agent, now);
    }

    /// Hands a waiting session to the distributor, with the skill its topic
    /// calls for, and carries out the offers that follow.
    fn distribute(&mut self, session: &str, last_agent: Option<String>, now: Millis) {
        let Some(live) = self.sessions.get(session) else {
            return;
        };
        let skill = skill_for(live.record.topic.as_deref());
        let at = live.record.requested_at;
        let actions = self.acd.request(session, skill, last_agent, at, now);
        self.carry_out(actions);
    }

    /// Restores a waiting request after a restart (no one is connected
    /// yet): a call back to the distributor at its due time, a request to
    /// its site's line, or outside it again when the line is full.
    /// `in_line` counts what each site's line got so far.
    pub(super) fn restore_waiting(
        &mut self,
        record: &SessionRecord,
        in_line: &mut HashMap<String, usize>,
    ) {
        let (id, at, now) = (&record.id, record.requested_at, now_ms());
        if record.callback.is_none() {
            let line = in_line.entry(record.site.clone()).or_insert(0);
            if *line >= self.overflow.max_waiting {
                self.overflow.hold(&record.site, id, None);
                return;
            }
            *line += 1;
        }
        let skill = skill_for(record.topic.as_deref());
        self.acd.request(id, skill, None, at, now);
        if let Some(callback) = &record.callback {
            self.acd.schedule(id, callback.due_at(at), now);
        }
    }

    /// A request outside the line becomes a call back: it enters the
    /// distributor, which schedules it (see `callback_request`).
    pub(super) fn overflow_to_distributor(&mut self, session: &str, now: Millis) {
        if self.overflow.remove(session) {
            self.distribute(session, None, now);
        }
    }

    /// What a visitor outside the line is told: no place yet, and why.
    pub(super) fn overflow_place(&self) -> Place {
        (
            0,
            self.agents_online(),
            None,
            Some(protocol::Unavailable::QueueFull),
        )
    }

    /// Moves requests from outside into lines that have room again, oldest
    /// first; part of every queue round.
    pub(super) fn admit_overflow(&mut self) {
        if self.overflow.is_empty() {
            return;
        }
        let max = self.overflow.max_waiting;
        let sites: Vec<String> = self.overflow.by_site.keys().cloned().collect();
        let now = now_ms();
        for site in sites {
            let mut room = max.saturating_sub(self.line_len(&site));
            while room > 0 {
                let Some(next) = self
                    .overflow
                    .by_site
                    .get_mut(&site)
                    .and_then(VecDeque::pop_front)
                else {
                    break;
                };
                self.overflow.site_of.remove(&next.session);
                room -= 1;
                self.distribute(&next.session, next.last_agent, now);
                self.queue_dirty = true;
                self.positions_dirty = true;
            }
            if self
                .overflow
                .by_site
                .get(&site)
                .is_some_and(VecDeque::is_empty)
            {
                self.overflow.by_site.remove(&site);
            }
        }
    }
}
