//! The demo shop, served on its own listener so it has a different origin
//! from the Tandem server, like a real customer site. Its hand-written
//! pages are `demo/`; `/app/…` is `dist/demo-app/`, where `cargo xtask
//! build` puts the bundled React form (static/demo-app/). Both come from
//! the server's files (files.rs): inside the binary, or a folder.

use std::borrow::Cow;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use super::files::{self, Files};

#[derive(Clone)]
struct Demo {
    files: Files,
    tandem_url: String,
}

pub fn router(files: Files, tandem_url: String) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/{*path}", get(file))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .with_state(Demo { files, tandem_url })
}

async fn index(State(demo): State<Demo>, request: HeaderMap) -> Response {
    serve(&demo, "index.html", &request).await
}

async fn file(
    State(demo): State<Demo>,
    UrlPath(path): UrlPath<String>,
    request: HeaderMap,
) -> Response {
    serve(&demo, &path, &request).await
}

async fn serve(demo: &Demo, path: &str, request: &HeaderMap) -> Response {
    let rel = match path.strip_prefix("app/") {
        Some(built) => format!("dist/demo-app/{built}"),
        None => format!("demo/{path}"),
    };
    // The pages name the Tandem server they embed the widget from.
    let pages = rel.ends_with(".html");
    files::respond(&demo.files, &rel, request, |bytes| {
        if pages {
            let page = String::from_utf8_lossy(&bytes).replace("{{TANDEM_URL}}", &demo.tandem_url);
            Cow::Owned(page.into_bytes())
        } else {
            bytes
        }
    })
    .await
}
