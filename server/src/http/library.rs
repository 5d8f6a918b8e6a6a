//! The agents' library over REST: canned responses (expanded from
//! `/shortcut` in the console's composer) and knowledge-base articles
//! (suggested when their keywords match what the visitor wrote).
//!
//! `GET /api/v1/library` lists every item (any agent, or a token);
//! `POST /api/v1/library` adds one (or replaces it, when `id` names an
//! existing one) and `DELETE /api/v1/library/{id}` removes it (admins, or
//! a token of scope `write`).

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use protocol::api::{LibraryItemReply, LibraryReply};
use protocol::integration::TokenScope;
use protocol::limits::{MAX_MESSAGE_CHARS, MAX_SHORT_CHARS, MAX_URL_CHARS};

use super::caller::Caller;
use super::error::ApiError;
use super::extract::trim_spaces;
use super::reply::Reply;
use super::state::AppState;
use crate::clock::now_ms;
use crate::ids::new_id;
use crate::store::{LibraryItem, LibraryKind, StoreError};

/// Most items the library holds; the console loads them all.
const MAX_ITEMS: usize = 2_000;
/// Most keywords per article, and their length.
const MAX_KEYWORDS: usize = 20;
const MAX_KEYWORD_CHARS: usize = 40;
/// Longest shortcut, in characters (letters, digits, `-` and `_`).
const MAX_SHORTCUT_CHARS: usize = 32;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/library", get(list).post(put))
        .route("/api/v1/library/{id}", delete(remove))
}

/// The library: canned responses and articles, by title (any agent, or scope `read`).
#[utoipa::path(get, path = "/api/v1/library", tag = "library",
    responses((status = 200, description = "Every item", body = LibraryReply)))]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Reply<LibraryReply>, ApiError> {
    if let Caller::Token(_) = caller {
        caller.require(TokenScope::Read)?;
    }
    let items = app.store.library().await?;
    Ok(Reply(LibraryReply { items }))
}

/// Add an item, or replace the one whose `id` it names (admins, or scope `write`).
#[utoipa::path(post, path = "/api/v1/library", tag = "library",
    request_body = LibraryItem,
    responses(
        (status = 201, description = "Added", body = LibraryItemReply),
        (status = 200, description = "Replaced", body = LibraryItemReply)))]
pub async fn put(
    State(app): State<AppState>,
    caller: Caller,
    body: Result<axum::Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Reply<LibraryItemReply>), ApiError> {
    caller.require(TokenScope::Write)?;
    let invalid = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_item", m);
    let axum::Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    let mut item: LibraryItem =
        serde_json::from_value(body).map_err(|e| invalid(format!("not a library item: {e}")))?;
    let fresh = item.id.trim().is_empty();
    if fresh {
        item.id = new_id("k_");
    }
    normalise(&mut item).map_err(invalid)?;
    if fresh && app.store.library().await?.len() >= MAX_ITEMS {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "library_full",
            format!("the library holds at most {MAX_ITEMS} items"),
        ));
    }
    match app.store.put_library_item(&item, now_ms()).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "shortcut_taken",
                format!(
                    "another canned response already uses /{}",
                    item.shortcut.unwrap_or_default()
                ),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let status = if fresh {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Reply(LibraryItemReply { item })))
}

/// Remove an item (admins, or scope `write`).
#[utoipa::path(delete, path = "/api/v1/library/{id}", tag = "library",
    params(("id" = String, Path, description = "The item's id")),
    responses((status = 204, description = "Removed")))]
pub async fn remove(
    State(app): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    caller.require(TokenScope::Write)?;
    if app.store.delete_library_item(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_item",
            "no such library item",
        ))
    }
}

/// Checks every field against its limit and tidies it: shortcuts lowercased
/// without the slash, keywords lowercased, trimmed and deduplicated.
fn normalise(item: &mut LibraryItem) -> Result<(), String> {
    let chars = |name: &str, v: &str, max: usize| {
        if v.chars().count() > max {
            Err(format!("{name} is longer than {max} characters"))
        } else {
            Ok(())
        }
    };
    chars("id", &item.id, 64)?;
    item.title = trim_spaces(&item.title).to_string();
    if item.title.is_empty() {
        return Err("a title is required".into());
    }
    chars("title", &item.title, MAX_SHORT_CHARS)?;
    if trim_spaces(&item.body).is_empty() {
        return Err("a text is required".into());
    }
    chars("body", &item.body, MAX_MESSAGE_CHARS)?;
    item.url = item.url.trim().to_string();
    chars("url", &item.url, MAX_URL_CHARS)?;
    let web = item.url.starts_with("https://") || item.url.starts_with("http://");
    if !item.url.is_empty() && !web {
        return Err("url must start with https:// or http://".into());
    }
    match item.kind {
        LibraryKind::Canned => {
            let given = item.shortcut.as_deref().unwrap_or("").trim();
            let shortcut = if given.is_empty() {
                shortcut_from(&item.title, &item.id)
            } else {
                given.trim_start_matches('/').to_lowercase()
            };
            let valid = !shortcut.is_empty()
                && shortcut.chars().count() <= MAX_SHORTCUT_CHARS
                && shortcut
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(format!(
                    "a canned response needs a shortcut of 1 to {MAX_SHORTCUT_CHARS} letters, digits, - or _"
                ));
            }
            item.shortcut = Some(shortcut);
        }
        LibraryKind::Article => item.shortcut = None,
    }
    let mut keywords: Vec<String> = Vec::new();
    for k in &item.keywords {
        // Measured before lower case, which may lengthen a word.
        chars("keyword", k.trim(), MAX_KEYWORD_CHARS)?;
        let k = k.trim().to_lowercase();
        if !k.is_empty() && !keywords.contains(&k) {
            keywords.push(k);
        }
    }
    if keywords.len() > MAX_KEYWORDS {
        return Err(format!("at most {MAX_KEYWORDS} keywords"));
    }
    item.keywords = keywords;
    Ok(())
}

/// A shortcut for a canned response sent without one: its title's letters
/// and digits, lower case, words joined by `-` (or, for a title without
/// any, part of its id), at most `MAX_SHORTCUT_CHARS`.
fn shortcut_from(title: &str, id: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(MAX_SHORTCUT_CHARS);
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        let alnum: Vec<char> = id.chars().filter(char::is_ascii_alphanumeric).collect();
        let tail: String = alnum[alnum.len().saturating_sub(8)..].iter().collect();
        format!("reply-{tail}")
    } else {
        slug.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shortcut_is_made_from_the_title_when_none_is_given() {
        assert_eq!(
            shortcut_from("Thanks for waiting!", "k_1"),
            "thanks-for-waiting"
        );
        assert_eq!(
            shortcut_from("  Où est ma commande ?", "k_1"),
            "o-est-ma-commande"
        );
        let long = shortcut_from(&"word ".repeat(20), "k_1");
        assert!(
            long.len() <= MAX_SHORTCUT_CHARS && !long.ends_with('-'),
            "{long}"
        );
        assert_eq!(shortcut_from("日本", "k_ab12cd34ef"), "reply-12cd34ef");
    }
}
