//! Which address a request comes from. Directly, it is the TCP peer. Behind
//! a reverse proxy every peer is the proxy, and the client's address is in
//! `X-Forwarded-For`; that header is the client's to write, so it is only
//! believed when the peer that delivered it is a proxy the operator named
//! (`--trusted-proxy`). Per-IP limits (connections, login throttling) key on
//! the result.

use std::net::IpAddr;

use axum::http::HeaderMap;

use crate::cidr::Cidr;

/// The header proxies append the address they received a request from to.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// Parses a `--trusted-proxy` value: an address (`10.0.0.7`, `::1`) or a
/// range (`10.0.0.0/8`, `fd00::/8`).
pub fn parse_trusted_proxy(s: &str) -> Result<Cidr, String> {
    s.parse::<Cidr>().map_err(|e| e.to_string())
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy,
/// in which case `X-Forwarded-For` is read from the right (the entry the
/// trusted proxy added) leftwards, over further trusted proxies, to the first
/// address that is not one. Entries left of that one were written by the
/// client and are ignored, as are unparsable ones (the last good hop wins).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(*ip));
    let mut hop = peer.to_canonical();
    if !is_trusted(&hop) {
        return hop;
    }
    // Several headers are one list, in order (RFC 9110, 5.3).
    let entries: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for entry in entries.iter().rev() {
        match parse_hop(entry) {
            Some(ip) => hop = ip,
            None => break,
        }
        if !is_trusted(&hop) {
            break;
        }
    }
    hop
}

/// One `X-Forwarded-For` entry: an address, maybe with a port (`1.2.3.4:5`,
/// `[::1]:5`), as some proxies write them.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(FORWARDED_FOR, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<Cidr> {
        list.iter()
            .map(|s| parse_trusted_proxy(s).unwrap())
            .collect()
    }

    #[test]
    fn an_untrusted_peer_cannot_claim_another_address() {
        let h = headers(&["203.0.113.9"]);
        assert_eq!(client_ip(ip("198.51.100.1"), &h, &[]), ip("198.51.100.1"));
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("198.51.100.1"), &h, &trusted),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let trusted = nets(&["10.0.0.7"]);
        let h = headers(&["203.0.113.9"]);
        assert_eq!(client_ip(ip("10.0.0.7"), &h, &trusted), ip("203.0.113.9"));
        // Without the header the proxy itself is all we know.
        assert_eq!(
            client_ip(ip("10.0.0.7"), &HeaderMap::new(), &trusted),
            ip("10.0.0.7")
        );
    }

    #[test]
    fn a_forged_entry_left_of_the_proxys_own_is_ignored() {
        let trusted = nets(&["10.0.0.0/8"]);
        // The client sent "1.1.1.1"; the proxy appended the real address.
        let h = headers(&["1.1.1.1, 203.0.113.9"]);
        assert_eq!(client_ip(ip("10.0.0.7"), &h, &trusted), ip("203.0.113.9"));
        let h = headers(&["1.1.1.1", "203.0.113.9"]);
        assert_eq!(client_ip(ip("10.0.0.7"), &h, &trusted), ip("203.0.113.9"));
    }

    #[test]
    fn chains_of_trusted_proxies_are_walked() {
        let trusted = nets(&["10.0.0.0/8", "fd00::/8"]);
        let h = headers(&["203.0.113.9, 10.1.2.3, fd00::1"]);
        assert_eq!(client_ip(ip("10.0.0.7"), &h, &trusted), ip("203.0.113.9"));
    }

    #[test]
    fn garbage_and_ports_in_the_header() {
        let trusted = nets(&["127.0.0.1"]);
        let h = headers(&["203.0.113.9:4711"]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &trusted), ip("203.0.113.9"));
        let h = headers(&["[2001:db8::1]:4711"]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &trusted), ip("2001:db8::1"));
        let h = headers(&["203.0.113.9, not-an-ip"]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &trusted), ip("127.0.0.1"));
    }

    #[test]
    fn mapped_ipv4_peers_match_ipv4_ranges() {
        let trusted = nets(&["127.0.0.0/8"]);
        let h = headers(&["203.0.113.9"]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &h, &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn trusted_proxy_values_parse() {
        assert!(parse_trusted_proxy("10.0.0.0/8").is_ok());
        // Host bits past the prefix are a typo, refused with the range meant
        // (as for --turn-allow-peer: one range syntax for every flag).
        let typo = parse_trusted_proxy("10.1.2.3/8").unwrap_err();
        assert!(typo.contains("10.0.0.0/8"), "{typo}");
        assert!(parse_trusted_proxy("::1").is_ok());
        assert!(parse_trusted_proxy(" 192.0.2.1 ").is_ok());
        assert!(parse_trusted_proxy("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxy("proxy.local").is_err());
    }
}
