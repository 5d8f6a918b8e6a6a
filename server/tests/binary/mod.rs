//! The real `tandem` binary as a child process, for the tests that need
//! what only the process does: its log lines, its signals. Each test file
//! that uses it declares `mod binary;`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `tandem serve`, killed when dropped.
// Each test file reads the parts it needs.
#[allow(dead_code)]
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Where its TURN server listens (with `--turn-listen`).
    pub turn: Option<std::net::SocketAddr>,
    /// What it printed on stdout up to its ready line.
    pub printed: Vec<String>,
    /// Every line the server writes to stderr.
    pub stderr: mpsc::Receiver<String>,
    _dir: tempdir::Dir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

mod tempdir {
    /// A private folder removed when dropped.
    pub struct Dir(pub std::path::PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    pub fn new() -> Dir {
        let dir = std::env::temp_dir().join(format!(
            "tandem-bin-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir is writable");
        Dir(dir)
    }
}

/// Starts `tandem serve` logging in `log_format` (`None`: the default), with
/// `extra` serve flags, on a SQLite database of its own.
#[allow(dead_code)] // tests/cluster.rs starts its nodes with `start_on`
pub fn start(log_format: Option<&str>, extra: &[&str]) -> Server {
    start_on(None, log_format, extra)
}

/// Starts `tandem serve` on `database_url` (`None`: a SQLite database of its own),
/// without TURN unless `extra` has `--turn-listen`.
pub fn start_on(database_url: Option<&str>, log_format: Option<&str>, extra: &[&str]) -> Server {
    let dir = tempdir::new();
    let database_url = match database_url {
        Some(url) => url.to_string(),
        None => format!("sqlite://{}/t.db", dir.0.display()),
    };
    let mut command = Command::new(env!("CARGO_BIN_EXE_tandem"));
    if let Some(format) = log_format {
        command.args(["--log-format", format]);
    }
    command.args(["serve", "--listen", "127.0.0.1:0"]);
    if !extra.contains(&"--turn-listen") {
        command.arg("--no-turn");
    }
    let mut child = command
        .args(extra)
        .arg("--database-url")
        .arg(database_url)
        .env("TANDEM_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tandem starts");
    let (ready_tx, ready) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    std::thread::spawn(move || {
        let mut printed = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(json) = line.strip_prefix("TANDEM_READY ") {
                let v: serde_json::Value = serde_json::from_str(json).expect("ready line");
                let url = v["server"].as_str().expect("server url").to_string();
                let turn = v["turn"].as_str().map(|t| t.parse().expect("an address"));
                let _ = ready_tx.send((url, turn, std::mem::take(&mut printed)));
            } else {
                printed.push(line);
            }
        }
    });
    let (err_tx, stderr) = mpsc::channel();
    let pipe = child.stderr.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = err_tx.send(line);
        }
    });
    let (url, turn, printed) = ready
        .recv_timeout(Duration::from_secs(30))
        .expect("tandem is ready within 30 s");
    Server {
        child,
        url,
        turn,
        printed,
        stderr,
        _dir: dir,
    }
}
