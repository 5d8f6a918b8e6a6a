//! Admission of visitors: how many new visitors and help requests one client
//! address and one site may bring. Origin is trivially forged outside
//! browsers, so a script could otherwise open hundreds of visitors and
//! requests a second and make real visitors wait behind them.
//!
//! Each limit is a token bucket per key (an address, or a site): it holds up
//! to `per_minute` tokens, refills at `per_minute` a minute, and each new
//! visitor or request takes one. The tables of buckets are bounded: a bucket
//! that has refilled is the same as no bucket and is swept out when the
//! table is full; if it is still full, newcomers are refused (a flood from
//! more addresses than the table holds is refused, not remembered).
//!
//! A pure state machine: time comes in as an argument, so the rules are
//! tested without sleeping. The lock is a plain `std::sync::Mutex`, never
//! held across an `.await`.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Distinct keys one table remembers (about 50 bytes each).
pub const MAX_KEYS: usize = 100_000;

/// The limits on visitors, with their defaults (see docs/security.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitorLimits {
    /// New visitors (`hello` without a token) per client address a minute.
    pub new_visitors_per_ip: u32,
    /// New visitors per site a minute.
    pub new_visitors_per_site: u32,
    /// `help.request`s per client address a minute.
    pub requests_per_ip: u32,
    /// `help.request`s per site a minute.
    pub requests_per_site: u32,
    /// Requests of one site waiting live in line; more wait outside it.
    pub max_waiting_per_site: u32,
}

impl Default for VisitorLimits {
    fn default() -> Self {
        VisitorLimits {
            // Enough for an office or a school behind one address; a
            // script's burst is cut to this, then one every two seconds.
            new_visitors_per_ip: 30,
            // Every first page view of a new browser is one: high, so a busy
            // site is not turned away; it caps a flood spread over addresses.
            new_visitors_per_site: 3000,
            requests_per_ip: 10,
            requests_per_site: 300,
            max_waiting_per_site: 500,
        }
    }
}

/// Why a newcomer was refused, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Which limit: "address" or "site".
    pub by: &'static str,
    pub retry_after: Duration,
}

/// What a newcomer is: a new visitor or a help request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    NewVisitor,
    HelpRequest,
}

/// The four tables of buckets.
pub struct Admission {
    new_per_ip: Buckets<IpAddr>,
    new_per_site: Buckets<String>,
    requests_per_ip: Buckets<IpAddr>,
    requests_per_site: Buckets<String>,
}

impl Admission {
    pub fn new(limits: &VisitorLimits) -> Admission {
        Admission {
            new_per_ip: Buckets::new(limits.new_visitors_per_ip, MAX_KEYS),
            new_per_site: Buckets::new(limits.new_visitors_per_site, MAX_KEYS),
            requests_per_ip: Buckets::new(limits.requests_per_ip, MAX_KEYS),
            requests_per_site: Buckets::new(limits.requests_per_site, MAX_KEYS),
        }
    }

    /// Takes a token for a newcomer from `ip` on `site`, or says why not.
    /// The address is asked first, so one address's flood spends only its
    /// own share of the site's tokens.
    pub fn admit(&self, kind: Kind, ip: IpAddr, site: &str, now: Instant) -> Result<(), Refused> {
        let (per_ip, per_site) = match kind {
            Kind::NewVisitor => (&self.new_per_ip, &self.new_per_site),
            Kind::HelpRequest => (&self.requests_per_ip, &self.requests_per_site),
        };
        per_ip
            .take(&client_key(ip), now)
            .map_err(|retry_after| Refused {
                by: "address",
                retry_after,
            })?;
        per_site
            .take_with(site, now, || site.to_string())
            .map_err(|retry_after| Refused {
                by: "site",
                retry_after,
            })
    }
}

/// The key of a client address: an IPv6 host usually holds a whole /64, so
/// it counts as one; an IPv4-mapped address counts as the IPv4 one.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Token buckets by key, at most `max_keys` of them.
struct Buckets<K> {
    /// Tokens a full bucket holds, and how many come back a minute.
    per_minute: f64,
    max_keys: usize,
    table: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    fn new(per_minute: u32, max_keys: usize) -> Buckets<K> {
        Buckets {
            per_minute: f64::from(per_minute),
            max_keys,
            table: Mutex::new(HashMap::new()),
        }
    }

    fn take(&self, key: &K, now: Instant) -> Result<(), Duration> {
        self.take_with(key, now, || key.clone())
    }

    /// Takes one token from `key`'s bucket; `Err` says how long until one is
    /// back. `owned` makes the key only when a bucket is created.
    fn take_with<Q>(&self, key: &Q, now: Instant, owned: impl FnOnce() -> K) -> Result<(), Duration>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let per_sec = self.per_minute / 60.0;
        // No `.await` while held.
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if !table.contains_key(key) {
            if table.len() >= self.max_keys {
                let full = self.per_minute;
                table.retain(|_, b| b.refilled(now, per_sec) < full);
            }
            if table.len() >= self.max_keys {
                return Err(Duration::from_secs(60));
            }
            table.insert(
                owned(),
                Bucket {
                    tokens: self.per_minute,
                    at: now,
                },
            );
        }
        let bucket = table.get_mut(key).expect("inserted above");
        bucket.tokens = bucket.refilled(now, per_sec).min(self.per_minute);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else if per_sec > 0.0 {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_sec)
                .max(Duration::from_secs(1)))
        } else {
            Err(Duration::from_secs(60))
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.lock().unwrap().len()
    }
}

impl Bucket {
    fn refilled(&self, now: Instant, per_sec: f64) -> f64 {
        self.tokens + now.saturating_duration_since(self.at).as_secs_f64() * per_sec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_burst_is_cut_to_the_bucket_then_refills_over_the_minute() {
        let b = Buckets::<IpAddr>::new(30, 10);
        let t0 = Instant::now();
        let allowed = (0..200)
            .filter(|_| b.take(&ip("192.0.2.1"), t0).is_ok())
            .count();
        assert_eq!(allowed, 30);
        let wait = b.take(&ip("192.0.2.1"), t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(2), "one token every two seconds");
        assert!(
            b.take(&ip("192.0.2.1"), t0 + Duration::from_secs(2))
                .is_ok()
        );
        assert!(
            b.take(&ip("192.0.2.2"), t0).is_ok(),
            "others have their own"
        );
    }

    #[test]
    fn the_table_is_bounded_and_forgets_refilled_buckets_first() {
        let b = Buckets::<IpAddr>::new(60, 3);
        let t0 = Instant::now();
        for i in 1..=3 {
            b.take(&ip(&format!("192.0.2.{i}")), t0).unwrap();
        }
        assert!(
            b.take(&ip("192.0.2.9"), t0).is_err(),
            "full of live buckets"
        );
        assert_eq!(b.len(), 3);
        // A second later each has its token back: all are swept out.
        let t1 = t0 + Duration::from_secs(1);
        assert!(b.take(&ip("192.0.2.9"), t1).is_ok());
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn an_ipv6_host_counts_once_for_its_64_and_mapped_v4_as_v4() {
        assert_eq!(
            client_key(ip("2001:db8:1:2:aaaa::1")),
            client_key(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            client_key(ip("2001:db8:1:2::1")),
            client_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(client_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn the_address_is_asked_before_the_site() {
        let limits = VisitorLimits {
            new_visitors_per_ip: 2,
            new_visitors_per_site: 3,
            ..VisitorLimits::default()
        };
        let a = Admission::new(&limits);
        let now = Instant::now();
        let flood = ip("192.0.2.1");
        let results: Vec<_> = (0..10)
            .map(|_| a.admit(Kind::NewVisitor, flood, "demo", now))
            .collect();
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
        assert_eq!(results[2].unwrap_err().by, "address");
        // The flood took two of the site's three tokens, not all of them.
        assert!(
            a.admit(Kind::NewVisitor, ip("198.51.100.7"), "demo", now)
                .is_ok()
        );
        let refused = a
            .admit(Kind::NewVisitor, ip("198.51.100.8"), "demo", now)
            .unwrap_err();
        assert_eq!(refused.by, "site");
        assert!(
            a.admit(Kind::HelpRequest, flood, "demo", now).is_ok(),
            "a separate limit"
        );
    }
}
