//! Counts what each client address holds open, so one address cannot take
//! every file descriptor or every socket slot.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Open things (TCP connections, WebSockets) per client address, up to a cap.
#[derive(Clone)]
pub struct PerIp {
    /// 0: no cap (counting is skipped).
    cap: usize,
    /// Plain mutex: held for one map update, never across an `.await`.
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One counted slot; given back when dropped.
pub struct Slot {
    key: Option<IpAddr>,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl PerIp {
    pub fn new(cap: usize) -> PerIp {
        PerIp {
            cap,
            open: Arc::default(),
        }
    }

    /// A slot for `ip`, or `None` when it already holds `cap` of them.
    pub fn try_take(&self, ip: IpAddr) -> Option<Slot> {
        if self.cap == 0 {
            return Some(Slot {
                key: None,
                open: self.open.clone(),
            });
        }
        let key = group(ip);
        let mut open = self.open.lock().expect("not poisoned");
        let n = open.entry(key).or_insert(0);
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(Slot {
            key: Some(key),
            open: self.open.clone(),
        })
    }

    /// How many slots `ip` holds (for tests and diagnostics).
    pub fn held(&self, ip: IpAddr) -> usize {
        let open = self.open.lock().expect("not poisoned");
        open.get(&group(ip)).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut open = self.open.lock().expect("not poisoned");
        if let Some(n) = open.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                // Forget the address, so the map holds only addresses with
                // something open and cannot grow with every client ever seen.
                open.remove(&key);
            }
        }
    }
}

/// The unit a cap applies to: an IPv4 address, or an IPv6 /64 (one
/// subscriber's network: anyone holding one has 2^64 addresses to rotate).
fn group(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_cap_holds_per_address_and_slots_come_back() {
        let per_ip = PerIp::new(2);
        let a = per_ip.try_take(ip("192.0.2.1")).unwrap();
        let _b = per_ip.try_take(ip("192.0.2.1")).unwrap();
        assert!(per_ip.try_take(ip("192.0.2.1")).is_none());
        assert!(per_ip.try_take(ip("192.0.2.2")).is_some());
        drop(a);
        assert!(per_ip.try_take(ip("192.0.2.1")).is_some());
    }

    #[test]
    fn one_ipv6_network_counts_once() {
        let per_ip = PerIp::new(1);
        let _a = per_ip.try_take(ip("2001:db8::1")).unwrap();
        assert!(per_ip.try_take(ip("2001:db8::ffff:1")).is_none());
        assert!(per_ip.try_take(ip("2001:db8:0:1::1")).is_some());
    }

    #[test]
    fn forgotten_when_nothing_is_open() {
        let per_ip = PerIp::new(1);
        drop(per_ip.try_take(ip("192.0.2.1")));
        assert!(per_ip.open.lock().unwrap().is_empty());
        assert_eq!(per_ip.held(ip("192.0.2.1")), 0);
    }

    #[test]
    fn zero_means_no_cap() {
        let per_ip = PerIp::new(0);
        let slots: Vec<_> = (0..1000)
            .map(|_| per_ip.try_take(ip("192.0.2.1")).unwrap())
            .collect();
        assert_eq!(slots.len(), 1000);
        assert_eq!(per_ip.held(ip("192.0.2.1")), 0);
    }
}
