//! The `tandem` command line. Every flag can also come from a `TANDEM_*`
//! environment variable, which suits containers and service managers.

use std::io::BufRead;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::accounts::{self, AccountError, NewAgent};
use crate::cidr::Cidr;
use crate::config::{Config, TurnConfig, VoiceConfig, default_static_dir};
use crate::store::{self, VoicePolicy};

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "Live assistance for websites: chat, co-browsing, voice"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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

// Built once, at start-up: `Serve` being large costs nothing worth a box.
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
    pub db: Database,
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
    /// Replace an agent's password (read from the first line of stdin).
    SetPassword {
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
        #[arg(long = "origin", required_unless_present_any = ["voice", "hours", "timezone", "max_wait", "retain_days"])]
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
        #[command(flatten)]
        db: Database,
    },
    /// Print the site's identity secret: its backend signs user ids with it
    /// (hex HMAC-SHA256) so `Tandem.identify` marks them verified.
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

fn parse_site_origin(s: &str) -> Result<(String, String), String> {
    let (site, origin) = s.split_once('=').ok_or("expected SITE=ORIGIN")?;
    check_origin(origin)?;
    Ok((site.trim().to_string(), origin.trim().to_string()))
}

fn check_origin(origin: &str) -> Result<(), String> {
    let ok = (origin.starts_with("http://") || origin.starts_with("https://"))
        && !origin.trim_end_matches('/')[8..].contains('/');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{origin:?} is not an origin like https://shop.example.com"
        ))
    }
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
        Command::Site(SiteCommand::Add {
            id,
            origins,
            voice,
            hours,
            timezone,
            max_wait,
            retain_days,
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
                || retain_days.is_some();
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
            println!(
                "site {} allows {origins}; voice calls: {}; hours: {hours}; {wait}; {kept}",
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
    let ready = serde_json::json!({
        "server": running.public_url,
        "demo": running.demo_url(),
        "turn": running.turn_addr.map(|a| a.to_string()),
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
