//! Creating agents and sites: shared by the command line and the tests.

use protocol::api::AgentRole;
use protocol::limits::MAX_SHORT_CHARS;

use crate::auth::password;
use crate::clock::now_ms;
use crate::ids::new_id;
use crate::store::{Agent, AgentStatus, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error("an agent with this email already exists")]
    Exists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct NewAgent<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub skills: Vec<String>,
    pub capacity: u32,
    /// What the account may do; empty means `agent` alone.
    pub roles: Vec<AgentRole>,
}

/// `roles` sorted, without repeats; `agent` alone when empty.
pub fn normalise_roles(mut roles: Vec<AgentRole>) -> Vec<AgentRole> {
    if roles.is_empty() {
        roles.push(AgentRole::Agent);
    }
    roles.sort();
    roles.dedup();
    roles
}

fn check_password(password: &str) -> Result<(), AccountError> {
    password::check_new(password).map_err(|weak| AccountError::Invalid(weak.to_string()))
}

/// Emails are kept and compared in lower case.
fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn add_agent(store: &dyn Store, new: NewAgent<'_>) -> Result<Agent, AccountError> {
    let email = normalise_email(new.email);
    if !email.contains('@') || email.len() > 320 {
        return Err(AccountError::Invalid(format!(
            "{email:?} is not an email address"
        )));
    }
    if new.name.trim().is_empty() || new.name.chars().count() > MAX_SHORT_CHARS {
        return Err(AccountError::Invalid(
            "the name must be 1 to 200 characters".into(),
        ));
    }
    if new.capacity == 0 || new.capacity > 50 {
        return Err(AccountError::Invalid(
            "capacity must be between 1 and 50".into(),
        ));
    }
    check_password(new.password)?;
    let agent = Agent {
        id: new_id("a_"),
        email,
        name: new.name.trim().to_string(),
        skills: new
            .skills
            .into_iter()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect(),
        capacity: new.capacity,
        roles: normalise_roles(new.roles),
    };
    let password = new.password.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .expect("hashing does not panic");
    match store.add_agent(&agent, &hash, now_ms()).await {
        Ok(()) => Ok(agent),
        Err(StoreError::Conflict(_)) => Err(AccountError::Exists),
        Err(e) => Err(e.into()),
    }
}

/// Sets a new password and revokes every token of the agent: their open
/// consoles are closed within the server's re-check interval, even when this
/// runs in another process (`tandem agent set-password`). False if no agent
/// has this email.
pub async fn set_password(
    store: &dyn Store,
    email: &str,
    password: &str,
) -> Result<bool, AccountError> {
    check_password(password)?;
    let password = password.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .expect("hashing does not panic");
    Ok(store
        .set_agent_password(&normalise_email(email), &hash)
        .await?)
}

/// Disables (no login, tokens revoked, sockets closed within the re-check
/// interval, no offers), enables again, or removes an agent (never again;
/// their sessions and transcripts keep their name). False if no agent (not
/// removed) has this email.
pub async fn set_status(
    store: &dyn Store,
    email: &str,
    status: AgentStatus,
) -> Result<bool, AccountError> {
    Ok(store
        .set_agent_status(&normalise_email(email), status, now_ms())
        .await?
        .is_some())
}
