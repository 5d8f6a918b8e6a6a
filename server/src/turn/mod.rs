//! The embedded TURN server (webrtc-rs `turn`, UDP): relays a call's audio
//! when the two sides cannot reach each other directly (corporate firewalls,
//! symmetric NATs). It also answers STUN binding requests.
//!
//! Credentials are short-lived and bound to a session's call (credentials.rs);
//! the server refuses them once expired, when forged, or when the session has
//! no active call any more.
//!
//! Relays reach public peers and each other only, never this server's own
//! network (peers.rs: the policy; screen.rs: 403 to requests naming a refused
//! peer; relay_guard.rs: relay sockets that drop what slips past).

mod credentials;
mod filtered;
mod ice;
pub(crate) mod peers;
mod refusals;
mod relay_guard;
mod screen;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::net::UdpSocket;
use webrtc_turn::auth::{AuthHandler, generate_auth_key};
use webrtc_turn::relay::RelayAddressGenerator;
use webrtc_turn::relay::relay_range::RelayAddressGeneratorRanges;
use webrtc_turn::relay::relay_static::RelayAddressGeneratorStatic;
use webrtc_turn::server::Server;
use webrtc_turn::server::config::{ConnConfig, ServerConfig};
use webrtc_util::vnet::net::Net;

pub use credentials::{Claim, Credentials, Refusal, TurnCredential};
pub use ice::IceServers;
#[doc(hidden)]
pub use screen::{FUZZ_KEY, FUZZ_USER, Verdict as ScreenVerdict, verdict_for_fuzzing};

use crate::config::TurnConfig;
use filtered::Filtered;
use peers::PeerPolicy;
use relay_guard::{GuardedRelays, PeerGuard};
use screen::Screen;

/// Tells the TURN server whether a session still has a call to relay for.
pub trait CallRegistry: Send + Sync + 'static {
    fn call_active(&self, session: &str) -> bool;
}

/// The TURN socket, bound but not yet serving: its address is known (and
/// handed to clients) before the hub that answers `CallRegistry` exists.
pub struct BoundTurn {
    socket: Arc<UdpSocket>,
    /// Where it listens.
    pub local: SocketAddr,
    /// Where clients reach it (and the IP its relays are announced on).
    pub public: SocketAddr,
    config: TurnConfig,
}

/// A running TURN server.
pub struct TurnServer {
    server: Server,
    pub local: SocketAddr,
    pub public: SocketAddr,
}

impl BoundTurn {
    pub async fn bind(config: &TurnConfig) -> Result<BoundTurn> {
        let socket = UdpSocket::bind(config.listen)
            .await
            .with_context(|| format!("binding the TURN server on UDP {}", config.listen))?;
        let local = socket.local_addr()?;
        let ip = config
            .public_ip
            .unwrap_or_else(|| public_ip_for(local.ip()));
        Ok(BoundTurn {
            socket: Arc::new(socket),
            local,
            public: SocketAddr::new(ip, local.port()),
            config: config.clone(),
        })
    }

    /// The URLs clients put in RTCConfiguration.iceServers.
    pub fn urls(&self) -> Vec<String> {
        urls_for(self.public)
    }

    pub async fn serve(
        self,
        credentials: Credentials,
        calls: Arc<dyn CallRegistry>,
    ) -> Result<TurnServer> {
        let relay_ip = self.public.ip();
        let bind_ip = self.local.ip().to_string();
        let net = Arc::new(Net::new(None));
        let relays: Box<dyn RelayAddressGenerator + Send + Sync> = match self.config.relay_ports {
            Some((min_port, max_port)) => Box::new(RelayAddressGeneratorRanges {
                relay_address: relay_ip,
                min_port,
                max_port,
                max_retries: 0,
                address: bind_ip,
                net,
            }),
            None => Box::new(RelayAddressGeneratorStatic {
                relay_address: relay_ip,
                address: bind_ip,
                net,
            }),
        };
        let guard = Arc::new(PeerGuard::new(PeerPolicy::new(
            self.config.allow_peers.clone(),
            [self.public.ip(), self.local.ip()],
        )));
        let auth: Arc<dyn AuthHandler + Send + Sync> = Arc::new(SessionAuth { credentials, calls });
        let conn = Filtered {
            inner: Arc::new(Filtered {
                inner: self.socket,
                filter: refusals::RefusalLog,
            }),
            filter: Screen {
                guard: Arc::clone(&guard),
                auth: Arc::clone(&auth),
            },
        };
        let server = Server::new(ServerConfig {
            conn_configs: vec![ConnConfig {
                conn: Arc::new(conn),
                relay_addr_generator: Box::new(GuardedRelays {
                    inner: relays,
                    guard,
                }),
            }],
            realm: self.config.realm.clone(),
            auth_handler: auth,
            channel_bind_timeout: std::time::Duration::ZERO,
            alloc_close_notify: None,
        })
        .await
        .context("starting the TURN server")?;
        tracing::info!(listen = %self.local, public = %self.public, "TURN server running");
        Ok(TurnServer {
            server,
            local: self.local,
            public: self.public,
        })
    }
}

/// The RTCConfiguration.iceServers URLs of a TURN server reached at `public`.
fn urls_for(public: SocketAddr) -> Vec<String> {
    vec![
        format!("stun:{public}"),
        format!("turn:{public}?transport=udp"),
    ]
}

impl TurnServer {
    /// The URLs clients put in RTCConfiguration.iceServers.
    pub fn urls(&self) -> Vec<String> {
        urls_for(self.public)
    }

    /// Frees the relays of a session's call now: without this they would
    /// carry data until their permissions lapse (up to five minutes), as the
    /// auth check only runs on the client's next request.
    pub async fn release_session(&self, session: &str) {
        let tag = format!(":{session}:");
        let users: std::collections::HashSet<String> = self
            .allocations()
            .await
            .into_iter()
            .filter(|u| u.contains(&tag))
            .collect();
        for user in users {
            if let Err(e) = self.server.delete_allocations_by_username(user).await {
                tracing::warn!(error = %e, session, "releasing TURN allocations");
            }
        }
    }

    /// The username of every allocation the server holds.
    pub async fn allocations(&self) -> Vec<String> {
        match self.server.get_allocations_info(None).await {
            Ok(all) => all.into_values().map(|a| a.username).collect(),
            Err(_) => Vec::new(),
        }
    }

    pub async fn close(&self) {
        if let Err(e) = self.server.close().await {
            tracing::warn!(error = %e, "closing the TURN server");
        }
    }
}

/// Checks each authenticated TURN request (allocate, refresh, permission,
/// channel bind): the username must be well-formed, unexpired and name a
/// session with an active call. The key returned lets the TURN server check
/// the request's MESSAGE-INTEGRITY, i.e. the password.
struct SessionAuth {
    credentials: Credentials,
    calls: Arc<dyn CallRegistry>,
}

impl AuthHandler for SessionAuth {
    fn auth_handle(
        &self,
        username: &str,
        realm: &str,
        src_addr: SocketAddr,
    ) -> Result<Vec<u8>, webrtc_turn::Error> {
        let now = crate::clock::now_ms().max(0) as u64 / 1000;
        let checked = self
            .credentials
            .check_username(username, now)
            .and_then(|claim| {
                if self.calls.call_active(&claim.session) {
                    Ok(claim)
                } else {
                    Err(Refusal::NoCall(claim.session))
                }
            });
        match checked {
            Ok(_) => {
                let password = self.credentials.password_for(username);
                Ok(generate_auth_key(username, realm, &password))
            }
            Err(why) => {
                tracing::warn!(%src_addr, username, reason = ?why.to_string(), "TURN request refused");
                Err(webrtc_turn::Error::Other(why.to_string()))
            }
        }
    }
}

/// The address to announce for a listen address: itself, unless it is the
/// wildcard, then the address this host uses to reach the outside world
/// (no packet is sent), or loopback on a host without a route.
fn public_ip_for(listen: IpAddr) -> IpAddr {
    if !listen.is_unspecified() {
        return listen;
    }
    let probe = || -> std::io::Result<IpAddr> {
        let s = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;
        // TEST-NET-1: routable in the table, never answered.
        s.connect((Ipv4Addr::new(192, 0, 2, 1), 9))?;
        Ok(s.local_addr()?.ip())
    };
    probe()
        .ok()
        .filter(|ip| !ip.is_unspecified())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}
