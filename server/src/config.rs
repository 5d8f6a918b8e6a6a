//! Server configuration, gathered from the command line and environment (cli.rs)
//! or built directly by tests.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

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
    /// The folder with demo/ and dist/ (built bundles).
    pub static_dir: PathBuf,
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
            static_dir: default_static_dir(),
            allow_origins: Vec::new(),
            ring_ms: crate::routing::acd::RING_MS,
            after_call_ms: crate::routing::acd::AFTER_CALL_MS,
            frames_per_second: protocol::limits::FRAMES_PER_SECOND,
            purge_interval_ms: 3_600_000,
            trim_memory_ms: 30_000,
            voice: VoiceConfig {
                // A free loopback port, so tests running in parallel do not collide.
                turn: Some(TurnConfig {
                    listen: "127.0.0.1:0".parse().expect("valid address"),
                    ..TurnConfig::default()
                }),
                ..VoiceConfig::default()
            },
        }
    }
}

/// `./static` when run from a checkout, else the folder beside the server's sources.
pub fn default_static_dir() -> PathBuf {
    let here = PathBuf::from("static");
    if here.join("demo").exists() || here.join("dist").exists() {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../static"))
}
