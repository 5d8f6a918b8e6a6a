//! The ICE servers each side of a call gets: the embedded TURN server with
//! fresh credentials for that side, plus the configured external servers.
//! External servers configured without an account get the same credentials:
//! a coturn sharing the secret (`use-auth-secret`) accepts them.

use protocol::{IceServer, Millis, Role};

use super::Credentials;

#[derive(Clone)]
pub struct IceServers {
    /// The embedded TURN server's URLs.
    embedded: Option<Vec<String>>,
    credentials: Option<Credentials>,
    external: Vec<IceServer>,
    ttl_secs: u64,
}

impl IceServers {
    pub fn new(
        embedded: Option<Vec<String>>,
        credentials: Option<Credentials>,
        external: Vec<IceServer>,
        ttl_secs: u64,
    ) -> IceServers {
        IceServers {
            embedded,
            credentials,
            external,
            ttl_secs: ttl_secs.max(1),
        }
    }

    /// What `role`'s side of `session`'s call gets at `now` (ms), and when the
    /// credentials in it expire (ms). `via`: the URLs of the TURN server to
    /// use instead of the embedded one (another node's, sharing the secret).
    pub fn for_side(
        &self,
        session: &str,
        role: Role,
        now: Millis,
        via: Option<&[String]>,
    ) -> (Vec<IceServer>, Millis) {
        let now_secs = now.max(0) as u64 / 1000;
        let issued = self
            .credentials
            .as_ref()
            .map(|c| c.issue(session, role, now_secs));
        let with_issued = |urls: Vec<String>| IceServer {
            urls,
            username: issued.as_ref().map(|c| c.username.clone()),
            credential: issued.as_ref().map(|c| c.password.clone()),
        };
        let mut servers = Vec::with_capacity(self.external.len() + 1);
        let embedded = via
            .map(<[String]>::to_vec)
            .or_else(|| self.embedded.clone());
        servers.extend(embedded.map(with_issued));
        servers.extend(self.external.iter().map(|s| {
            let needs_account =
                s.username.is_none() && s.urls.iter().any(|u| u.starts_with("turn"));
            if needs_account {
                with_issued(s.urls.clone())
            } else {
                s.clone()
            }
        }));
        let expires_at = issued.map_or(now_secs + self.ttl_secs, |c| c.expires_at);
        (servers, expires_at as Millis * 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_turn_servers_without_an_account_share_the_credentials() {
        let ice = IceServers::new(
            Some(vec!["turn:127.0.0.1:3478?transport=udp".into()]),
            Some(Credentials::new("s3cret", 600)),
            vec![
                IceServer {
                    urls: vec!["turns:turn.example.com:443?transport=tcp".into()],
                    username: None,
                    credential: None,
                },
                IceServer {
                    urls: vec!["stun:stun.example.com:3478".into()],
                    username: None,
                    credential: None,
                },
                IceServer {
                    urls: vec!["turn:other.example.com".into()],
                    username: Some("static".into()),
                    credential: Some("account".into()),
                },
            ],
            600,
        );
        let (servers, expires_at) = ice.for_side("s_1", Role::Agent, 1_000_000, None);
        assert_eq!(expires_at, 1_600_000);
        assert_eq!(servers.len(), 4);
        assert_eq!(servers[0].username.as_deref(), Some("1600:s_1:agent"));
        assert_eq!(servers[1].username, servers[0].username);
        assert_eq!(servers[1].credential, servers[0].credential);
        assert_eq!(servers[2].username, None);
        assert_eq!(servers[3].username.as_deref(), Some("static"));
    }

    #[test]
    fn a_socket_on_another_node_relays_through_that_nodes_turn_with_the_same_account() {
        let ice = IceServers::new(
            Some(vec!["turn:10.0.0.1:3478?transport=udp".into()]),
            Some(Credentials::new("s3cret", 600)),
            Vec::new(),
            600,
        );
        let here = ice.for_side("s_1", Role::Visitor, 1_000_000, None).0;
        let gateway = vec!["turn:10.0.0.2:3478?transport=udp".to_string()];
        let there = ice
            .for_side("s_1", Role::Visitor, 1_000_000, Some(&gateway))
            .0;
        assert_eq!(there.len(), 1);
        assert_eq!(there[0].urls, gateway);
        assert_eq!(there[0].username, here[0].username);
        assert_eq!(there[0].credential, here[0].credential);
    }
}
