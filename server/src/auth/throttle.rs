//! Login throttling: per account and per client address, growing delays.
//!
//! Every login attempt counts against the email it names (whether or not an
//! agent has it, so the answer never tells) and against the client's address.
//! After `free` attempts the key is locked for `base_delay`, then twice that
//! after the next attempt, and so on up to `max_delay`; while locked, attempts
//! are answered 429 with Retry-After without touching the password, so a
//! guesser gets a handful of tries a minute instead of thousands. Attempts are
//! counted when they start, not when they fail, so a burst of concurrent
//! guesses is counted too. A successful login clears its account and gives
//! its address the attempt back (an office behind one address logs in every
//! morning); an address forgets its failures `forget_after` after the last.
//!
//! Memory is bounded: each table holds at most `max_entries` keys. A full
//! table first drops forgotten keys; if an attacker rotating emails or
//! addresses still fills it, the older half goes (locks included: the
//! attacker paid one attempt per key for that). IPv6 clients are counted by
//! their /64, which one customer line usually gets whole.
//!
//! The state is a plain `std::sync::Mutex`: no `.await` happens while it is held.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;

use protocol::Millis;

/// How one kind of key (account or address) is throttled.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Attempts allowed before any delay.
    pub free: u32,
    /// The longest lock the doubling reaches.
    pub max_delay_ms: Millis,
}

#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    pub account: Rule,
    pub address: Rule,
    /// The first lock; each further attempt doubles it.
    pub base_delay_ms: Millis,
    /// A key with no attempt for this long starts afresh.
    pub forget_after_ms: Millis,
    /// Keys each table holds at most.
    pub max_entries: usize,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        ThrottleLimits {
            account: Rule {
                free: 5,
                max_delay_ms: 60_000,
            },
            address: Rule {
                free: 20,
                max_delay_ms: 5 * 60_000,
            },
            base_delay_ms: 1_000,
            forget_after_ms: 15 * 60_000,
            max_entries: 10_000,
        }
    }
}

/// How an attempt that was let through ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Right password: the account starts afresh, the address gets its attempt back.
    Success,
    /// Wrong password or unknown account: the attempt stays counted.
    Failure,
    /// The password was never checked (the server was busy): nothing was tried.
    NotTried,
}

pub struct LoginThrottle {
    limits: ThrottleLimits,
    tables: Mutex<Tables>,
}

struct Tables {
    accounts: Table<String>,
    addresses: Table<IpAddr>,
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> LoginThrottle {
        LoginThrottle {
            limits,
            tables: Mutex::new(Tables {
                accounts: Table::default(),
                addresses: Table::default(),
            }),
        }
    }

    /// Counts an attempt for `email` (lower-cased by the caller) from `ip`;
    /// `Err(ms)` if either is locked, with how long until both are free.
    pub fn begin(&self, email: &str, ip: IpAddr, now: Millis) -> Result<(), Millis> {
        let l = &self.limits;
        let ip = address_key(ip);
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        let wait = t
            .accounts
            .locked_for(email, now, l)
            .max(t.addresses.locked_for(&ip, now, l));
        if wait > 0 {
            return Err(wait);
        }
        t.accounts.count(email.to_string(), l.account, now, l);
        t.addresses.count(ip, l.address, now, l);
        Ok(())
    }

    /// Records how an attempt `begin` let through ended.
    pub fn finish(&self, email: &str, ip: IpAddr, outcome: Outcome) {
        let ip = address_key(ip);
        let mut t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Outcome::Failure => {}
            Outcome::Success => {
                t.accounts.entries.remove(email);
                t.addresses.uncount(&ip);
            }
            Outcome::NotTried => {
                t.accounts.uncount(email);
                t.addresses.uncount(&ip);
            }
        }
    }

    /// Keys held (accounts, addresses): for tests of the memory bound.
    pub fn len(&self) -> (usize, usize) {
        let t = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        (t.accounts.entries.len(), t.addresses.entries.len())
    }
}

/// IPv6 addresses count by their /64 prefix: one subscriber gets a whole /64,
/// so counting single addresses would give them 2^64 fresh starts.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::V6(octets.into())
            }
        },
        v4 => v4,
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    attempts: u32,
    locked_until: Millis,
    last: Millis,
}

struct Table<K> {
    entries: HashMap<K, Entry>,
}

impl<K> Default for Table<K> {
    fn default() -> Self {
        Table {
            entries: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq> Table<K> {
    fn locked_for<Q>(&self, key: &Q, now: Millis, l: &ThrottleLimits) -> Millis
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.entries.get(key) {
            Some(e) if now - e.last < l.forget_after_ms => (e.locked_until - now).max(0),
            _ => 0,
        }
    }

    fn count(&mut self, key: K, rule: Rule, now: Millis, l: &ThrottleLimits) {
        if !self.entries.contains_key(&key) {
            self.make_room(now, l);
        }
        let e = self.entries.entry(key).or_default();
        if now - e.last >= l.forget_after_ms {
            *e = Entry::default();
        }
        e.attempts += 1;
        e.last = now;
        if let Some(over) = e.attempts.checked_sub(rule.free).filter(|n| *n > 0) {
            // 1×, 2×, 4×… the base delay; the shift stops growing long before the cap.
            let delay = l
                .base_delay_ms
                .saturating_mul(1 << (over - 1).min(20))
                .min(rule.max_delay_ms);
            e.locked_until = now + delay;
        }
    }

    fn uncount<Q>(&mut self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(e) = self.entries.get_mut(key) {
            e.attempts = e.attempts.saturating_sub(1);
        }
    }

    /// Makes room for one more key (see the module's notes on memory).
    fn make_room(&mut self, now: Millis, l: &ThrottleLimits) {
        if self.entries.len() < l.max_entries {
            return;
        }
        self.entries
            .retain(|_, e| now - e.last < l.forget_after_ms || e.locked_until > now);
        if self.entries.len() < l.max_entries {
            return;
        }
        let mut lasts: Vec<Millis> = self.entries.values().map(|e| e.last).collect();
        if lasts.is_empty() {
            return;
        }
        let middle = lasts.len() / 2;
        let (_, cut, _) = lasts.select_nth_unstable(middle);
        let cut = *cut;
        self.entries.retain(|_, e| e.last > cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ThrottleLimits {
        ThrottleLimits {
            account: Rule {
                free: 3,
                max_delay_ms: 4_000,
            },
            address: Rule {
                free: 10,
                max_delay_ms: 60_000,
            },
            base_delay_ms: 1_000,
            forget_after_ms: 60_000,
            max_entries: 100,
        }
    }

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn delays_grow_after_the_free_attempts_and_stop_at_the_cap() {
        let t = LoginThrottle::new(limits());
        let mut now = 0;
        for _ in 0..3 {
            assert_eq!(t.begin("a@x", IP, now), Ok(()));
        }
        // The fourth goes through and locks for 1 s; then 2 s, 4 s, 4 s.
        for delay in [1_000, 2_000, 4_000, 4_000] {
            assert_eq!(t.begin("a@x", IP, now), Ok(()));
            assert_eq!(t.begin("a@x", IP, now + 1), Err(delay - 1));
            now += delay;
        }
        // Another account from the same address is not locked.
        assert_eq!(t.begin("b@x", IP, now), Ok(()));
    }

    #[test]
    fn success_clears_the_account_and_an_old_key_is_forgotten() {
        let t = LoginThrottle::new(limits());
        for _ in 0..3 {
            t.begin("a@x", IP, 0).unwrap();
        }
        t.finish("a@x", IP, Outcome::Success);
        for _ in 0..3 {
            assert_eq!(t.begin("a@x", IP, 0), Ok(()));
        }
        assert_eq!(t.begin("a@x", IP, 0), Ok(()));
        assert!(t.begin("a@x", IP, 1).is_err());
        assert_eq!(t.begin("a@x", IP, 60_000), Ok(()));
    }

    #[test]
    fn rotating_emails_from_one_address_is_locked_by_the_address() {
        let t = LoginThrottle::new(limits());
        for i in 0..11 {
            assert_eq!(t.begin(&format!("{i}@x"), IP, 0), Ok(()));
        }
        assert_eq!(t.begin("new@x", IP, 1), Err(999));
    }

    #[test]
    fn the_tables_stay_bounded_when_keys_rotate() {
        let t = LoginThrottle::new(limits());
        for i in 0..10_000u32 {
            let ip = IpAddr::V4(i.into());
            let _ = t.begin(&format!("{i}@x"), ip, i64::from(i));
        }
        let (accounts, addresses) = t.len();
        assert!(
            accounts <= 100 && addresses <= 100,
            "{accounts} {addresses}"
        );
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(address_key(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }
}
