//! `tandem visitor export|erase`: how an operator answers a person who asks
//! what is held about them, or asks for it to be erased.
//!
//! Exit codes: 0 done, 4 nobody matches, 5 several people match (listed on
//! stderr, nothing done), 6 one of their conversations is still open
//! (nothing erased), 7 erasure not confirmed.

use std::io::BufRead;

use anyhow::Result;
use clap::Subcommand;

use super::database::Database;
use crate::clock::now_ms;
use crate::privacy::{Lookup, describe, export, find_person};
use crate::store::{self, Store, StoreError, Visitor};

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

pub(super) async fn run(command: VisitorCommand) -> Result<i32> {
    match command {
        VisitorCommand::Export { who, site, db } => {
            let store = store::open(&db.database_url).await?;
            let person = match person(store.as_ref(), &who, site.as_deref()).await? {
                Ok(person) => person,
                Err(code) => return Ok(code),
            };
            let json = export::export(store.as_ref(), &person, now_ms()).await?;
            println!("{}", serde_json::to_string_pretty(&json)?);
            Ok(0)
        }
        VisitorCommand::Erase { who, site, yes, db } => {
            let store = store::open(&db.database_url).await?;
            let person = match person(store.as_ref(), &who, site.as_deref()).await? {
                Ok(person) => person,
                Err(code) => return Ok(code),
            };
            eprintln!("Erasing what is stored about:");
            for v in &person {
                eprintln!("  {}", describe(v));
            }
            if !yes && !confirmed()? {
                eprintln!("nothing erased (answer yes, or pass --yes)");
                return Ok(7);
            }
            let ids: Vec<String> = person.iter().map(|v| v.id.clone()).collect();
            match store.erase_visitors(&ids, now_ms()).await {
                Ok(e) => {
                    println!(
                        "erased {} visitor record(s) and {} page view(s); {} conversation(s) kept as anonymous counts, {} of their entries erased",
                        e.visitors_deleted, e.page_views, e.sessions, e.events
                    );
                    Ok(0)
                }
                Err(StoreError::SessionOpen(session)) => {
                    eprintln!(
                        "error: their conversation {session} has not ended. A running server holds it live and would \
                         keep what it knows; end it in the console (or wait for it to end), then erase again. \
                         Nothing was erased."
                    );
                    Ok(6)
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// The person `who` designates, or the exit code after saying why not.
async fn person(
    store: &dyn Store,
    who: &str,
    site: Option<&str>,
) -> Result<Result<Vec<Visitor>, i32>> {
    Ok(match find_person(store, who, site).await? {
        Lookup::Person(person) => Ok(person),
        Lookup::Nobody => {
            eprintln!("error: no visitor has the id, email, user id or call-back contact {who:?}");
            Err(4)
        }
        Lookup::Ambiguous(found) => {
            eprintln!(
                "error: {who:?} matches visitors of several sites or of different user ids; \
                 nothing was done. Name one with --site, its user id or a visitor id:"
            );
            for v in &found {
                eprintln!("  {}", describe(v));
            }
            Err(5)
        }
    })
}

fn confirmed() -> Result<bool> {
    eprint!("Type yes to erase: ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().eq_ignore_ascii_case("yes"))
}
