//! Customers for integrations (`/api/v1/customers`): found by the site's
//! user id or by email (`?by=email&key=…`), one by visitor id with their conversations, and
//! the export and erasure of everything kept about them (docs/privacy.md).
//! The console's customer panel, behind a session, is customers.rs.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use protocol::integration::{
    Conversation, CustomerExport, CustomerList, CustomerRecord, ErasureReply, TokenScope,
};
use serde::Deserialize;

use super::caller::Caller;
use super::customers::customer_of;
use super::error::ApiError;
use super::extract::Params;
use super::reply::Reply;
use super::state::AppState;
use crate::clock::now_ms;
use crate::privacy::export::export;
use crate::store::{StoreError, Visitor};

/// Conversations listed with each customer, newest first.
const CONVERSATIONS: u32 = 50;
/// Most customers one lookup answers with.
const MAX_FOUND: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/customers", get(find))
        .route("/api/v1/customers/{id}", get(one).delete(erase))
        .route("/api/v1/customers/{id}/export", get(export_one))
}

/// What a customer lookup compares `key` with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LookupBy {
    /// The email the customer gave, in any case.
    Email,
    /// The site's own user id, as passed to `Tandem.identify`.
    ExternalId,
}

/// How to find customers: `by=email&key=kim@example.com`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FindQuery {
    /// Which field `key` is.
    #[param(inline)]
    by: LookupBy,
    /// The email or user id to look for (1 to 200 characters).
    #[param(min_length = 1, max_length = 200)]
    key: String,
    /// Only this site's customers.
    site: Option<String>,
}

async fn record(app: &AppState, v: Visitor) -> Result<CustomerRecord, ApiError> {
    let sessions = app.store.customer_sessions(&v.id, CONVERSATIONS).await?;
    Ok(CustomerRecord {
        site: v.site.clone(),
        customer: customer_of(v),
        conversations: sessions
            .into_iter()
            .map(|s| Conversation {
                session: s.summary(),
                wrapup: s.wrapup,
            })
            .collect(),
    })
}

/// Find customers by the site's user id or by email (scope `read`).
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers",
    params(FindQuery),
    responses((status = 200, description = "The customers found, by site then last seen", body = CustomerList)))]
pub async fn find(
    State(app): State<AppState>,
    caller: Caller,
    Params(q): Params<FindQuery>,
) -> Result<Reply<CustomerList>, ApiError> {
    caller.require(TokenScope::Read)?;
    if q.key.is_empty() || q.key.chars().count() > 200 {
        return Err(ApiError::invalid("key must be 1 to 200 characters"));
    }
    let by_email = q.by == LookupBy::Email;
    let key = if by_email {
        q.key.trim().to_lowercase()
    } else {
        q.key
    };
    // The store also matches ids and call-back contacts; keep exact matches
    // of the field asked for.
    let site = q.site.filter(|s| !s.is_empty());
    let found = app.store.find_visitors(&key, site.as_deref()).await?;
    let mut customers = Vec::new();
    for v in found.into_iter().filter(|v| {
        if by_email {
            v.identity.email.as_deref().map(str::to_lowercase) == Some(key.clone())
        } else {
            v.identity.id.as_deref() == Some(key.as_str())
        }
    }) {
        if customers.len() == MAX_FOUND {
            break;
        }
        customers.push(record(&app, v).await?);
    }
    Ok(Reply(CustomerList { customers }))
}

async fn visitor(app: &AppState, id: &str) -> Result<Visitor, ApiError> {
    app.store
        .visitor(id)
        .await?
        .ok_or_else(|| ApiError::not_found("unknown_customer", "no such customer"))
}

/// One customer (a visitor id) with their conversations (scope `read`).
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = String, Path, description = "The visitor's id (`v_…`)")),
    responses((status = 200, description = "The customer", body = CustomerRecord)))]
pub async fn one(
    State(app): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<Reply<CustomerRecord>, ApiError> {
    caller.require(TokenScope::Read)?;
    let v = visitor(&app, &id).await?;
    Ok(Reply(record(&app, v).await?))
}

/// Everything kept about the person: this visitor and every device the site
/// verified as the same user (scope `admin`).
#[utoipa::path(get, path = "/api/v1/customers/{id}/export", tag = "customers",
    params(("id" = String, Path, description = "The visitor's id (`v_…`)")),
    responses((status = 200, description = "The export", body = CustomerExport)))]
pub async fn export_one(
    State(app): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<Reply<CustomerExport>, ApiError> {
    caller.require(TokenScope::Admin)?;
    visitor(&app, &id).await?;
    let person = app.store.linked_visitors(&id).await?;
    Ok(Reply(export(app.store.as_ref(), &person, now_ms()).await?))
}

/// Erase everything personal kept about the person (scope `admin`): their
/// conversations stay as anonymous counts. 409 `session_open` while one of
/// their conversations runs; nothing is erased then.
#[utoipa::path(delete, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = String, Path, description = "The visitor's id (`v_…`)")),
    responses((status = 200, description = "What was erased", body = ErasureReply)))]
pub async fn erase(
    State(app): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<Reply<ErasureReply>, ApiError> {
    caller.require(TokenScope::Admin)?;
    visitor(&app, &id).await?;
    let ids: Vec<String> = app
        .store
        .linked_visitors(&id)
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect();
    match app.store.erase_visitors(&ids, now_ms()).await {
        Ok(e) => Ok(Reply(ErasureReply {
            sessions: e.sessions,
            events: e.events,
            page_views: e.page_views,
            visitors_deleted: e.visitors_deleted,
            visitors_anonymised: e.visitors_anonymised,
        })),
        Err(StoreError::SessionOpen(session)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "session_open",
            format!("their conversation {session} has not ended; erase once it has"),
        )),
        Err(e) => Err(e.into()),
    }
}
