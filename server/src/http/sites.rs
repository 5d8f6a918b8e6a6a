//! Sites for integrations (`/api/v1/sites`): their settings, never their
//! identity secret.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use protocol::integration::{SiteInfo, SiteList, TokenScope, VoiceSetting};

use super::caller::Caller;
use super::error::ApiError;
use super::reply::Reply;
use super::state::AppState;
use crate::store::{Site, VoicePolicy};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sites", get(list))
        .route("/api/v1/sites/{id}", get(one))
}

fn shown(site: Site) -> SiteInfo {
    SiteInfo {
        id: site.id,
        name: site.name,
        origins: site.origins,
        voice: match site.voice {
            VoicePolicy::Off => VoiceSetting::Off,
            VoicePolicy::Agent => VoiceSetting::Agent,
            VoicePolicy::Both => VoiceSetting::Both,
        },
        hours: site.hours,
        timezone: site.timezone,
        max_wait_secs: site.max_wait_secs,
        retain_days: site.retain_days,
        screen_pop: site.screen_pop,
    }
}

/// Every site, by id (scope `read`).
#[utoipa::path(get, path = "/api/v1/sites", tag = "sites",
    responses((status = 200, description = "The sites", body = SiteList)))]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Reply<SiteList>, ApiError> {
    caller.require(TokenScope::Read)?;
    let sites = app.store.sites().await?.into_iter().map(shown).collect();
    Ok(Reply(SiteList { sites }))
}

/// One site (scope `read`).
#[utoipa::path(get, path = "/api/v1/sites/{id}", tag = "sites",
    params(("id" = String, Path, description = "The site's id")),
    responses((status = 200, description = "The site", body = SiteInfo)))]
pub async fn one(
    State(app): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<Reply<SiteInfo>, ApiError> {
    caller.require(TokenScope::Read)?;
    match app.store.site(&id).await? {
        Some(site) => Ok(Reply(shown(site))),
        None => Err(ApiError::not_found("unknown_site", "no such site")),
    }
}
