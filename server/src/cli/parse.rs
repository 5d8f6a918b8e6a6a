//! Checks of flag values, for clap's `value_parser`: origins (`--allow-origin`,
//! `--origin`), on/off switches, the metrics token, port ranges, CIDR
//! ranges and ICE servers. Each refuses with a message saying what it wants.

use crate::cidr::Cidr;

pub(super) fn parse_metrics_token(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.chars().count() < 16 || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(
            "use at least 16 characters without spaces, e.g. from `openssl rand -hex 24`".into(),
        );
    }
    Ok(t.to_string())
}

pub(super) fn parse_port_range(s: &str) -> Result<(u16, u16), String> {
    let (min, max) = s
        .split_once('-')
        .ok_or("expected MIN-MAX, e.g. 49152-65535")?;
    let min: u16 = min.trim().parse().map_err(|e| format!("{min:?}: {e}"))?;
    let max: u16 = max.trim().parse().map_err(|e| format!("{max:?}: {e}"))?;
    if min == 0 || max < min {
        return Err(format!("{s:?} is not a port range with 0 < MIN <= MAX"));
    }
    Ok((min, max))
}

pub(super) fn parse_cidr(s: &str) -> Result<Cidr, String> {
    s.parse().map_err(|e: crate::cidr::CidrError| e.to_string())
}

pub(super) fn parse_ice_server(s: &str) -> Result<protocol::IceServer, String> {
    let mut parts = s.splitn(3, ';');
    let url = parts.next().unwrap_or_default().trim();
    if !["stun:", "stuns:", "turn:", "turns:"]
        .iter()
        .any(|p| url.starts_with(p))
    {
        return Err(format!(
            "{url:?} is not a stun:, stuns:, turn: or turns: URL"
        ));
    }
    let username = parts.next().map(str::to_string);
    let credential = parts.next().map(str::to_string);
    if username.is_some() != credential.is_some() {
        return Err("give both a username and a credential, or neither".into());
    }
    Ok(protocol::IceServer {
        urls: vec![url.to_string()],
        username,
        credential,
    })
}

pub(super) fn parse_on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("{s:?}: use on or off")),
    }
}

pub(super) fn parse_site_origin(s: &str) -> Result<(String, String), String> {
    let (site, origin) = s.split_once('=').ok_or("expected SITE=ORIGIN")?;
    let origin = origin.trim();
    check_origin(origin)?;
    Ok((site.trim().to_string(), origin.to_string()))
}

/// An origin as browsers send it: `http` or `https`, a host, maybe a port,
/// nothing else (no path, query, user or whitespace). A trailing slash is
/// tolerated, as people paste one.
pub(super) fn check_origin(origin: &str) -> Result<(), String> {
    let refuse = |why: &str| {
        Err(format!(
            "{origin:?} is not an origin like https://shop.example.com: {why}"
        ))
    };
    let Some((scheme, rest)) = origin.split_once("://") else {
        return refuse("no scheme");
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return refuse("the scheme must be http or https");
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return refuse("it contains whitespace");
    }
    if authority.contains(['/', '?', '#', '@', '\\']) {
        return refuse("an origin has no path, query, fragment or user");
    }
    // `[v6]:port`, `host:port` or a bare host.
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((ip, after)) if ip.parse::<std::net::Ipv6Addr>().is_ok() => {
                match after.strip_prefix(':') {
                    Some(port) => (None, Some(port)),
                    None if after.is_empty() => (None, None),
                    None => return refuse("junk after the IPv6 address"),
                }
            }
            _ => return refuse("a malformed IPv6 address"),
        },
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(authority), None),
        },
    };
    if let Some(host) = host {
        if host.is_empty() {
            return refuse("no host");
        }
        if !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        {
            return refuse("the host may hold letters, digits, '-' and '.' (use punycode)");
        }
    }
    if port.is_some_and(|p| !p.parse::<u16>().is_ok_and(|n| n > 0)) {
        return refuse("the port must be a number from 1 to 65535");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_origin;

    #[test]
    fn origins_that_browsers_send_are_accepted() {
        for ok in [
            "https://shop.example.com",
            "http://shop.test",
            "https://shop.example.com/",
            "http://127.0.0.1:8081",
            "https://xn--bcher-kva.example:8443",
            "http://[::1]:3000",
            "http://[2001:db8::1]",
            "HTTPS://Shop.Example.com",
        ] {
            assert_eq!(check_origin(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn everything_else_is_refused_without_panicking() {
        for bad in [
            "http://",
            "https://",
            // Found by the site_origin fuzz target in the old check, which
            // sliced at byte 8: past the end, inside a character, or a path.
            "https:///",
            "http://é.example",
            "http:///x",
            "http:/",
            "",
            "shop.example.com",
            "ftp://shop.example.com",
            "javascript://x",
            "http://shop example.com",
            "http://shop.example.com ",
            " http://shop.example.com",
            "http://shop.example.com\n",
            "http://shop.example.com/path",
            "http://shop.example.com?q=1",
            "http://shop.example.com#x",
            "http://user@shop.example.com",
            "http://shop.example.com:",
            "http://shop.example.com:0",
            "http://shop.example.com:65536",
            "http://shop.example.com:8o",
            "http://:8080",
            "http://[::1",
            "http://[nope]:80",
            "http://[::1]x",
            "http://a:b:c",
            "http://bücher.example",
            "http://shop.example.com//",
        ] {
            assert!(check_origin(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
