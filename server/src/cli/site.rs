//! `tandem site add|secret`: the websites that embed the widget.

use anyhow::Result;
use clap::Subcommand;

use super::database::Database;
use super::parse::{check_origin, parse_on_off};
use crate::store::{self, VoicePolicy};

#[derive(Subcommand)]
pub enum SiteCommand {
    /// Add a site or extend its allowed origins.
    Add {
        id: String,
        /// An origin allowed to embed the widget, e.g. https://shop.example.com (repeatable).
        #[arg(long = "origin", required_unless_present_any = ["voice", "hours", "timezone", "max_wait", "retain_days", "legacy_identity_hash", "screen_pop"])]
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
        /// The CRM's page for a customer, opened in the console when an agent
        /// accepts an identified customer, with {external_id}, {email},
        /// {name}, {visitor_id} or {session_id} filled in, e.g.
        /// "https://crm.example.com/customers/{external_id}"; "none" removes it.
        #[arg(long)]
        screen_pop: Option<String>,
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

pub(super) async fn run(command: SiteCommand) -> Result<i32> {
    match command {
        SiteCommand::Add {
            id,
            origins,
            voice,
            hours,
            timezone,
            max_wait,
            retain_days,
            legacy_identity_hash,
            screen_pop,
            db,
        } => {
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
                || legacy_identity_hash.is_some()
                || screen_pop.is_some();
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
            if let Some(template) = screen_pop {
                let template = template.trim();
                site.screen_pop = if template == "none" {
                    None
                } else {
                    crate::screen_pop::check_template(template).map_err(anyhow::Error::msg)?;
                    Some(template.to_string())
                };
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
            let pop = site.screen_pop.as_deref().unwrap_or("none");
            println!(
                "site {} allows {origins}; voice calls: {}; hours: {hours}; {wait}; {kept}; legacy identity hash: {legacy}; screen pop: {pop}",
                site.id,
                site.voice.as_str()
            );
            Ok(0)
        }
        SiteCommand::Secret { id, db } => {
            let store = store::open(&db.database_url).await?;
            println!(
                "{}",
                crate::auth::identity::site_secret(store.as_ref(), &id).await?
            );
            Ok(0)
        }
    }
}
