//! Server configuration, gathered from the command line and environment (cli.rs)
//! or built directly by tests.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the API, WebSocket and console listen (port 0 picks a free port).
    pub listen: SocketAddr,
    /// `sqlite://path` or `postgres://…`.
    pub database_url: String,
    /// The URL browsers use to reach this server. Empty: derived from `listen`.
    pub public_url: String,
    /// Serve the demo shop on this address too (a different origin).
    pub demo_listen: Option<SocketAddr>,
    /// The folder with demo/ and dist/ (built bundles).
    pub static_dir: PathBuf,
    /// Extra allowed origins per site: (site id, origin). Sites are created as needed.
    pub allow_origins: Vec<(String, String)>,
    /// How long an offered request rings for one agent before moving on.
    pub ring_ms: i64,
}

impl Config {
    /// Defaults suitable for tests: loopback, a free port, the repo's static folder.
    pub fn for_tests(database_url: impl Into<String>) -> Config {
        Config {
            listen: "127.0.0.1:0".parse().expect("valid address"),
            database_url: database_url.into(),
            public_url: String::new(),
            demo_listen: None,
            static_dir: default_static_dir(),
            allow_origins: Vec::new(),
            ring_ms: crate::routing::acd::RING_MS,
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
