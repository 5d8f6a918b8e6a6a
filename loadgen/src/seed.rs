//! Agents for a benchmark, written into Tandem's database through the
//! server's own library before the server starts, each with a real bearer
//! token, so the run authenticates exactly as production does.

use std::path::Path;

use anyhow::{Context, Result};
use tandem_server::auth::token::AGENT_TOKEN_TTL_MS;
use tandem_server::auth::{AgentTokens, password};
use tandem_server::clock::now_ms;
use tandem_server::ids::new_id;
use tandem_server::store::{self, Agent};

/// Sessions each benchmark agent may hold (one is used per pair; the pairing
/// scenario spreads its requests over all agents).
const CAPACITY: u32 = 4;

/// Adds `agents` agents and writes their tokens, one a line, to `tokens_out`.
pub async fn seed(database_url: &str, agents: usize, tokens_out: &Path) -> Result<()> {
    let store = store::open(database_url)
        .await
        .with_context(|| format!("opening {database_url}"))?;
    // The relay runs authenticate with the tokens; the login scenario logs in
    // with this password. Argon2 is slow on purpose (tens of milliseconds):
    // one hash serves them all.
    let hash = password::hash(crate::logins::SEEDED_PASSWORD);
    let now = now_ms();
    let mut tokens = String::with_capacity(agents * 44);
    for i in 0..agents {
        let agent = Agent {
            id: new_id("a_"),
            email: format!("agent{i}@bench.local"),
            name: format!("Bench Agent {i}"),
            skills: vec![],
            capacity: CAPACITY,
            roles: vec![protocol::api::AgentRole::Agent],
        };
        store.add_agent(&agent, &hash, now).await?;
        let token = AgentTokens::generate();
        store
            .add_agent_token(
                &AgentTokens::hash(&token),
                &agent.id,
                now,
                now + AGENT_TOKEN_TTL_MS,
            )
            .await?;
        tokens.push_str(&token);
        tokens.push('\n');
    }
    std::fs::write(tokens_out, tokens)
        .with_context(|| format!("writing {}", tokens_out.display()))?;
    Ok(())
}
