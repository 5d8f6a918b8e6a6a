//! The browser files the server hands out: the console and widget bundles
//! (`dist/agent/`, `dist/widget/`), the demo shop (`demo/`, `dist/demo-app/`).
//! A binary built after `cargo xtask build` carries them inside (build.rs),
//! so copying it is the deployment; `--static-dir` serves a folder instead,
//! for development (rebuild a bundle, reload the page).
//!
//! Both sources answer through the same handler: a content type by
//! extension, and an ETag so that a browser told `no-cache` revalidates
//! with a 304 instead of downloading the bundle again.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// Where the browser files come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Files {
    /// A folder laid out like the repository's `static/`.
    Folder(PathBuf),
    /// The files compiled into this binary.
    Embedded,
}

/// One file, ready to send.
pub struct File {
    pub bytes: Cow<'static, [u8]>,
    /// Quoted, as the header carries it.
    pub etag: String,
}

impl Files {
    /// `--static-dir` if given; else the files inside the binary when it
    /// carries the bundles; else the checkout's `static/` folder.
    pub fn resolve(folder: Option<PathBuf>) -> Files {
        match folder {
            Some(dir) => Files::Folder(dir),
            None if embedded_bundles() => Files::Embedded,
            None => Files::Folder(default_static_dir()),
        }
    }

    /// The file at `rel` (a path under `static/`, `/`-separated), if any;
    /// `None` for a path that tries to leave the folder.
    pub async fn read(&self, rel: &str) -> Option<File> {
        if Path::new(rel)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return None;
        }
        match self {
            Files::Embedded => {
                let &(_, bytes, etag) = embedded_entry(rel)?;
                Some(File {
                    bytes: Cow::Borrowed(bytes),
                    etag: etag.to_string(),
                })
            }
            Files::Folder(dir) => {
                let path = dir.join(rel);
                let meta = tokio::fs::metadata(&path).await.ok()?;
                if !meta.is_file() {
                    return None;
                }
                let bytes = tokio::fs::read(&path).await.ok()?;
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                Some(File {
                    etag: format!("\"{modified:x}-{:x}\"", bytes.len()),
                    bytes: Cow::Owned(bytes),
                })
            }
        }
    }

    /// Whether the console's and the widget's bundles are there.
    pub fn has_bundles(&self) -> bool {
        match self {
            Files::Embedded => embedded_bundles(),
            Files::Folder(dir) => BUNDLE_MARKERS.iter().all(|m| dir.join(m).exists()),
        }
    }

    /// For the log: where the files come from.
    pub fn describe(&self) -> String {
        match self {
            Files::Embedded => format!("embedded ({} files)", EMBEDDED.len()),
            Files::Folder(dir) => dir.display().to_string(),
        }
    }
}

/// `./static` when run from a checkout, else the folder beside the server's sources.
pub fn default_static_dir() -> PathBuf {
    let here = PathBuf::from("static");
    if here.join("demo").exists() || here.join("dist").exists() {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../static"))
}

/// One file of each bundle: without them the binary was built before the
/// bundles, and serves a folder instead.
const BUNDLE_MARKERS: [&str; 2] = ["dist/agent/index.html", "dist/widget/tandem.js"];

/// The bytes this binary carries for `rel`, if any.
pub fn embedded(rel: &str) -> Option<&'static [u8]> {
    embedded_entry(rel).map(|&(_, bytes, _)| bytes)
}

/// `rel`'s row of `EMBEDDED` (sorted by path by build.rs).
fn embedded_entry(rel: &str) -> Option<&'static (&'static str, &'static [u8], &'static str)> {
    let at = EMBEDDED.binary_search_by(|(p, _, _)| (*p).cmp(rel)).ok()?;
    Some(&EMBEDDED[at])
}

fn embedded_bundles() -> bool {
    BUNDLE_MARKERS.iter().all(|m| embedded_entry(m).is_some())
}

/// The content type a browser needs for a file with this name.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Answers a GET for `rel`: 404, 304 when the browser's copy is current,
/// or the file (passed through `edit` first, for the demo's pages).
pub async fn respond(
    files: &Files,
    rel: &str,
    request: &HeaderMap,
    edit: impl FnOnce(Cow<'static, [u8]>) -> Cow<'static, [u8]>,
) -> Response {
    let Some(file) = files.read(rel).await else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = HeaderValue::from_str(&file.etag).expect("an ETag is ASCII");
    let current = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == file.etag || t.trim() == "*")
        });
    if current {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(rel)),
            ),
            (header::ETAG, etag),
        ],
        // Embedded bytes go out without a copy (a static body).
        edit(file.bytes),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_folder_serves_its_files_and_nothing_outside() {
        let dir = std::env::temp_dir().join(crate::ids::new_id("files-"));
        std::fs::create_dir_all(dir.join("demo")).unwrap();
        std::fs::write(dir.join("demo/index.html"), "<p>hi</p>").unwrap();
        std::fs::write(dir.join("secret.txt"), "no").unwrap();
        let files = Files::Folder(dir.join("demo"));
        let file = files.read("index.html").await.expect("the page");
        assert_eq!(&*file.bytes, b"<p>hi</p>");
        assert!(file.etag.starts_with('"') && file.etag.ends_with('"'));
        for outside in ["../secret.txt", "/etc/passwd", "./index.html", ""] {
            assert!(files.read(outside).await.is_none(), "{outside}");
        }
        assert!(files.read("missing.html").await.is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn embedded_files_are_sorted_for_the_lookup() {
        assert!(EMBEDDED.windows(2).all(|w| w[0].0 < w[1].0));
        // The demo shop is always there; the bundles when they were built first.
        assert!(EMBEDDED.iter().any(|(p, _, _)| *p == "demo/index.html"));
    }

    #[test]
    fn browsers_get_the_type_they_need() {
        assert_eq!(content_type("dist/agent/pkg/x_bg.wasm"), "application/wasm");
        assert_eq!(
            content_type("dist/widget/tandem.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("README"), "application/octet-stream");
    }
}
