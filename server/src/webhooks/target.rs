//! Which URLs deliveries may go to. A webhook is a request the server makes
//! on an admin's say-so, so it must not become a way into the server's own
//! network (SSRF): by default only `https://` URLs whose every address is
//! public — checked when subscribing, and again at each connection (a name
//! may resolve elsewhere later). `--webhook-allow-private` lifts both rules,
//! for endpoints inside the operator's own network (and the tests).

use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::turn::peers::special;

/// Longest URL accepted.
pub const MAX_URL_CHARS: usize = 2048;

/// Checks a subscription's URL; the reason when it cannot be used.
pub fn check_url(url: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!("url is longer than {MAX_URL_CHARS} characters"));
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("url is not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err("url must start with https://".into()),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("url must not carry a user name or password".into());
    }
    let host = parsed.host_str().ok_or("url has no host")?;
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let (Ok(ip), false) = (literal.parse::<IpAddr>(), allow_private)
        && let Some(range) = special(ip)
    {
        return Err(format!("url points at a non-public address ({range})"));
    }
    if !allow_private && (host == "localhost" || host.ends_with(".localhost")) {
        return Err("url points at this machine".into());
    }
    Ok(parsed)
}

/// A resolver that hands the HTTP client only public addresses, so a name
/// resolving to a private one (now, or after the subscription was checked)
/// is refused at connection time.
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| special(a.ip()).is_none())
                .collect();
            if public.is_empty() {
                let e: Box<dyn std::error::Error + Send + Sync> =
                    format!("{} resolves to no public address", name.as_str()).into();
                return Err(e);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_https_urls_pass_unless_private_ones_are_allowed() {
        assert!(check_url("https://crm.example.com/hooks/tandem", false).is_ok());
        for bad in [
            "http://crm.example.com/h",
            "https://127.0.0.1/h",
            "https://10.1.2.3/h",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]:8443/h",
            "https://localhost/h",
            "https://user:pw@crm.example.com/h",
            "ftp://crm.example.com/h",
            "not a url",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert!(check_url("http://127.0.0.1:9000/h", true).is_ok());
        assert!(check_url("ftp://127.0.0.1/h", true).is_err());
        let long = format!("https://crm.example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert!(check_url(&long, false).is_err());
    }

    #[tokio::test]
    async fn names_of_private_addresses_are_not_resolved() {
        let name: Name = "localhost".parse().unwrap();
        assert!(PublicOnly.resolve(name).await.is_err());
    }
}
