//! `/metrics` for Prometheus. Not on the public listener by default: it is
//! served on its own listener (`--metrics-listen`, for an internal network)
//! and, only when a bearer token is configured (`--metrics-token`), on the
//! public one too. With a token, every listener asks for it.
//!
//! The handler reads the hub's `MetricsView`: counters and live figures,
//! no store, so a scrape cannot cost a query.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::cluster::{Live, Route};
use crate::metrics::prometheus;

#[derive(Clone)]
struct Scrape {
    live: Live,
    /// SHA-256 of the configured token, if any.
    token: Option<Arc<[u8; 32]>>,
}

/// A router with only `/metrics`, usable in any app (`S` is the app's state).
pub fn router<S>(live: Live, token: Option<&str>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let token = token.map(|t| Arc::new(digest(t)));
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(Scrape { live, token })
}

async fn metrics(State(scrape): State<Scrape>, headers: HeaderMap) -> Response {
    if let Some(expected) = &scrape.token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if !given.is_some_and(|g| same(&digest(g), expected)) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "a bearer token is required\n",
            )
                .into_response();
        }
    }
    // The hub's figures: on a gateway node of a cluster, the core's as it
    // last published them, so every node answers for the whole cluster.
    let body = match scrape.live.route() {
        Some((_, Route::Core(hub))) => {
            let view = hub.metrics_view();
            Some(prometheus::render(view.counters(), &view.live()))
        }
        Some((_, Route::Gateway(gateway))) => gateway.metrics().await,
        None => None,
    };
    let Some(body) = body else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the cluster is choosing the node that keeps the figures; try again\n",
        )
            .into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares two digests without stopping at the first difference. Comparing
/// digests rather than the tokens also hides the token's length; a timing
/// difference could only reveal bytes of a hash, which do not lead back to
/// the token.
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_by_digest() {
        assert!(same(&digest("s3cret-token"), &digest("s3cret-token")));
        assert!(!same(&digest("s3cret-token"), &digest("s3cret-tokeN")));
        assert!(!same(&digest(""), &digest("s3cret-token")));
    }
}
