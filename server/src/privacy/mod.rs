//! Visitors' personal data (docs/privacy.md): finding the person an
//! operator asks about, exporting what is held about them, and each site's
//! retention. What erasure removes is decided in `store::personal`; the
//! operator's `tandem visitor export|erase` is cli/visitor.rs.

pub mod export;
pub mod retention;

use std::collections::{BTreeSet, HashSet};

use crate::store::{self, Store, Visitor};

/// Who a visitor id, email or site user id designates.
#[derive(Debug)]
pub enum Lookup {
    Nobody,
    /// One person: every visitor (device) found, plus those of the same
    /// site verified as the same user.
    Person(Vec<Visitor>),
    /// The key fits visitors of several sites, or visitors who gave
    /// different user ids: listed for the operator to pick one by a
    /// narrower key (`--site`, the user id, a visitor id), never guessed.
    Ambiguous(Vec<Visitor>),
}

/// Looks `key` up as a visitor id, an email (any case) or a site's user id.
pub async fn find_person(
    store: &dyn Store,
    key: &str,
    site: Option<&str>,
) -> store::Result<Lookup> {
    let found = store.find_visitors(key, site).await?;
    if found.is_empty() {
        return Ok(Lookup::Nobody);
    }
    let sites: BTreeSet<&str> = found.iter().map(|v| v.site.as_str()).collect();
    let users: BTreeSet<&str> = found
        .iter()
        .filter_map(|v| v.identity.id.as_deref())
        .collect();
    if sites.len() > 1 || users.len() > 1 {
        return Ok(Lookup::Ambiguous(found));
    }
    let mut seen = HashSet::new();
    let mut person = Vec::new();
    for v in &found {
        for linked in store.linked_visitors(&v.id).await? {
            if seen.insert(linked.id.clone()) {
                person.push(linked);
            }
        }
    }
    Ok(Lookup::Person(person))
}

/// One line per visitor, for listings on the terminal.
pub fn describe(v: &Visitor) -> String {
    let id = &v.identity;
    let mut parts = vec![v.id.clone(), format!("site {}", v.site)];
    if let Some(name) = &id.name {
        parts.push(format!("name {name:?}"));
    }
    if let Some(email) = &id.email {
        parts.push(format!("email {email}"));
    }
    if let Some(user) = &id.id {
        let how = if id.verified {
            "verified"
        } else {
            "not verified"
        };
        parts.push(format!("user id {user:?} ({how})"));
    }
    parts.push(format!("last seen {}", time(v.last_seen_at)));
    parts.join(", ")
}

/// A stored time (ms since the epoch) as RFC 3339 UTC.
pub fn time(ms: protocol::Millis) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| ms.to_string())
}
