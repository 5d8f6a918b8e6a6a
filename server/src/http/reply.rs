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

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use serde_json::json;

    use super::*;

    #[derive(Serialize)]
    struct Inner {
        zeta: u8,
        alpha: Option<u8>,
    }

    #[derive(Serialize)]
    struct Outer {
        second: Vec<Inner>,
        first: &'static str,
    }

    /// The bytes are those `Json(json!(…))` sent before payloads had names.
    #[tokio::test]
    async fn keys_are_sorted_at_every_depth_as_before() {
        let payload = Outer {
            second: vec![Inner {
                zeta: 1,
                alpha: None,
            }],
            first: "x",
        };
        let body = Reply(payload).into_response().into_body();
        let sent = to_bytes(body, 1024).await.unwrap();
        let before = json!({"second": [{"zeta": 1, "alpha": null}], "first": "x"});
        assert_eq!(sent, serde_json::to_vec(&before).unwrap());
        assert_eq!(
            &sent[..],
            br#"{"first":"x","second":[{"alpha":null,"zeta":1}]}"#
        );
    }
}
