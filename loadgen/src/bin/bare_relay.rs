//! The practical ceiling for `cargo xtask bench`: the least a WebSocket relay
//! can do with axum. `GET /ws?pair=K&side=visitor|agent`; a text frame from
//! one side goes to the other side of the same pair, nothing else.
//!
//! Run: `bare-relay [--listen 127.0.0.1:0] [--tuned]`; it prints `RELAY_READY http://…`.
//!
//! By default it keeps axum's defaults, as Tandem does. `--tuned` shows what
//! two settings buy: TCP_NODELAY on accepted sockets, and a 4 KiB WebSocket
//! read buffer instead of 128 KiB (tungstenite allocates the buffer for every
//! connection and zero-fills it before each read, so the default costs both
//! memory per connection and CPU per read).
//!
//! Like Tandem it gives each connection a writer task draining a bounded queue,
//! so the comparison measures what Tandem adds (authentication, JSON decoding,
//! routing, persistence, the echo to the sender), not a different I/O shape.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::serve::ListenerExt;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;

/// Same bound as Tandem's per-connection outbound queue.
const OUTBOUND: usize = 256;

/// Each pair's two inboxes, keyed by `pair` then side. A plain mutex: it is
/// never held across an `.await`.
type Inboxes = Arc<Mutex<HashMap<(String, bool), mpsc::Sender<Utf8Bytes>>>>;

#[derive(Deserialize)]
struct Params {
    pair: String,
    side: String,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let listen = args
        .iter()
        .skip_while(|a| *a != "--listen")
        .nth(1)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let tuned = args.iter().any(|a| a == "--tuned");
    let inboxes = Inboxes::default();
    let app = Router::new()
        .route("/ws", get(upgrade))
        .with_state(Relay { inboxes, tuned });
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("RELAY_READY http://{}", listener.local_addr()?);
    let listener = listener.tap_io(move |tcp| {
        if tuned {
            let _ = tcp.set_nodelay(true);
        }
    });
    axum::serve(listener, app).await
}

#[derive(Clone)]
struct Relay {
    inboxes: Inboxes,
    tuned: bool,
}

async fn upgrade(
    State(relay): State<Relay>,
    Query(p): Query<Params>,
    ws: WebSocketUpgrade,
) -> Response {
    let visitor = p.side == "visitor";
    let ws = if relay.tuned {
        ws.read_buffer_size(4096)
    } else {
        ws
    };
    ws.on_upgrade(move |socket| forward(socket, relay.inboxes, p.pair, visitor))
}

async fn forward(socket: WebSocket, inboxes: Inboxes, pair: String, visitor: bool) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<Utf8Bytes>(OUTBOUND);
    inboxes.lock().unwrap().insert((pair.clone(), visitor), tx);
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(Message::Text(text)).await.is_err() {
                break;
            }
        }
    });
    // The peer's inbox, looked up until the peer has connected, then kept.
    let mut peer: Option<mpsc::Sender<Utf8Bytes>> = None;
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Text(text) = msg else { continue };
        if peer.is_none() {
            peer = inboxes
                .lock()
                .unwrap()
                .get(&(pair.clone(), !visitor))
                .cloned();
        }
        if let Some(tx) = &peer {
            // Waiting for room is this relay's backpressure.
            if tx.send(text).await.is_err() {
                peer = None;
            }
        }
    }
    inboxes.lock().unwrap().remove(&(pair, visitor));
    writer.abort();
}
