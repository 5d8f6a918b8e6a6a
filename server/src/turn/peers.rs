//! Which peers the TURN relay may talk to: the policy, without packets.
//!
//! Anyone holding a call's credentials can ask the relay to send UDP to any
//! address. Aimed at the server's own side of the network, that would reach
//! loopback services, the private network, cloud metadata (169.254.169.254),
//! broadcast and multicast, from inside. So a peer must be a public unicast
//! address, not one of this server's own addresses, unless
//!
//! - it is one of this server's live relay addresses (two browsers that both
//!   relay through us talk relay to relay; `PeerGuard` in relay_guard.rs knows
//!   which are live and asks here for the rest), or
//! - the operator opened its range on purpose (`--turn-allow-peer`).
//!
//! Addresses that embed an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged
//! by the IPv4 address they lead to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::cidr::Cidr;
use V6Rule::{Embedded, Refuse};

/// Why a peer is refused: the name of the range it fell in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Forbidden(pub &'static str);

/// The policy: the ranges opened on purpose and this server's own addresses.
#[derive(Debug, Clone, Default)]
pub struct PeerPolicy {
    allowed: Vec<Cidr>,
    own: Vec<IpAddr>,
}

impl PeerPolicy {
    /// `allowed`: ranges relayed to even though they are special;
    /// `own`: this server's addresses (listen and public IPs), refused on
    /// every port but those of its live relays.
    pub fn new(allowed: Vec<Cidr>, own: impl IntoIterator<Item = IpAddr>) -> PeerPolicy {
        let own = own
            .into_iter()
            .map(|ip| ip.to_canonical())
            .filter(|ip| !ip.is_unspecified())
            .collect();
        PeerPolicy { allowed, own }
    }

    /// Whether the relay may talk to `ip`, leaving aside live relays (which
    /// the caller checks first: they are allowed on their own port only).
    pub fn check(&self, ip: IpAddr) -> Result<(), Forbidden> {
        let ip = ip.to_canonical();
        if self.allowed.iter().any(|range| range.contains(ip)) {
            return Ok(());
        }
        if self.own.contains(&ip) {
            return Err(Forbidden("this server's own address"));
        }
        match special(ip) {
            Some(range) => Err(Forbidden(range)),
            None => Ok(()),
        }
    }
}

/// The special-purpose range `ip` falls in, if any (IANA's special-purpose
/// address registries, plus multicast and everything outside IPv6's global
/// unicast block).
pub fn special(ip: IpAddr) -> Option<&'static str> {
    match ip.to_canonical() {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

/// IPv4 ranges no relay may reach, most specific first so a refusal names
/// the narrowest range (255.255.255.255 is "broadcast", not "reserved").
#[rustfmt::skip]
const SPECIAL_V4: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(255, 255, 255, 255), 32, "broadcast"),
    (Ipv4Addr::new(169, 254, 169, 254), 32, "cloud metadata"),
    (Ipv4Addr::new(0, 0, 0, 0),          8, "this network (0.0.0.0/8)"),
    (Ipv4Addr::new(10, 0, 0, 0),         8, "private (10.0.0.0/8)"),
    (Ipv4Addr::new(100, 64, 0, 0),      10, "shared CGN space (100.64.0.0/10)"),
    (Ipv4Addr::new(127, 0, 0, 0),        8, "loopback (127.0.0.0/8)"),
    (Ipv4Addr::new(169, 254, 0, 0),     16, "link-local (169.254.0.0/16)"),
    (Ipv4Addr::new(172, 16, 0, 0),      12, "private (172.16.0.0/12)"),
    (Ipv4Addr::new(192, 0, 0, 0),       24, "IETF protocol assignments (192.0.0.0/24)"),
    (Ipv4Addr::new(192, 0, 2, 0),       24, "documentation (192.0.2.0/24)"),
    (Ipv4Addr::new(192, 88, 99, 0),     24, "6to4 relay anycast (192.88.99.0/24)"),
    (Ipv4Addr::new(192, 168, 0, 0),     16, "private (192.168.0.0/16)"),
    (Ipv4Addr::new(198, 18, 0, 0),      15, "benchmarking (198.18.0.0/15)"),
    (Ipv4Addr::new(198, 51, 100, 0),    24, "documentation (198.51.100.0/24)"),
    (Ipv4Addr::new(203, 0, 113, 0),     24, "documentation (203.0.113.0/24)"),
    (Ipv4Addr::new(224, 0, 0, 0),        4, "multicast (224.0.0.0/4)"),
    (Ipv4Addr::new(240, 0, 0, 0),        4, "reserved (240.0.0.0/4)"),
];

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    SPECIAL_V4
        .iter()
        .find(|(net, prefix, _)| {
            in_range(u32::from(ip).into(), u32::from(*net).into(), *prefix, 32)
        })
        .map(|(_, _, name)| *name)
}

/// IPv6 ranges, most specific first. Everything outside 2000::/3 (global
/// unicast) is refused after these, so the list only needs what lies
/// inside it or embeds an IPv4 address.
#[rustfmt::skip]
const SPECIAL_V6: &[(Ipv6Addr, u8, V6Rule)] = &[
    (Ipv6Addr::UNSPECIFIED,          128, Refuse("unspecified (::)")),
    (Ipv6Addr::LOCALHOST,            128, Refuse("loopback (::1)")),
    // Deprecated IPv4-compatible ::a.b.c.d: not routable, whatever it embeds.
    (Ipv6Addr::UNSPECIFIED,           96, Refuse("IPv4-compatible (::/96)")),
    // SIIT's IPv4-translated ::ffff:0:a.b.c.d.
    (v6(0, 0, 0, 0, 0xffff, 0),       96, Embedded { at: 12 }),
    // NAT64: the well-known prefix leads to the embedded IPv4 address…
    (v6(0x64, 0xff9b, 0, 0, 0, 0),    96, Embedded { at: 12 }),
    // …the local-use prefix to whatever this site's translator reaches.
    (v6(0x64, 0xff9b, 1, 0, 0, 0),    48, Refuse("local NAT64 (64:ff9b:1::/48)")),
    (v6(0x100, 0, 0, 0, 0, 0),        64, Refuse("discard-only (100::/64)")),
    // Teredo, benchmarking, ORCHID and other protocol assignments.
    (v6(0x2001, 0, 0, 0, 0, 0),       23, Refuse("IETF protocol assignments (2001::/23)")),
    (v6(0x2001, 0xdb8, 0, 0, 0, 0),   32, Refuse("documentation (2001:db8::/32)")),
    // 6to4: 2002:a.b.c.d::/48 tunnels to the embedded IPv4 address.
    (v6(0x2002, 0, 0, 0, 0, 0),       16, Embedded { at: 2 }),
    (v6(0x3fff, 0, 0, 0, 0, 0),       20, Refuse("documentation (3fff::/20)")),
    (v6(0x5f00, 0, 0, 0, 0, 0),       16, Refuse("segment routing (5f00::/16)")),
    (v6(0xfc00, 0, 0, 0, 0, 0),        7, Refuse("unique local (fc00::/7)")),
    (v6(0xfe80, 0, 0, 0, 0, 0),       10, Refuse("link-local (fe80::/10)")),
    (v6(0xfec0, 0, 0, 0, 0, 0),       10, Refuse("site-local (fec0::/10)")),
    (v6(0xff00, 0, 0, 0, 0, 0),        8, Refuse("multicast (ff00::/8)")),
];

#[derive(Debug, Clone, Copy)]
enum V6Rule {
    Refuse(&'static str),
    /// Judged by the IPv4 address in the four bytes from `at`.
    Embedded {
        at: usize,
    },
}

const fn v6(a: u16, b: u16, c: u16, d: u16, e: u16, f: u16) -> Ipv6Addr {
    Ipv6Addr::new(a, b, c, d, e, f, 0, 0)
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let bits = u128::from(ip);
    let rule = SPECIAL_V6
        .iter()
        .find(|(net, prefix, _)| in_range(bits, u128::from(*net), *prefix, 128))
        .map(|(_, _, rule)| *rule);
    match rule {
        Some(Refuse(name)) => Some(name),
        Some(Embedded { at }) => {
            let o = ip.octets();
            special_v4(Ipv4Addr::new(o[at], o[at + 1], o[at + 2], o[at + 3]))
        }
        None if bits >> 125 != 0b001 => Some("not global unicast (outside 2000::/3)"),
        None => None,
    }
}

/// Whether the top `prefix` of `width` bits of `ip` and `net` agree.
fn in_range(ip: u128, net: u128, prefix: u8, width: u32) -> bool {
    let shift = width - u32::from(prefix);
    ip.checked_shr(shift) == net.checked_shr(shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn refused(policy: &PeerPolicy, s: &str) -> bool {
        policy.check(ip(s)).is_err()
    }

    #[test]
    fn the_servers_own_network_is_refused() {
        let policy = PeerPolicy::default();
        for addr in [
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.0.1",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.1",
            "203.0.113.1",
            "192.88.99.1",
        ] {
            assert!(refused(&policy, addr), "{addr}");
        }
    }

    #[test]
    fn public_addresses_are_relayed() {
        let policy = PeerPolicy::default();
        for addr in [
            "8.8.8.8",
            "1.1.1.1",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.167.255.255",
            "192.169.0.0",
            "169.253.255.255",
            "223.255.255.255",
            "2a00:1450:4001:82a::200e",
            "2606:4700::1111",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(!refused(&policy, addr), "{addr}");
        }
    }

    #[test]
    fn ipv6_equivalents_are_refused() {
        let policy = PeerPolicy::default();
        for addr in [
            "::1",
            "::",
            "fc00::1",
            "fd12:3456:789a::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            // IPv4-mapped, -compatible, -translated, NAT64 and 6to4 forms.
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
            "::8.8.8.8",
            "::ffff:0:127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::808:808",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            // Documentation, Teredo, benchmarking, discard, SRv6.
            "2001:db8::1",
            "3fff::1",
            "2001::1",
            "2001:2::1",
            "100::1",
            "5f00::1",
            // Outside global unicast.
            "4000::1",
            "e000::1",
            "1::1",
        ] {
            assert!(refused(&policy, addr), "{addr}");
        }
    }

    #[test]
    fn refusals_name_the_narrowest_range() {
        let policy = PeerPolicy::default();
        let why = |s| policy.check(ip(s)).unwrap_err().0;
        assert_eq!(why("255.255.255.255"), "broadcast");
        assert_eq!(why("169.254.169.254"), "cloud metadata");
        assert_eq!(why("::ffff:169.254.169.254"), "cloud metadata");
        assert_eq!(why("127.0.0.1"), "loopback (127.0.0.0/8)");
        assert_eq!(why("::1"), "loopback (::1)");
        assert_eq!(why("2001:db8::1"), "documentation (2001:db8::/32)");
    }

    #[test]
    fn opened_ranges_are_relayed_and_nothing_else() {
        let policy = PeerPolicy::new(
            vec![
                "10.20.0.0/16".parse().unwrap(),
                "fd00:1::/32".parse().unwrap(),
            ],
            [],
        );
        assert!(!refused(&policy, "10.20.1.2"));
        assert!(!refused(&policy, "::ffff:10.20.1.2"));
        assert!(!refused(&policy, "fd00:1::5"));
        assert!(refused(&policy, "10.21.0.1"));
        assert!(refused(&policy, "fd00:2::5"));
        assert!(refused(&policy, "127.0.0.1"));
    }

    #[test]
    fn the_servers_own_addresses_are_refused_unless_opened() {
        let policy = PeerPolicy::new(vec![], [ip("198.100.1.1"), ip("0.0.0.0")]);
        assert_eq!(
            policy.check(ip("198.100.1.1")),
            Err(Forbidden("this server's own address"))
        );
        assert!(refused(&policy, "::ffff:198.100.1.1"));
        assert!(!refused(&policy, "198.100.1.2"));
        let opened = PeerPolicy::new(vec!["198.100.1.1".parse().unwrap()], [ip("198.100.1.1")]);
        assert!(!refused(&opened, "198.100.1.1"));
    }
}
