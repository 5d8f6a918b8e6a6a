//! `tandem agent add|roles|set-password|disable|enable|remove`: agents' accounts.

use std::io::BufRead;

use anyhow::{Context, Result, bail};
use clap::Subcommand;

use super::database::Database;
use protocol::api::AgentRole;

use crate::accounts::{self, AccountError, NewAgent};
use crate::store::{self, AgentStatus};

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
        /// What the account may do: agent (takes chats), supervisor (the
        /// team board), admin (the library). Repeat or comma-separate;
        /// `agent` alone when absent.
        #[arg(long = "role", value_delimiter = ',', value_parser = parse_role)]
        roles: Vec<AgentRole>,
        #[command(flatten)]
        db: Database,
    },
    /// Replace what an agent may do (as `add --role`); REST requests see it
    /// at once, open consoles when they reconnect.
    Roles {
        email: String,
        #[arg(long = "role", value_delimiter = ',', value_parser = parse_role, required = true)]
        roles: Vec<AgentRole>,
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

pub(super) async fn run(command: AgentCommand) -> Result<i32> {
    match command {
        AgentCommand::Add {
            email,
            name,
            skills,
            capacity,
            roles,
            db,
        } => {
            let store = store::open(&db.database_url).await?;
            let password = read_password()?;
            let new = NewAgent {
                email: &email,
                name: &name,
                password: &password,
                skills,
                capacity,
                roles,
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
        AgentCommand::SetPassword { email, db } => {
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
        AgentCommand::Roles { email, roles, db } => {
            let store = store::open(&db.database_url).await?;
            let roles = accounts::normalise_roles(roles);
            let email = email.trim().to_lowercase();
            if store.set_agent_roles(&email, &roles).await? {
                let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                println!("agent {email} is now: {}", names.join(", "));
                Ok(0)
            } else {
                eprintln!("error: no agent with the email {email}");
                Ok(4)
            }
        }
        AgentCommand::Disable { email, db } => {
            agent_status(&db, &email, AgentStatus::Disabled).await
        }
        AgentCommand::Enable { email, db } => agent_status(&db, &email, AgentStatus::Active).await,
        AgentCommand::Remove { email, db } => agent_status(&db, &email, AgentStatus::Removed).await,
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

fn parse_role(s: &str) -> Result<AgentRole, String> {
    AgentRole::parse(s.trim())
        .ok_or_else(|| format!("{s:?} is not a role (agent, supervisor, admin)"))
}

fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
