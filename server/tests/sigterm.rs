//! Stopping: `tandem serve` asked to stop with SIGTERM (a deploy, a restart
//! by the service manager or an orchestrator) tells its open sockets to
//! reconnect (close code 1012, "service restart") and exits cleanly, rather
//! than cutting its clients off.

mod binary;

use std::time::{Duration, Instant};

use binary::start;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

/// Status line and body of a plain GET.
async fn get(base: &str, path: &str) -> String {
    let addr = base.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.expect("read");
    answer
}

#[tokio::test]
async fn sigterm_tells_open_sockets_to_reconnect_then_exits_cleanly() {
    let mut server = start(None, &[]);
    assert!(
        get(&server.url, "/readyz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let ws = format!("{}/ws/agent", server.url.replacen("http", "ws", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(ws).await.expect("upgrade");

    let pid = server.child.id().to_string();
    let sent = std::process::Command::new("sh")
        .args(["-c", &format!("kill -TERM {pid}")])
        .status()
        .expect("sh runs");
    assert!(sent.success());

    let close = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(msg) = socket.next().await {
            if let Ok(Message::Close(frame)) = msg {
                return frame.map(|f| u16::from(f.code));
            }
        }
        None
    })
    .await
    .expect("the server closes the socket within 10 s");
    assert_eq!(close, Some(protocol::CloseCode::Restart.code()));

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");
    let logged: Vec<String> = server.stderr.try_iter().collect();
    assert!(
        !logged.iter().any(|l| l.contains("panicked")),
        "{logged:#?}"
    );
}
