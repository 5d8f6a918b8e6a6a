//! The `tandem` command line. Every flag can also come from a `TANDEM_*`
//! environment variable, which suits containers and service managers.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::accounts::{self, AccountError, NewAgent};
use crate::config::{Config, default_static_dir};
use crate::store;

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
    #[command(flatten)]
    pub db: Database,
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
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
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
        Command::Site(SiteCommand::Add { id, origins, db }) => {
            let store = store::open(&db.database_url).await?;
            for origin in &origins {
                check_origin(origin).map_err(anyhow::Error::msg)?;
                crate::allow_origin(store.as_ref(), &id, origin).await?;
            }
            let site = store.site(&id).await?.context("site just written")?;
            println!("site {} allows {}", site.id, site.origins.join(", "));
            Ok(0)
        }
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
    };
    let running = crate::start(config).await?;
    println!("Tandem is running.");
    println!("  Agent console: {}/agent", running.public_url);
    if let Some(demo) = running.demo_url() {
        println!("  Demo shop:     {demo}/");
    }
    let ready = serde_json::json!({"server": running.public_url, "demo": running.demo_url()});
    // One machine-readable line for scripts and the e2e tests.
    println!("TANDEM_READY {ready}");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    println!("stopping…");
    running.shutdown().await;
    Ok(())
}
