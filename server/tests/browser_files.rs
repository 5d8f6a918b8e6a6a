//! The browser files as the real binary serves them: from inside itself when
//! it was built after the bundles (copying the binary is the deployment),
//! from `--static-dir` when given, with the content type a browser needs and
//! an ETag that turns a reload into a 304.

mod binary;

use binary::start;
use std::time::Duration;
use tandem_server::http::files::{Files, embedded};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Status code, headers (names lower-cased) and body of a GET.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn get(base: &str, path: &str, extra: &str) -> Answer {
    let addr = base.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines.next().expect("a status line")[9..12]
        .parse()
        .expect("a status code");
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

#[tokio::test]
async fn the_binary_serves_the_bundles_it_was_built_with() {
    let server = start(None, &[]);
    let resolved = Files::resolve(None);
    let said = format!("Browser files: {}", resolved.describe());
    assert!(
        server.printed.iter().any(|l| l.trim() == said),
        "{said:?} in {:?}",
        server.printed
    );
    let widget = get(&server.url, "/widget/tandem.js", "").await;
    if resolved == Files::Embedded {
        // Built after the bundles (as `cargo xtask test`/`run` build it):
        // what it serves is what it carries, not a file next to it.
        assert_eq!(widget.status, 200);
        assert_eq!(
            Some(widget.body.as_slice()),
            embedded("dist/widget/tandem.js"),
            "the embedded loader"
        );
        let etag = widget.header("etag").expect("an ETag").to_string();
        assert_eq!(etag.len(), 18, "a quoted 64-bit content hash: {etag}");
        let again = get(
            &server.url,
            "/widget/tandem.js",
            &format!("If-None-Match: {etag}\r\n"),
        )
        .await;
        assert_eq!((again.status, again.body.len()), (304, 0));
    } else {
        // Built before them: the checkout's folder, as before.
        assert_eq!(
            resolved,
            Files::Folder(tandem_server::http::files::default_static_dir())
        );
    }
    if widget.status == 200 {
        assert_eq!(
            widget.header("content-type"),
            Some("text/javascript; charset=utf-8")
        );
    }
    let console = get(&server.url, "/agent", "").await;
    if resolved.has_bundles() {
        assert_eq!(console.status, 200);
        assert_eq!(
            console.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(
            console
                .header("content-security-policy")
                .is_some_and(|p| p.contains("script-src 'self'"))
        );
    }
    for outside in ["/widget/../Cargo.toml", "/widget/%2e%2e/Cargo.toml"] {
        assert_eq!(get(&server.url, outside, "").await.status, 404, "{outside}");
    }
}

#[tokio::test]
async fn static_dir_serves_a_folder_instead() {
    let dir = std::env::temp_dir().join(tandem_server::ids::new_id("static-"));
    std::fs::create_dir_all(dir.join("dist/widget")).unwrap();
    std::fs::write(dir.join("dist/widget/tandem.js"), "/* from the folder */").unwrap();
    let server = start(None, &["--static-dir", dir.to_str().unwrap()]);
    let widget = get(&server.url, "/widget/tandem.js", "").await;
    assert_eq!(widget.status, 200);
    assert_eq!(widget.body, b"/* from the folder */");
    assert_eq!(
        widget.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    // Cross-origin: customers' pages load it.
    assert_eq!(
        get(
            &server.url,
            "/widget/tandem.js",
            "Origin: https://shop.example\r\n"
        )
        .await
        .header("access-control-allow-origin"),
        Some("*")
    );
    let etag = widget.header("etag").expect("an ETag").to_string();
    let again = get(
        &server.url,
        "/widget/tandem.js",
        &format!("If-None-Match: {etag}\r\n"),
    )
    .await;
    assert_eq!(again.status, 304);
    // The folder has no console: nothing is served in its place, and the
    // operator was told at start.
    assert_eq!(get(&server.url, "/agent", "").await.status, 404);
    let warned = std::iter::from_fn(|| server.stderr.recv_timeout(Duration::from_secs(5)).ok())
        .any(|line| line.contains("browser bundles are missing"));
    assert!(warned, "a warning names the missing bundles");
    std::fs::remove_dir_all(dir).unwrap();
}
