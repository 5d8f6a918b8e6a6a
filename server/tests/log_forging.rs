//! Log forging: a client's input must never start a log line of its own.
//! Runs the real `tandem` binary, sends a refused frame whose field holds a
//! newline and a fake log line, and reads the server's stderr, in both log
//! formats.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

/// What a forger would like to appear as a line of its own.
const FORGED: &str =
    "2026-01-01T00:00:00.000000Z  INFO tandem_server: agent admin@example.com logged in";

struct Server {
    child: Child,
    url: String,
    stderr: mpsc::Receiver<String>,
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
            "tandem-logs-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir is writable");
        Dir(dir)
    }
}

/// Starts `tandem serve` logging in `log_format` (`None`: the default).
fn start(log_format: Option<&str>) -> Server {
    let dir = tempdir::new();
    let mut command = Command::new(env!("CARGO_BIN_EXE_tandem"));
    if let Some(format) = log_format {
        command.args(["--log-format", format]);
    }
    let mut child = command
        .args(["serve", "--listen", "127.0.0.1:0", "--no-turn"])
        .arg("--database-url")
        .arg(format!("sqlite://{}/t.db", dir.0.display()))
        .env("TANDEM_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tandem starts");
    let (ready_tx, ready) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(json) = line.strip_prefix("TANDEM_READY ") {
                let v: serde_json::Value = serde_json::from_str(json).expect("ready line");
                let _ = ready_tx.send(v["server"].as_str().expect("server url").to_string());
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
    let url = ready
        .recv_timeout(Duration::from_secs(30))
        .expect("tandem is ready within 30 s");
    Server {
        child,
        url,
        stderr,
        _dir: dir,
    }
}

/// Sends a frame the server refuses, whose one field holds a newline.
async fn send_forgery(server: &Server) {
    let ws = format!("{}/ws/agent", server.url.replacen("http", "ws", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(ws).await.expect("upgrade");
    let frame = serde_json::json!({"v": 1, "type": "presence.set", "presence": format!("online\n{FORGED}")});
    socket
        .send(Message::Text(frame.to_string().into()))
        .await
        .expect("send");
}

/// Stderr lines up to and including the one logging the refusal.
fn lines_until_refusal(server: &Server) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let line = server
            .stderr
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no `frame refused` line; saw {lines:#?}"));
        let done = line.contains("frame refused");
        lines.push(line);
        if done {
            // Anything the forgery split off would come right after.
            while let Ok(line) = server.stderr.recv_timeout(Duration::from_millis(300)) {
                lines.push(line);
            }
            return lines;
        }
    }
}

#[tokio::test]
async fn a_newline_in_a_refused_frame_does_not_forge_a_log_line_in_the_default_text_format() {
    let server = start(None);
    send_forgery(&server).await;
    let lines = lines_until_refusal(&server);
    for line in &lines {
        assert!(
            // The forged text may only appear inside the refusal's own line.
            !line.contains(FORGED) || line.contains("frame refused"),
            "a client wrote a log line of its own: {line:?}\nall: {lines:#?}"
        );
    }
}

#[tokio::test]
async fn a_newline_in_a_refused_frame_does_not_forge_a_json_log_line() {
    let server = start(Some("json"));
    send_forgery(&server).await;
    let lines = lines_until_refusal(&server);
    for line in &lines {
        let parsed: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line:?}"));
        assert!(parsed["level"].is_string(), "{line}");
    }
    let refused: serde_json::Value = lines
        .iter()
        .find(|l| l.contains("frame refused"))
        .map(|l| serde_json::from_str(l).expect("checked above"))
        .expect("a refusal line");
    assert_eq!(refused["fields"]["code"], "invalid_frame");
}
