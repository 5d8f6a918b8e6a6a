//! `Reply`: how a REST handler answers with its named payload.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::ApiError;

/// A payload sent as JSON with the keys of every object, at every depth, in
/// alphabetical order: the order the API has always sent them in (its
/// bodies were `serde_json::Value`s, whose maps keep keys sorted), whatever
/// order the payload's structs, or the protocol's, declare their fields in.
pub struct Reply<T>(pub T);

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        match serde_json::to_value(&self.0) {
            Ok(value) => Json(value).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "a REST answer could not be encoded");
                ApiError::internal().into_response()
            }
        }
    }
}
