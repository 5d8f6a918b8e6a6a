//! IP ranges in CIDR notation ("10.0.0.0/8", "fd00::/8", or a bare address
//! for one host), parsed from operator input with errors that say what to
//! fix. Small enough not to need a crate.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// A range of IP addresses: an address and how many of its leading bits
/// every member shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

/// Why a range was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error("{0:?} is not an IP address (expected e.g. 10.0.0.0/8 or fd00::/8)")]
    Address(String),
    #[error("{0:?} is not a prefix length (a number after the /)")]
    Prefix(String),
    #[error("/{prefix} is longer than an {family} address ({max} bits)")]
    TooLong {
        prefix: u8,
        family: &'static str,
        max: u8,
    },
    #[error("{given} has bits set past its /{prefix}: did you mean {suggested}?")]
    HostBits {
        given: String,
        prefix: u8,
        suggested: Cidr,
    },
}

impl Cidr {
    /// The range of `prefix` leading bits of `addr`, which must have no bits
    /// set past them.
    pub fn new(addr: IpAddr, prefix: u8) -> Result<Cidr, CidrError> {
        let (family, max) = match addr {
            IpAddr::V4(_) => ("IPv4", 32),
            IpAddr::V6(_) => ("IPv6", 128),
        };
        if prefix > max {
            return Err(CidrError::TooLong {
                prefix,
                family,
                max,
            });
        }
        let range = Cidr { addr, prefix };
        let network = range.network();
        if network != addr {
            return Err(CidrError::HostBits {
                given: format!("{addr}/{prefix}"),
                prefix,
                suggested: Cidr {
                    addr: network,
                    prefix,
                },
            });
        }
        Ok(range)
    }

    /// Whether `ip` is in this range. An IPv4 range never holds an IPv6
    /// address nor the reverse: callers fold IPv4-mapped addresses to IPv4
    /// first (`IpAddr::to_canonical`).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                mask32(u32::from(ip), self.prefix) == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                mask128(u128::from(ip), self.prefix) == u128::from(net)
            }
            _ => false,
        }
    }

    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// The address with the bits past the prefix cleared.
    fn network(&self) -> IpAddr {
        match self.addr {
            IpAddr::V4(a) => IpAddr::V4(mask32(u32::from(a), self.prefix).into()),
            IpAddr::V6(a) => IpAddr::V6(mask128(u128::from(a), self.prefix).into()),
        }
    }
}

fn mask32(bits: u32, prefix: u8) -> u32 {
    bits.checked_shr(32 - u32::from(prefix))
        .and_then(|b| b.checked_shl(32 - u32::from(prefix)))
        .unwrap_or(0)
}

fn mask128(bits: u128, prefix: u8) -> u128 {
    bits.checked_shr(128 - u32::from(prefix))
        .and_then(|b| b.checked_shl(128 - u32::from(prefix)))
        .unwrap_or(0)
}

impl FromStr for Cidr {
    type Err = CidrError;

    /// "ADDRESS/PREFIX", or a bare address for that one host.
    fn from_str(s: &str) -> Result<Cidr, CidrError> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| CidrError::Address(addr.to_string()))?;
        let prefix = match prefix {
            // Digits only: u8's parser would also take "+8".
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p
                .parse::<u8>()
                .map_err(|_| CidrError::Prefix(p.to_string()))?,
            Some(p) => return Err(CidrError::Prefix(p.to_string())),
            None if addr.is_ipv4() => 32,
            None => 128,
        };
        Cidr::new(addr, prefix)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_hold_their_members_only() {
        let ten = cidr("10.0.0.0/8");
        assert!(ten.contains(ip("10.0.0.0")));
        assert!(ten.contains(ip("10.255.255.255")));
        assert!(!ten.contains(ip("11.0.0.0")));
        assert!(!ten.contains(ip("9.255.255.255")));
        let cgn = cidr("100.64.0.0/10");
        assert!(cgn.contains(ip("100.127.255.255")));
        assert!(!cgn.contains(ip("100.128.0.0")));
        let ula = cidr("fc00::/7");
        assert!(ula.contains(ip("fd12:3456::1")));
        assert!(!ula.contains(ip("fe00::1")));
    }

    #[test]
    fn zero_and_full_prefixes() {
        assert!(cidr("0.0.0.0/0").contains(ip("203.0.113.9")));
        assert!(cidr("::/0").contains(ip("2001:db8::1")));
        let host = cidr("192.0.2.7");
        assert_eq!(host.prefix(), 32);
        assert!(host.contains(ip("192.0.2.7")));
        assert!(!host.contains(ip("192.0.2.8")));
        assert_eq!(cidr("2001:db8::7").prefix(), 128);
        assert_eq!(cidr(" 10.1.0.0/16 ").to_string(), "10.1.0.0/16");
    }

    #[test]
    fn families_do_not_mix() {
        assert!(!cidr("0.0.0.0/0").contains(ip("::ffff:10.0.0.1")));
        assert!(!cidr("::/0").contains(ip("10.0.0.1")));
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        assert_eq!(
            "ten/8".parse::<Cidr>(),
            Err(CidrError::Address("ten".into()))
        );
        assert_eq!("".parse::<Cidr>(), Err(CidrError::Address("".into())));
        for bad in ["10.0.0.0/", "10.0.0.0/x", "10.0.0.0/+8", "10.0.0.0/8/8"] {
            assert!(
                matches!(bad.parse::<Cidr>(), Err(CidrError::Prefix(_))),
                "{bad}"
            );
        }
        assert_eq!(
            "10.0.0.0/33".parse::<Cidr>(),
            Err(CidrError::TooLong {
                prefix: 33,
                family: "IPv4",
                max: 32
            })
        );
        assert!(matches!(
            "::/129".parse::<Cidr>(),
            Err(CidrError::TooLong { max: 128, .. })
        ));
        let err = "10.1.2.3/8".parse::<Cidr>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "10.1.2.3/8 has bits set past its /8: did you mean 10.0.0.0/8?"
        );
        assert!(matches!(
            "fd00::1/8".parse::<Cidr>(),
            Err(CidrError::HostBits { .. })
        ));
        assert!(matches!(
            "10.0.0.0/999".parse::<Cidr>(),
            Err(CidrError::Prefix(_))
        ));
    }

    /// `tandem serve --turn-allow-peer`: repeatable, comma-separated too
    /// (as in TANDEM_TURN_ALLOW_PEERS), and a bad range stops start-up.
    #[test]
    fn the_turn_allow_peer_flag() {
        use clap::Parser;

        use crate::cli::{Cli, Command};

        let parse = |args: &[&str]| {
            let args = ["tandem", "serve"].iter().chain(args);
            Cli::try_parse_from(args).map(|cli| match cli.command {
                Command::Serve(serve) => serve.voice.turn_allow_peers,
                _ => unreachable!(),
            })
        };
        assert_eq!(parse(&[]).unwrap(), vec![]);
        assert_eq!(
            parse(&[
                "--turn-allow-peer",
                "10.20.0.0/16",
                "--turn-allow-peer",
                "192.0.2.7,fd00:1::/32"
            ])
            .unwrap(),
            vec![
                cidr("10.20.0.0/16"),
                cidr("192.0.2.7/32"),
                cidr("fd00:1::/32")
            ]
        );
        let err = parse(&["--turn-allow-peer", "10.1.2.3/8"]).unwrap_err();
        assert!(
            err.to_string().contains("did you mean 10.0.0.0/8?"),
            "{err}"
        );
    }
}
