//! Static files: the agent console under /agent (strict CSP) and the widget
//! bundle under /widget (public, loadable from any site).

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;
use axum::routing::{MethodRouter, get};
use tower_http::cors::CorsLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use super::files::{self, Files};
use super::state::AppState;

/// The console's Content Security Policy: no inline script, no foreign hosts,
/// wasm allowed; mirrors of visitor pages live in sandboxed same-origin
/// frames loaded from [`MIRROR_PATH`].
pub const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The empty document each mirror iframe loads before the console fills it.
pub use protocol::cobrowse::MIRROR_PATH;

/// The mirror's own policy. A mirror shows the visitor's page with its
/// images, fonts and stylesheets, which live on the site's origins, so it
/// may load those from anywhere; it may run nothing at all (no script, no
/// plugin, no form, no connection), on top of the iframe's sandbox and the
/// console's sanitising. Under the console's policy it would inherit
/// (an about:blank frame does), every visitor image was blocked.
pub const MIRROR_CSP: &str = "default-src 'none'; script-src 'none'; object-src 'none'; \
     img-src * data: blob:; style-src * 'unsafe-inline'; font-src * data:; media-src * data: blob:; \
     frame-src 'self'; connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'";

/// The mirror document: filled by the console through the DOM.
const MIRROR_HTML: &str =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body></body></html>";

pub fn router(files: &Files) -> Router<AppState> {
    if !files.has_bundles() {
        tracing::warn!(files = %files.describe(), "browser bundles are missing: run `cargo xtask build`");
    }
    let console = Router::new()
        .route("/agent", get(console_index))
        .route("/agent/", get(console_index))
        .route("/agent/{*path}", files_under("dist/agent"))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONSOLE_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ));
    let widget = Router::new()
        .route("/widget/{*path}", files_under("dist/widget"))
        // The widget runs on customers' sites: its files are public and fetched cross-origin.
        .layer(CorsLayer::new().allow_origin(tower_http::cors::Any))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ));
    console.merge(mirror()).merge(widget)
}

async fn console_index(State(app): State<AppState>, request: HeaderMap) -> Response {
    files::respond(&app.config.files, "dist/agent/index.html", &request, |b| b).await
}

/// GET for the files under `dir` of the server's files (`{*path}` below it).
fn files_under(dir: &'static str) -> MethodRouter<AppState> {
    get(
        move |State(app): State<AppState>, UrlPath(path): UrlPath<String>, request: HeaderMap| async move {
            let rel = format!("{dir}/{path}");
            files::respond(&app.config.files, &rel, &request, |b| b).await
        },
    )
}

fn mirror() -> Router<AppState> {
    let headers = [
        (header::CONTENT_SECURITY_POLICY, MIRROR_CSP),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        // The page's images are fetched by the agent's browser: tell their
        // hosts nothing about the console.
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-cache"),
        (HeaderName::from_static("x-content-type-options"), "nosniff"),
    ];
    Router::new().route(
        MIRROR_PATH,
        axum::routing::get(move || async move { (headers, axum::response::Html(MIRROR_HTML)) }),
    )
}
