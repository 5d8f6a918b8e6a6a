//! Log forging: a client's input must never start a log line of its own.
//! Runs the real `tandem` binary, sends a refused frame whose field holds a
//! newline and a fake log line, and reads the server's stderr, in both log
//! formats.

mod binary;

use std::time::Duration;

use binary::{Server, start};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

/// What a forger would like to appear as a line of its own.
const FORGED: &str =
    "2026-01-01T00:00:00.000000Z  INFO tandem_server: agent admin@example.com logged in";

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
    let server = start(None, &[]);
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
    let server = start(Some("json"), &[]);
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
