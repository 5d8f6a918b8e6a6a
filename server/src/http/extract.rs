//! `Body` and `Params`: axum's `Json` and `Query` whose refusals are
//! problem details like every other error (axum's own are plain text),
//! with the status axum chose (400, 413, 415 or 422).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON request body.
pub struct Body<T>(pub T);

/// The query string's parameters.
pub struct Params<T>(pub T);

fn refused(status: StatusCode, message: String) -> ApiError {
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        _ => "invalid_request",
    };
    ApiError::new(status, code, message)
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(e) => Err(json_refused(e)),
        }
    }
}

fn json_refused(e: JsonRejection) -> ApiError {
    refused(e.status(), e.body_text())
}

fn query_refused(e: QueryRejection) -> ApiError {
    ApiError::invalid(e.body_text())
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(Params(v)),
            Err(e) => Err(query_refused(e)),
        }
    }
}

/// Whitespace as JSON Schema patterns (ECMA-262 `\s`) see it: the document's
/// `\S` ("not blank") must accept exactly what the handlers accept. Rust's
/// `char::is_whitespace` differs by two characters (U+0085, U+FEFF).
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `s` without leading and trailing [`is_space`] characters.
pub fn trim_spaces(s: &str) -> &str {
    s.trim_matches(is_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_means_what_the_schema_pattern_means() {
        assert_eq!(trim_spaces("\u{feff} a \u{3000}"), "a");
        // U+0085 is not `\s` in a schema pattern, so it is not blank here.
        assert_eq!(trim_spaces("\u{85}"), "\u{85}");
        assert_eq!(trim_spaces(" \t\n"), "");
    }
}
