//! `tandem token create|list|revoke`: API tokens for integrations, as the
//! admin screens' `/api/v1/tokens` makes them, for scripts and first setup.

use anyhow::{Result, bail};
use clap::Subcommand;

use super::database::Database;
use crate::clock::now_ms;
use crate::http::make_token;
use crate::store::{self, TokenScope};

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Make a token and print its secret (shown this once; only its hash is kept).
    Create {
        /// What uses it, e.g. "CRM sync".
        #[arg(long)]
        name: String,
        /// read (everything listed by the API), write (also the library) or
        /// admin (also tokens, and customers' export and erasure).
        #[arg(long, value_parser = parse_scope)]
        scope: TokenScope,
        #[command(flatten)]
        db: Database,
    },
    /// List tokens: id, scope, name, when made and last used, revoked or not.
    List {
        #[command(flatten)]
        db: Database,
    },
    /// Revoke a token by id: it stops working at once.
    Revoke {
        id: String,
        #[command(flatten)]
        db: Database,
    },
}

fn parse_scope(s: &str) -> Result<TokenScope, String> {
    TokenScope::parse(s).ok_or_else(|| format!("{s:?} is not one of read, write, admin"))
}

pub(super) async fn run(command: TokenCommand) -> Result<i32> {
    match command {
        TokenCommand::Create { name, scope, db } => {
            let store = store::open(&db.database_url).await?;
            let made = match make_token(store.as_ref(), &name, scope, None).await {
                Ok(made) => made,
                Err(e) => bail!("{}", e.message),
            };
            eprintln!(
                "made token {} ({}, scope {}); its secret, shown only now:",
                made.token.id,
                made.token.name,
                scope.as_str()
            );
            println!("{}", made.secret);
            Ok(0)
        }
        TokenCommand::List { db } => {
            let store = store::open(&db.database_url).await?;
            for t in store.api_tokens().await? {
                let used = t.last_used_at.map_or("never used".to_string(), |at| {
                    format!("last used {}", crate::privacy::time(at))
                });
                let state = t.revoked_at.map_or(String::new(), |at| {
                    format!(", revoked {}", crate::privacy::time(at))
                });
                println!(
                    "{}  {:<5}  {}  (made {}, {used}{state})",
                    t.id,
                    t.scope.as_str(),
                    t.name,
                    crate::privacy::time(t.created_at)
                );
            }
            Ok(0)
        }
        TokenCommand::Revoke { id, db } => {
            let store = store::open(&db.database_url).await?;
            if store.revoke_api_token(&id, now_ms()).await? {
                eprintln!("revoked {id}");
                Ok(0)
            } else {
                eprintln!("error: no token {id:?} that works (unknown, or already revoked)");
                Ok(4)
            }
        }
    }
}
