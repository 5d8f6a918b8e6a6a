//! The demo shop, served on its own listener so it has a different origin
//! from the Tandem server, like a real customer site. Its hand-written
//! files come from static/demo/; `/app/…` from static/dist/demo-app/, where
//! `cargo xtask build` puts the bundled React form (static/demo-app/).

use std::path::{Component, Path, PathBuf};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

#[derive(Clone)]
struct Demo {
    dir: PathBuf,
    /// The built bundles served under `/app/`.
    app_dir: PathBuf,
    tandem_url: String,
}

pub fn router(dir: PathBuf, app_dir: PathBuf, tandem_url: String) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/{*path}", get(file))
        .with_state(Demo {
            dir,
            app_dir,
            tandem_url,
        })
}

async fn index(State(demo): State<Demo>) -> Response {
    serve(&demo, "index.html").await
}

async fn file(State(demo): State<Demo>, UrlPath(path): UrlPath<String>) -> Response {
    serve(&demo, &path).await
}

async fn serve(demo: &Demo, path: &str) -> Response {
    let rel = Path::new(path);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let full = match rel.strip_prefix("app") {
        Ok(built) => demo.app_dir.join(built),
        Err(_) => demo.dir.join(rel),
    };
    let Ok(bytes) = tokio::fs::read(&full).await else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let ext = full.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mime = match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    };
    let body = if ext == "html" {
        String::from_utf8_lossy(&bytes)
            .replace("{{TANDEM_URL}}", &demo.tandem_url)
            .into_bytes()
    } else {
        bytes
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
