//! `tandem serve`: its flags, in groups (connections, visitors, logins,
//! metrics, voice), turned into the server's `Config`, and the running
//! server until Ctrl-C.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use clap::builder::TypedValueParser;

use super::database::Database;
use super::parse::{
    parse_cidr, parse_ice_server, parse_metrics_token, parse_port_range, parse_site_origin,
};
use crate::admission::VisitorLimits;
use crate::cidr::Cidr;
use crate::config::{Config, ConnLimits, TurnConfig, VoiceConfig};

#[derive(Args)]
pub struct Serve {
    /// Address for the API, WebSockets and the agent console.
    #[arg(long, env = "TANDEM_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The URL browsers use to reach this server (default: http://<listen>).
    #[arg(long, env = "TANDEM_PUBLIC_URL", default_value = "")]
    pub public_url: String,
    /// Also serve the demo shop here, on its own origin.
    #[arg(long, env = "TANDEM_DEMO_LISTEN")]
    pub demo_listen: Option<SocketAddr>,
    /// Serve the browser files from this folder (holding demo/ and dist/, as
    /// static/ in a checkout) instead of the copies inside the binary: for
    /// development. Default: inside the binary if it was built after the
    /// bundles (`cargo xtask build`), else the checkout's static/.
    #[arg(long, env = "TANDEM_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Allow a site to embed the widget from an origin: SITE=ORIGIN (repeatable,
    /// comma-separated in the environment variable).
    #[arg(long = "allow-origin", env = "TANDEM_ALLOW_ORIGIN", value_delimiter = ',', value_parser = parse_site_origin)]
    pub allow_origins: Vec<(String, String)>,
    /// Seconds an offered request rings for one agent before it moves to the next.
    #[arg(long, env = "TANDEM_RING_SECONDS", default_value_t = 20)]
    pub ring_seconds: u32,
    /// Seconds an ended chat keeps holding its agent's slot while they wrap it
    /// up (after-call work); 0 turns it off.
    #[arg(long, env = "TANDEM_WRAPUP_SECONDS", default_value_t = 30)]
    pub wrapup_seconds: u32,
    /// Text frames one WebSocket connection may send per second, sustained
    /// (twice that in a burst); more is refused with `rate_limited`. People
    /// type far below the default; load tests raise it.
    #[arg(long, env = "TANDEM_FRAMES_PER_SECOND", default_value_t = protocol::limits::FRAMES_PER_SECOND,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub frames_per_second: u32,
    /// Seconds between two passes that delete expired agent tokens and apply
    /// each site's --retain-days (the first pass runs at start).
    #[arg(long, env = "TANDEM_PURGE_INTERVAL_SECONDS", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub purge_interval_seconds: u64,
    /// Seconds between two passes that hand memory the server freed back to
    /// the system (glibc keeps it otherwise, and the resident size creeps up
    /// under churn); 0 turns it off.
    #[arg(long, env = "TANDEM_TRIM_MEMORY_SECONDS", default_value_t = 30)]
    pub trim_memory_seconds: u64,
    /// Let webhooks go to http:// URLs and to private, loopback and
    /// link-local addresses (endpoints inside your own network). Off: only
    /// https:// URLs on public addresses, so a subscription cannot reach
    /// the server's own network.
    #[arg(long, env = "TANDEM_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
    #[command(flatten)]
    pub voice: Voice,
    #[command(flatten)]
    pub connections: Connections,
    #[command(flatten)]
    pub visitors: Visitors,
    #[command(flatten)]
    pub login: Login,
    #[command(flatten)]
    pub metrics: Metrics,
    #[command(flatten)]
    pub cluster: Cluster,
    #[command(flatten)]
    pub db: Database,
}

/// Several nodes (docs/operations.md, "A cluster").
#[derive(Args)]
pub struct Cluster {
    /// Join a cluster: every node runs with the same Postgres
    /// --database-url and this Redis, behind any load balancer.
    #[arg(long, env = "TANDEM_REDIS_URL")]
    pub redis_url: Option<String>,
    /// Names the cluster's channels on Redis, so clusters can share one.
    #[arg(long, env = "TANDEM_CLUSTER_NAME", default_value = "tandem")]
    pub cluster_name: String,
    /// Milliseconds the core lease lasts unrenewed: the longest a dead core
    /// goes unnoticed before another node takes over.
    #[arg(long, env = "TANDEM_LEASE_MS", default_value_t = crate::config::LEASE_TTL.as_millis() as u64,
          value_parser = clap::value_parser!(u64).range(1000..=60_000))]
    pub lease_ms: u64,
}

impl Cluster {
    fn config(self) -> Option<crate::config::ClusterConfig> {
        let redis_url = self.redis_url?;
        Some(crate::config::ClusterConfig {
            redis_url,
            name: self.cluster_name,
            lease_ttl: Duration::from_millis(self.lease_ms),
        })
    }
}

/// Timeouts and per-client caps of connections (see docs/security.md).
#[derive(Args)]
pub struct Connections {
    /// Seconds a client has to send an HTTP request's headers (slowloris guard).
    #[arg(long, env = "TANDEM_HEADER_TIMEOUT_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_seconds: u64,
    /// Seconds a whole HTTP request, body included, may take (408 after).
    #[arg(long, env = "TANDEM_REQUEST_TIMEOUT_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_seconds: u64,
    /// Seconds a WebSocket has to complete `hello` before it is closed (4408).
    #[arg(long, env = "TANDEM_HELLO_TIMEOUT_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub hello_timeout_seconds: u64,
    /// Seconds between the server's pings on every WebSocket.
    #[arg(long, env = "TANDEM_PING_INTERVAL_SECONDS", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub ping_interval_seconds: u64,
    /// Seconds a WebSocket may send nothing, not even a pong, before it is
    /// closed (4410); longer than the ping interval.
    #[arg(long, env = "TANDEM_IDLE_TIMEOUT_SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(2..=86_400))]
    pub idle_timeout_seconds: u64,
    /// Largest frame a WebSocket may send before its `hello` succeeded.
    #[arg(long, env = "TANDEM_HELLO_MAX_BYTES", default_value_t = protocol::limits::MAX_HELLO_BYTES,
          value_parser = clap::value_parser!(u64).range(1024..=65_536).map(|n| n as usize))]
    pub hello_max_bytes: usize,
    /// Open TCP connections, and WebSockets, per client address (IPv6: per
    /// /64); 0 turns the cap off. Raise it when many people share one address.
    #[arg(long, env = "TANDEM_MAX_CONNECTIONS_PER_IP", default_value_t = 64)]
    pub max_connections_per_ip: usize,
    /// A reverse proxy (IP or CIDR range) whose X-Forwarded-For names the
    /// client (repeatable, comma-separated in the environment variable).
    #[arg(long = "trusted-proxy", env = "TANDEM_TRUSTED_PROXIES", value_delimiter = ',',
          value_parser = crate::net::parse_trusted_proxy)]
    pub trusted_proxies: Vec<Cidr>,
}

impl Connections {
    fn config(self) -> Result<ConnLimits> {
        if self.idle_timeout_seconds <= self.ping_interval_seconds {
            bail!(
                "--idle-timeout-seconds ({}) must be longer than --ping-interval-seconds ({}): \
                 live clients answer pings, and need one to answer",
                self.idle_timeout_seconds,
                self.ping_interval_seconds
            );
        }
        Ok(ConnLimits {
            header_timeout: Duration::from_secs(self.header_timeout_seconds),
            request_timeout: Duration::from_secs(self.request_timeout_seconds),
            hello_timeout: Duration::from_secs(self.hello_timeout_seconds),
            ping_interval: Duration::from_secs(self.ping_interval_seconds),
            idle_timeout: Duration::from_secs(self.idle_timeout_seconds),
            hello_max_bytes: self.hello_max_bytes,
            max_per_ip: self.max_connections_per_ip,
            trusted_proxies: self.trusted_proxies,
        })
    }
}

/// Limits on new visitors and help requests (see docs/security.md). Each
/// per-minute limit is also the burst allowed at once.
#[derive(Args)]
pub struct Visitors {
    /// New visitors (a `hello` without a token) one client address may open a minute.
    #[arg(long, env = "TANDEM_NEW_VISITORS_PER_IP", default_value_t = VisitorLimits::default().new_visitors_per_ip,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub new_visitors_per_ip: u32,
    /// New visitors one site may receive a minute, all addresses together.
    #[arg(long, env = "TANDEM_NEW_VISITORS_PER_SITE", default_value_t = VisitorLimits::default().new_visitors_per_site,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub new_visitors_per_site: u32,
    /// Help requests one client address may make a minute.
    #[arg(long, env = "TANDEM_REQUESTS_PER_IP", default_value_t = VisitorLimits::default().requests_per_ip,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub requests_per_ip: u32,
    /// Help requests one site may receive a minute, all addresses together.
    #[arg(long, env = "TANDEM_REQUESTS_PER_SITE", default_value_t = VisitorLimits::default().requests_per_site,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub requests_per_site: u32,
    /// Requests of one site waiting live in line; more wait outside it (and
    /// are offered a message or a call back), up to as many again.
    #[arg(long, env = "TANDEM_MAX_WAITING_PER_SITE", default_value_t = VisitorLimits::default().max_waiting_per_site,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_waiting_per_site: u32,
}

impl Visitors {
    fn limits(&self) -> VisitorLimits {
        VisitorLimits {
            new_visitors_per_ip: self.new_visitors_per_ip,
            new_visitors_per_site: self.new_visitors_per_site,
            requests_per_ip: self.requests_per_ip,
            requests_per_site: self.requests_per_site,
            max_waiting_per_site: self.max_waiting_per_site,
        }
    }
}

/// Agent logins (see docs/security.md).
#[derive(Args)]
pub struct Login {
    /// Hours an agent stays logged in.
    #[arg(long, env = "TANDEM_AGENT_SESSION_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=24 * 90))]
    pub agent_session_hours: u32,
    /// Seconds between re-checks of live agent sockets' tokens: how soon a
    /// revocation made by another process (`tandem agent set-password`,
    /// `disable`, `remove`) or an expiry closes them.
    #[arg(long, env = "TANDEM_TOKEN_RECHECK_SECONDS", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub token_recheck_seconds: u32,
    /// Password checks (Argon2, 19 MiB each) running at once; default: the number of cores.
    #[arg(long, env = "TANDEM_LOGIN_CONCURRENCY",
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub login_concurrency: Option<u32>,
}

impl Login {
    fn config(self) -> crate::config::LoginConfig {
        let defaults = crate::config::LoginConfig::default();
        crate::config::LoginConfig {
            token_ttl_ms: i64::from(self.agent_session_hours) * 3600 * 1000,
            token_recheck: std::time::Duration::from_secs(self.token_recheck_seconds.into()),
            concurrent_hashes: self
                .login_concurrency
                .map_or(defaults.concurrent_hashes, |n| n as usize),
            ..defaults
        }
    }
}

/// Where Prometheus scrapes /metrics (see docs/operations.md).
#[derive(Args)]
pub struct Metrics {
    /// Serve /metrics on this address only (e.g. an internal interface). By
    /// default /metrics is not served at all.
    #[arg(long, env = "TANDEM_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Also serve /metrics on the public listener, to requests that carry
    /// `Authorization: Bearer TOKEN` (at least 16 characters); the metrics
    /// listener then asks for it too.
    #[arg(long, env = "TANDEM_METRICS_TOKEN", hide_env_values = true, value_parser = parse_metrics_token)]
    pub metrics_token: Option<String>,
}

/// Voice calls and the embedded TURN server (see docs/operations.md).
#[derive(Args)]
pub struct Voice {
    /// Seconds a voice call rings before it ends unanswered.
    #[arg(long, env = "TANDEM_CALL_RING_SECONDS", default_value_t = 30)]
    pub call_ring_seconds: u32,
    /// UDP address of the embedded TURN server.
    #[arg(long, env = "TANDEM_TURN_LISTEN", default_value = "0.0.0.0:3478")]
    pub turn_listen: SocketAddr,
    /// Do not run the embedded TURN server (use --ice-server instead).
    #[arg(long, env = "TANDEM_NO_TURN")]
    pub no_turn: bool,
    /// The IP clients reach the TURN server and its relays at (default: the
    /// listen IP, or this host's primary IPv4 address when listening on 0.0.0.0).
    #[arg(long, env = "TANDEM_TURN_PUBLIC_IP")]
    pub turn_public_ip: Option<IpAddr>,
    /// UDP ports for relayed media, MIN-MAX (default: any free port).
    #[arg(long, env = "TANDEM_TURN_RELAY_PORTS", value_parser = parse_port_range)]
    pub turn_relay_ports: Option<(u16, u16)>,
    #[arg(long, env = "TANDEM_TURN_REALM", default_value = "tandem")]
    pub turn_realm: String,
    /// Let relays reach a private or special range, e.g. 10.20.0.0/16, for
    /// on-premises use (repeatable, comma-separated in the environment
    /// variable). By default they reach public addresses only.
    #[arg(long = "turn-allow-peer", env = "TANDEM_TURN_ALLOW_PEERS", value_delimiter = ',',
          value_parser = parse_cidr)]
    pub turn_allow_peers: Vec<Cidr>,
    /// Secret for TURN credentials; every node must share it (default: one
    /// generated once and kept in the database).
    #[arg(long, env = "TANDEM_TURN_SECRET", hide_env_values = true)]
    pub turn_secret: Option<String>,
    /// Seconds TURN credentials stay valid.
    #[arg(long, env = "TANDEM_TURN_CREDENTIAL_TTL", default_value_t = 600)]
    pub turn_credential_ttl: u64,
    /// An external STUN/TURN server handed to clients: URL[;USERNAME;CREDENTIAL],
    /// e.g. "turns:turn.example.com:443?transport=tcp;user;secret" (repeatable,
    /// space-separated in the environment variable).
    #[arg(long = "ice-server", env = "TANDEM_ICE_SERVERS", value_delimiter = ' ', value_parser = parse_ice_server)]
    pub ice_servers: Vec<protocol::IceServer>,
}

impl Voice {
    fn config(self) -> VoiceConfig {
        VoiceConfig {
            ring_ms: i64::from(self.call_ring_seconds.max(1)) * 1000,
            credential_ttl_secs: self.turn_credential_ttl.max(60),
            turn: (!self.no_turn).then_some(TurnConfig {
                listen: self.turn_listen,
                public_ip: self.turn_public_ip,
                relay_ports: self.turn_relay_ports,
                realm: self.turn_realm,
                allow_peers: self.turn_allow_peers,
            }),
            ice_servers: self.ice_servers,
            turn_secret: self.turn_secret,
        }
    }
}

pub(super) async fn serve(s: Serve) -> Result<()> {
    let config = Config {
        listen: s.listen,
        database_url: s.db.database_url,
        public_url: s.public_url,
        demo_listen: s.demo_listen,
        files: crate::http::files::Files::resolve(s.static_dir),
        allow_origins: s.allow_origins,
        ring_ms: i64::from(s.ring_seconds.max(1)) * 1000,
        after_call_ms: i64::from(s.wrapup_seconds) * 1000,
        frames_per_second: s.frames_per_second,
        purge_interval_ms: s.purge_interval_seconds.saturating_mul(1000),
        trim_memory_ms: s.trim_memory_seconds.saturating_mul(1000),
        voice: s.voice.config(),
        connections: s.connections.config()?,
        visitors: s.visitors.limits(),
        login: s.login.config(),
        metrics: crate::config::MetricsConfig {
            listen: s.metrics.metrics_listen,
            token: s.metrics.metrics_token,
        },
        cluster: s.cluster.config(),
        webhooks: crate::config::WebhookConfig {
            allow_private: s.webhook_allow_private,
            ..Default::default()
        },
    };
    let files = config.files.describe();
    let running = crate::start(config).await?;
    println!("Tandem is running.");
    println!("  Browser files: {files}");
    println!("  Agent console: {}/agent", running.public_url);
    if let Some(demo) = running.demo_url() {
        println!("  Demo shop:     {demo}/");
    }
    if let Some(turn) = running.turn_addr {
        println!("  TURN (UDP):    turn:{turn}");
    }
    if let Some(metrics) = running.metrics_addr {
        println!("  Metrics:       http://{metrics}/metrics");
    }
    let ready = serde_json::json!({
        "server": running.public_url,
        "demo": running.demo_url(),
        "turn": running.turn_addr.map(|a| a.to_string()),
        "metrics": running.metrics_addr.map(|a| a.to_string()),
    });
    // One machine-readable line for scripts and the e2e tests.
    println!("TANDEM_READY {ready}");
    stop_requested().await?;
    println!("stopping: clients are told to reconnect…");
    running.shutdown().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM (what a service manager or an orchestrator sends).
async fn stop_requested() -> Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    tokio::select! {
        ctrl_c = tokio::signal::ctrl_c() => ctrl_c.context("waiting for Ctrl-C"),
        _ = term.recv() => Ok(()),
    }
}
