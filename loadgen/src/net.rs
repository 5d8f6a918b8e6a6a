//! Opening many WebSocket connections from one process.
//!
//! Every client socket is bound to its own loopback source address, taken in
//! turn from 127.0.1.1–127.0.1.250, before it connects. One source address
//! has only ~28,000 ephemeral ports and closed connections linger in
//! TIME_WAIT, so 20,000 connections per run, run after run, would exhaust a
//! single address; 250 addresses leave ample room.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use futures_util::{SinkExt, StreamExt, TryStreamExt, stream};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

pub type Ws = WebSocketStream<TcpStream>;

/// How many connections are opened at the same time during setup.
pub const CONNECT_CONCURRENCY: usize = 256;
/// How long one setup step (a connect, a reply) may take before the run fails.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(20);

const SOURCE_ADDRESSES: u32 = 250;

/// Connects to one server, spreading the client sockets over source addresses.
pub struct Dialer {
    server: SocketAddr,
    next_source: AtomicU32,
}

impl Dialer {
    /// `url` is the server's `http://127.0.0.1:PORT` base URL.
    pub fn new(url: &str) -> Result<Dialer> {
        let host = url
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("expected an http:// URL, got {url:?}"))?
            .trim_end_matches('/');
        let server: SocketAddr = host
            .parse()
            .with_context(|| format!("{host:?} is not an IP address and port"))?;
        // The load must stay on this machine.
        if !server.ip().is_loopback() {
            bail!("the load generator only talks to 127.0.0.0/8, not {server}");
        }
        Ok(Dialer {
            server,
            next_source: AtomicU32::new(0),
        })
    }

    /// The server's address.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// A TCP connection to the server from the next source address in turn.
    pub async fn tcp(&self) -> Result<TcpStream> {
        let n = self.next_source.fetch_add(1, Ordering::Relaxed);
        let source = Ipv4Addr::new(127, 0, 1, (n % SOURCE_ADDRESSES + 1) as u8);
        let socket = TcpSocket::new_v4()?;
        socket
            .bind(SocketAddr::new(source.into(), 0))
            .with_context(|| format!("binding {source}"))?;
        let tcp = tokio::time::timeout(STEP_TIMEOUT, socket.connect(self.server))
            .await
            .map_err(|_| anyhow!("connecting to {} timed out", self.server))?
            .with_context(|| format!("connecting to {} from {source}", self.server))?;
        // Browsers disable Nagle too; without this, back-to-back frames wait for ACKs.
        tcp.set_nodelay(true)?;
        Ok(tcp)
    }

    /// Opens a WebSocket to `path` (with its query), sending `Origin` if given.
    pub async fn connect(&self, path: &str, origin: Option<&str>) -> Result<Ws> {
        let tcp = self.tcp().await?;
        let mut request = format!("ws://{}{path}", self.server).into_client_request()?;
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("Origin", HeaderValue::from_str(origin)?);
        }
        let handshake =
            tokio_tungstenite::client_async_with_config(request, tcp, Some(client_config()));
        let (ws, _) = tokio::time::timeout(STEP_TIMEOUT, handshake)
            .await
            .map_err(|_| anyhow!("WebSocket handshake with {} timed out", self.server))?
            .with_context(|| format!("WebSocket handshake on {path}"))?;
        Ok(ws)
    }
}

/// tungstenite zero-fills its whole read buffer before every read, even one
/// that finds no data; with the default 128 KiB that memset was a quarter of
/// the generator's time. Chat frames are a few hundred bytes: 4 KiB is plenty.
fn client_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(4096)
}

/// Runs `step` on each item with at most `limit` steps in progress; results keep the items' order.
pub async fn bounded<I, T, F, Fut>(items: I, limit: usize, step: F) -> Result<Vec<T>>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    stream::iter(items)
        .map(step)
        .buffered(limit)
        .try_collect()
        .await
}

pub async fn send_text(ws: &mut Ws, text: String) -> Result<()> {
    ws.send(Message::Text(Utf8Bytes::from(text)))
        .await
        .context("sending a frame")
}

/// The next text frame, or an error when the connection ends or is closed.
pub async fn next_text(ws: &mut Ws) -> Result<Utf8Bytes> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => return Ok(t),
            Some(Ok(Message::Close(frame))) => bail!("closed by the server: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e).context("reading a frame"),
            None => bail!("the connection ended"),
        }
    }
}
