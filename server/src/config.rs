//! Server configuration, gathered from the command line and environment (cli/)
//! or built directly by tests.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use protocol::IceServer;

use crate::cidr::Cidr;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the API, WebSocket and console listen (port 0 picks a free port).
    pub listen: SocketAddr,
    /// `sqlite://path` or `postgres://…`.
    pub database_url: String,
    /// The URL browsers use to reach this server. Empty: derived from `listen`.
    pub public_url: String,
    /// Serve the demo shop on this address too (a different origin).
    pub demo_listen: Option<SocketAddr>,
    /// Where the browser files come from (http/files.rs).
    pub files: crate::http::files::Files,
    /// Extra allowed origins per site: (site id, origin). Sites are created as needed.
    pub allow_origins: Vec<(String, String)>,
    /// How long an offered request rings for one agent before moving on.
    pub ring_ms: i64,
    /// How long an ended session holds its agent's slot for offers while the
    /// agent wraps it up (after-call work); 0 turns it off.
    pub after_call_ms: i64,
    /// Text frames one WebSocket may send per second, sustained (twice that
    /// in a burst): a guard against a flooding client, raised by load tests.
    pub frames_per_second: u32,
    /// Voice calls: ring timeout, ICE servers, the embedded TURN server.
    pub voice: VoiceConfig,
    /// How often expired agent tokens are deleted and each site's retention
    /// applied (privacy/retention.rs); the first pass runs at start.
    pub purge_interval_ms: u64,
    /// How often freed memory is handed back to the system (memory.rs); 0 never.
    pub trim_memory_ms: u64,
    /// Timeouts and per-client limits of HTTP connections and WebSockets.
    pub connections: ConnLimits,
    /// Limits on new visitors, help requests and the waiting line.
    pub visitors: crate::admission::VisitorLimits,
    /// Agent logins and their tokens: lifetime, re-checks, throttling.
    pub login: LoginConfig,
    /// Where /metrics is served, and the token it asks for.
    pub metrics: MetricsConfig,
    /// Join a cluster of nodes on this Postgres and a Redis (cluster/);
    /// `None`: a single node.
    pub cluster: Option<ClusterConfig>,
    /// Webhook deliveries: where they may go, timeouts, retries.
    pub webhooks: WebhookConfig,
}

/// How webhooks are delivered (webhooks/).
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Also deliver to `http://` URLs and to private, loopback and
    /// link-local addresses (endpoints inside the operator's network).
    pub allow_private: bool,
    /// How long an endpoint has to answer an attempt.
    pub timeout: Duration,
    /// The wait after a first failed attempt; it doubles after each.
    pub retry_base: Duration,
    /// How long after its event a delivery is retried before it fails.
    pub give_up_after: Duration,
    /// How often the dispatcher looks for work.
    pub poll: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            allow_private: false,
            timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(10),
            give_up_after: Duration::from_secs(24 * 3600),
            poll: Duration::from_secs(1),
        }
    }
}

/// Every connection has a deadline and every client address a cap, so idle,
/// slow or silent clients cannot hold the server's sockets (docs/security.md).
#[derive(Debug, Clone)]
pub struct ConnLimits {
    /// An HTTP request's headers must have arrived this long after its first
    /// byte (or after the connection opened), else the connection is closed.
    pub header_timeout: Duration,
    /// A whole HTTP request, its body included, must be answered within
    /// this (408 otherwise); a body sent a byte at a time is cut off.
    pub request_timeout: Duration,
    /// A WebSocket whose `hello` has not succeeded by then is closed (4408).
    pub hello_timeout: Duration,
    /// The server pings every WebSocket this often.
    pub ping_interval: Duration,
    /// A WebSocket that sends nothing, not even a pong, for this long is
    /// closed (4410); the server's pings make a live client answer well within it.
    pub idle_timeout: Duration,
    /// Largest frame a WebSocket may send before its `hello` succeeded; a
    /// larger one closes it (1009).
    pub hello_max_bytes: usize,
    /// Open TCP connections, and WebSockets, per client address (IPv6: per
    /// /64); 0 turns the cap off.
    pub max_per_ip: usize,
    /// Peers whose `X-Forwarded-For` names the client (reverse proxies).
    pub trusted_proxies: Vec<Cidr>,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            hello_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            hello_max_bytes: protocol::limits::MAX_HELLO_BYTES,
            max_per_ip: 64,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Agent logins: how long a token lives, how often live sockets re-check
/// theirs, how guessing is slowed and how many password checks run at once
/// (see docs/security.md, "Agent accounts and login").
#[derive(Debug, Clone)]
pub struct LoginConfig {
    /// How long an agent stays logged in.
    pub token_ttl_ms: protocol::Millis,
    /// How often live agent sockets re-check their tokens against the store
    /// (revocations made by another process, expiry).
    pub token_recheck: std::time::Duration,
    pub throttle: crate::auth::throttle::ThrottleLimits,
    /// Argon2 checks running at once (each holds 19 MiB).
    pub concurrent_hashes: usize,
    /// How long a login waits for a free check before it is answered 429.
    pub hash_wait: std::time::Duration,
}

impl Default for LoginConfig {
    fn default() -> Self {
        LoginConfig {
            token_ttl_ms: crate::auth::token::AGENT_TOKEN_TTL_MS,
            token_recheck: std::time::Duration::from_secs(5),
            throttle: Default::default(),
            concurrent_hashes: crate::auth::hashing::HashPool::default_slots(),
            hash_wait: std::time::Duration::from_secs(5),
        }
    }
}

/// /metrics: nowhere by default. On its own listener, and/or on the public
/// one behind a bearer token.
#[derive(Debug, Clone, Default)]
pub struct MetricsConfig {
    /// A separate listener serving only /metrics (port 0 picks a free port).
    pub listen: Option<SocketAddr>,
    /// A bearer token: /metrics then also answers on the public listener,
    /// and every listener asks for the token.
    pub token: Option<String>,
}

#[derive(Debug, Clone)]
pub struct VoiceConfig {
    /// How long a call rings before it ends as unanswered.
    pub ring_ms: i64,
    /// How long TURN credentials handed to a call's sides stay valid.
    pub credential_ttl_secs: u64,
    /// The embedded TURN server; `None` turns it off.
    pub turn: Option<TurnConfig>,
    /// External STUN/TURN servers (e.g. coturn on 443). Those without a
    /// username get the same short-lived credentials as the embedded server.
    pub ice_servers: Vec<IceServer>,
    /// The HMAC secret for TURN credentials. `None`: with the embedded server,
    /// one kept in the database (so every node of a scaled-out deployment
    /// shares it); without it, external servers get no generated credentials.
    pub turn_secret: Option<String>,
}

impl Default for VoiceConfig {
    fn default() -> Self {
        VoiceConfig {
            ring_ms: 30_000,
            credential_ttl_secs: 600,
            turn: Some(TurnConfig::default()),
            ice_servers: Vec::new(),
            turn_secret: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TurnConfig {
    /// UDP address the TURN server listens on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// The address clients reach the TURN server and its relays at. `None`:
    /// the listen IP, or this host's primary IPv4 address when listening on
    /// all interfaces.
    pub public_ip: Option<IpAddr>,
    /// Relay ports, inclusive; `None` lets the OS pick any free port.
    pub relay_ports: Option<(u16, u16)>,
    pub realm: String,
    /// Peer ranges relays may reach although they are private or special
    /// (loopback, RFC 1918, link-local…), for on-premises use. Empty: relays
    /// reach public addresses and each other only (turn/peers.rs).
    pub allow_peers: Vec<Cidr>,
}

impl Default for TurnConfig {
    fn default() -> Self {
        TurnConfig {
            listen: "0.0.0.0:3478".parse().expect("valid address"),
            public_ip: None,
            relay_ports: None,
            realm: "tandem".into(),
            allow_peers: Vec::new(),
        }
    }
}

impl Config {
    /// Defaults suitable for tests: loopback, a free port, the repo's static folder.
    pub fn for_tests(database_url: impl Into<String>) -> Config {
        Config {
            listen: "127.0.0.1:0".parse().expect("valid address"),
            database_url: database_url.into(),
            public_url: String::new(),
            demo_listen: None,
            files: crate::http::files::Files::Folder(crate::http::files::default_static_dir()),
            allow_origins: Vec::new(),
            ring_ms: crate::routing::acd::RING_MS,
            after_call_ms: crate::routing::acd::AFTER_CALL_MS,
            frames_per_second: protocol::limits::FRAMES_PER_SECOND,
            purge_interval_ms: 3_600_000,
            connections: ConnLimits::default(),
            trim_memory_ms: 30_000,
            voice: VoiceConfig {
                // A free loopback port, so tests running in parallel do not collide.
                turn: Some(TurnConfig {
                    listen: "127.0.0.1:0".parse().expect("valid address"),
                    ..TurnConfig::default()
                }),
                ..VoiceConfig::default()
            },
            // Tests open many visitors from 127.0.0.1; the flood tests set
            // their own limits.
            visitors: crate::admission::VisitorLimits {
                new_visitors_per_ip: 1_000_000,
                new_visitors_per_site: 1_000_000,
                requests_per_ip: 1_000_000,
                requests_per_site: 1_000_000,
                ..Default::default()
            },
            login: LoginConfig::default(),
            metrics: MetricsConfig::default(),
            cluster: None,
            // Tests deliver to receivers on 127.0.0.1 and wait little.
            webhooks: WebhookConfig {
                allow_private: true,
                timeout: Duration::from_millis(1_000),
                retry_base: Duration::from_millis(200),
                poll: Duration::from_millis(50),
                ..WebhookConfig::default()
            },
        }
    }
}

/// How a node joins a cluster (cluster/).
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// `redis://host:port/`.
    pub redis_url: String,
    /// Prefix of the bus's channels, so clusters may share a Redis.
    pub name: String,
    /// How long the core lease lasts without renewal: the longest a dead
    /// core goes unnoticed.
    pub lease_ttl: Duration,
}

/// The default lease lifetime: a killed core is replaced within it (plus a
/// tick), well inside the 5 seconds its clients may take to resume.
pub const LEASE_TTL: Duration = Duration::from_millis(2500);
