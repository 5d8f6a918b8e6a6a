//! The `tandem` command line. Every flag can also come from a `TANDEM_*`
//! environment variable, which suits containers and service managers.

use std::io::BufRead;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};

use crate::accounts::{self, AccountError, NewAgent};
use crate::admission::VisitorLimits;
use crate::cidr::Cidr;
use crate::config::{Config, ConnLimits, TurnConfig, VoiceConfig, default_static_dir};
use crate::store::{self, AgentStatus, VoicePolicy};

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "Live assistance for websites: chat, co-browsing, voice"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log lines as text for people or JSON (one object a line) for collectors.
    #[arg(long, env = "TANDEM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Args, Clone)]
pub struct Database {
    /// sqlite://path/to/file.db or postgres://user@host/db
    #[arg(
        long,
        env = "TANDEM_DATABASE_URL",
        default_value = "sqlite://data/tandem.db",
        global = true
    )]
    pub database_url: String,
}

// `Serve` is much larger than the other commands; the enum is parsed once.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(Serve),
    /// Manage agents.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Manage sites (the websites that embed the widget).
    #[command(subcommand)]
    Site(SiteCommand),
    /// Export or erase what is stored about a visitor (docs/privacy.md).
    #[command(subcommand)]
    Visitor(VisitorCommand),
}

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
    /// Folder holding demo/ and dist/ (the built widget and console).
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
    pub db: Database,
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

fn parse_metrics_token(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.chars().count() < 16 || t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(
            "use at least 16 characters without spaces, e.g. from `openssl rand -hex 24`".into(),
        );
    }
    Ok(t.to_string())
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

fn parse_port_range(s: &str) -> Result<(u16, u16), String> {
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

fn parse_cidr(s: &str) -> Result<Cidr, String> {
    s.parse().map_err(|e: crate::cidr::CidrError| e.to_string())
}

fn parse_ice_server(s: &str) -> Result<protocol::IceServer, String> {
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

#[derive(Subcommand)]
pub enum AgentCommand {
    /// Add an agent; the password is read from the first line of stdin.
    Add {
        email: String,
        #[arg(long)]
        name: String,
        /// Comma-separated skills, e.g. billing,technical
        #[arg(long, value_delimiter = ',')]
        skills: Vec<String>,
        /// Sessions the agent handles at once.
        #[arg(long, default_value_t = 4)]
        capacity: u32,
        #[command(flatten)]
        db: Database,
    },
    /// Replace an agent's password (read from the first line of stdin); signs
    /// the agent out everywhere.
    SetPassword {
        email: String,
        #[command(flatten)]
        db: Database,
    },
    /// Stop an agent from working: no login, signed out everywhere, no chats offered.
    Disable {
        email: String,
        #[command(flatten)]
        db: Database,
    },
    /// Let a disabled agent log in again.
    Enable {
        email: String,
        #[command(flatten)]
        db: Database,
    },
    /// Remove an agent for good; their past conversations keep their name.
    Remove {
        email: String,
        #[command(flatten)]
        db: Database,
    },
}

#[derive(Subcommand)]
pub enum SiteCommand {
    /// Add a site or extend its allowed origins.
    Add {
        id: String,
        /// An origin allowed to embed the widget, e.g. https://shop.example.com (repeatable).
        #[arg(long = "origin", required_unless_present_any = ["voice", "hours", "timezone", "max_wait", "retain_days", "legacy_identity_hash"])]
        origins: Vec<String>,
        /// Who may start voice calls: off, agent (default for new sites) or both.
        #[arg(long)]
        voice: Option<VoicePolicy>,
        /// Opening hours, e.g. "mon-fri 09:00-18:00, sat 10:00-14:00"; outside
        /// them waiting visitors are offered to leave a message or be called
        /// back. "always" removes them.
        #[arg(long)]
        hours: Option<String>,
        /// The IANA time zone of the opening hours, e.g. Europe/Paris (default UTC).
        #[arg(long)]
        timezone: Option<String>,
        /// Longest estimated wait, in seconds, before waiting visitors are
        /// offered to leave a message or be called back; 0 removes the limit.
        #[arg(long)]
        max_wait: Option<u32>,
        /// Days visitors' personal data is kept after a conversation ends or
        /// the visitor was last seen, then erased by the server's purge
        /// (docs/privacy.md); 0 keeps it until erased by hand (the default).
        #[arg(long)]
        retain_days: Option<u32>,
        /// Whether `Tandem.identify` may still verify with the bare hash of
        /// the user id (replayable forever) instead of an expiring signed
        /// token: on or off (default off; see docs/security.md).
        #[arg(long, value_parser = parse_on_off)]
        legacy_identity_hash: Option<bool>,
        #[command(flatten)]
        db: Database,
    },
    /// Print the site's identity secret: its backend signs identity tokens
    /// (JWT, HS256) with it so `Tandem.identify` marks visitors verified.
    Secret {
        id: String,
        #[command(flatten)]
        db: Database,
    },
}

#[derive(Subcommand)]
pub enum VisitorCommand {
    /// Print as JSON everything stored about a person: their visitor rows
    /// (every device verified as the same user), identity, page views, and
    /// sessions with transcripts, call-backs and wrap-ups.
    Export {
        /// A visitor id, an email, the site's user id, or a call-back's
        /// email or phone number.
        who: String,
        /// Only this site's visitors.
        #[arg(long)]
        site: Option<String>,
        #[command(flatten)]
        db: Database,
    },
    /// Erase a person's identity, messages, page views and call-back
    /// details; their sessions stay as anonymous counts. Refused while one
    /// of their conversations is still open.
    Erase {
        /// A visitor id, an email, the site's user id, or a call-back's
        /// email or phone number.
        who: String,
        /// Only this site's visitors.
        #[arg(long)]
        site: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        db: Database,
    },
}

fn parse_on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("{s:?}: use on or off")),
    }
}

fn parse_site_origin(s: &str) -> Result<(String, String), String> {
    let (site, origin) = s.split_once('=').ok_or("expected SITE=ORIGIN")?;
    let origin = origin.trim();
    check_origin(origin)?;
    Ok((site.trim().to_string(), origin.to_string()))
}

/// An origin as browsers send it: `http` or `https`, a host, maybe a port,
/// nothing else (no path, query, user or whitespace). A trailing slash is
/// tolerated, as people paste one.
fn check_origin(origin: &str) -> Result<(), String> {
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

fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Runs a command; the exit code tells scripts what happened (3: already exists).
pub async fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Serve(s) => serve(s).await.map(|_| 0),
        Command::Agent(AgentCommand::Add {
            email,
            name,
            skills,
            capacity,
            db,
        }) => {
            let store = store::open(&db.database_url).await?;
            let password = read_password()?;
            let new = NewAgent {
                email: &email,
                name: &name,
                password: &password,
                skills,
                capacity,
            };
            match accounts::add_agent(store.as_ref(), new).await {
                Ok(agent) => {
                    println!(
                        "added agent {} <{}> ({})",
                        agent.name, agent.email, agent.id
                    );
                    Ok(0)
                }
                Err(AccountError::Exists) => {
                    eprintln!("error: an agent with the email {email} already exists");
                    Ok(3)
                }
                Err(e) => bail!(e),
            }
        }
        Command::Agent(AgentCommand::SetPassword { email, db }) => {
            let store = store::open(&db.database_url).await?;
            let password = read_password()?;
            if accounts::set_password(store.as_ref(), &email, &password).await? {
                println!("password updated for {email}");
                Ok(0)
            } else {
                eprintln!("error: no agent with the email {email}");
                Ok(4)
            }
        }
        Command::Agent(AgentCommand::Disable { email, db }) => {
            agent_status(&db, &email, AgentStatus::Disabled).await
        }
        Command::Agent(AgentCommand::Enable { email, db }) => {
            agent_status(&db, &email, AgentStatus::Active).await
        }
        Command::Agent(AgentCommand::Remove { email, db }) => {
            agent_status(&db, &email, AgentStatus::Removed).await
        }
        Command::Site(SiteCommand::Add {
            id,
            origins,
            voice,
            hours,
            timezone,
            max_wait,
            retain_days,
            legacy_identity_hash,
            db,
        }) => {
            let store = store::open(&db.database_url).await?;
            for origin in &origins {
                check_origin(origin).map_err(anyhow::Error::msg)?;
                crate::allow_origin(store.as_ref(), &id, origin).await?;
            }
            let mut site = store
                .site(&id)
                .await?
                .unwrap_or_else(|| store::Site::new(&id));
            let changed = voice.is_some()
                || hours.is_some()
                || timezone.is_some()
                || max_wait.is_some()
                || retain_days.is_some()
                || legacy_identity_hash.is_some();
            if let Some(voice) = voice {
                site.voice = voice;
            }
            if let Some(hours) = hours {
                site.hours = (hours.trim() != "always").then_some(hours);
            }
            if let Some(tz) = timezone {
                site.timezone = Some(tz);
            }
            if let Some(secs) = max_wait {
                site.max_wait_secs = (secs > 0).then_some(secs);
            }
            if let Some(days) = retain_days {
                site.retain_days = (days > 0).then_some(days);
            }
            if let Some(on) = legacy_identity_hash {
                site.legacy_identity_hash = on;
            }
            if let Some(spec) = &site.hours {
                let tz = site.timezone.as_deref().unwrap_or("UTC");
                crate::routing::OpeningHours::parse(spec, tz).map_err(anyhow::Error::msg)?;
            }
            if changed {
                store.upsert_site(&site, crate::clock::now_ms()).await?;
            }
            let origins = match site.origins.is_empty() {
                true => "no origin yet".to_string(),
                false => site.origins.join(", "),
            };
            let hours = match (&site.hours, &site.timezone) {
                (Some(h), tz) => format!("{h} ({})", tz.as_deref().unwrap_or("UTC")),
                (None, _) => "always open".into(),
            };
            let wait = site
                .max_wait_secs
                .map_or("no wait limit".into(), |s| format!("wait limit {s} s"));
            let kept = site
                .retain_days
                .map_or("personal data kept until erased".into(), |d| {
                    format!("personal data kept {d} days")
                });
            let legacy = if site.legacy_identity_hash {
                "on"
            } else {
                "off"
            };
            println!(
                "site {} allows {origins}; voice calls: {}; hours: {hours}; {wait}; {kept}; legacy identity hash: {legacy}",
                site.id,
                site.voice.as_str()
            );
            Ok(0)
        }
        Command::Visitor(command) => crate::privacy::command::run(command).await,
        Command::Site(SiteCommand::Secret { id, db }) => {
            let store = store::open(&db.database_url).await?;
            println!(
                "{}",
                crate::auth::identity::site_secret(store.as_ref(), &id).await?
            );
            Ok(0)
        }
    }
}

/// `tandem agent disable|enable|remove`; exit code 4 when no agent has the email.
async fn agent_status(db: &Database, email: &str, status: AgentStatus) -> Result<i32> {
    let store = store::open(&db.database_url).await?;
    if !accounts::set_status(store.as_ref(), email, status).await? {
        eprintln!("error: no agent with the email {email}");
        return Ok(4);
    }
    let done = match status {
        AgentStatus::Active => "enabled",
        AgentStatus::Disabled => "disabled; their consoles close within seconds",
        AgentStatus::Removed => "removed; their consoles close within seconds",
    };
    println!("agent {email} {done}");
    Ok(0)
}

async fn serve(s: Serve) -> Result<()> {
    let config = Config {
        listen: s.listen,
        database_url: s.db.database_url,
        public_url: s.public_url,
        demo_listen: s.demo_listen,
        static_dir: s.static_dir.unwrap_or_else(default_static_dir),
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
    };
    let running = crate::start(config).await?;
    println!("Tandem is running.");
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
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    println!("stopping…");
    running.shutdown().await;
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
