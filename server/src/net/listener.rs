//! The HTTP listener: accepts TCP connections and serves each with hyper's
//! HTTP/1.1 connection (upgrades to WebSocket included). Written out rather
//! than `axum::serve` because that offers no header-read timeout: a client
//! sending its headers a byte at a time (slowloris) held a connection, and a
//! file descriptor, for as long as it liked. Here:
//! - the headers of every request must arrive within `header_timeout`,
//! - one address holds at most `max_per_ip` connections (a trusted proxy's
//!   own connections are not counted: the WebSocket cap counts its clients),
//! - TCP_NODELAY is set, and shutdown is graceful as before.
//!
//! HTTP/1.1 only: browsers speak it to a plain-HTTP server, and a TLS proxy
//! in front terminates HTTP/2; cleartext HTTP/2 would be a second protocol
//! without a header timeout.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::{PerIp, ReadBudget, Slot};
use crate::config::ConnLimits;

/// Serves `app` on `listener` until `stopped` turns true, then lets open
/// requests finish. Handlers can read the peer with `ConnectInfo<SocketAddr>`
/// and the connection's read budget with `Extension<ReadBudget>`.
pub fn spawn_server(
    listener: TcpListener,
    app: axum::Router,
    limits: Arc<ConnLimits>,
    mut stopped: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let per_ip = PerIp::new(limits.max_per_ip);
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout);
        let mut open = JoinSet::new();
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = stopping(&mut stopped) => break,
            };
            // Reap finished connections so the set holds only open ones.
            while open.try_join_next().is_some() {}
            let (tcp, peer) = match accepted {
                Ok(a) => a,
                // One connection's failure (a client that reset before we
                // accepted it): nothing to wait for, and a client must not be
                // able to pause the accept loop.
                Err(e) if concerns_one_connection(&e) => continue,
                Err(e) => {
                    // Out of file descriptors and the like: back off rather
                    // than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let proxy = limits
                .trusted_proxies
                .iter()
                .any(|net| net.contains(peer.ip().to_canonical()));
            let slot = match proxy {
                true => None,
                false => match per_ip.try_take(peer.ip()) {
                    Some(slot) => Some(slot),
                    None => {
                        refuse(tcp, peer);
                        continue;
                    }
                },
            };
            // Chat frames are small and latency-bound: without TCP_NODELAY they
            // wait on the peer's delayed ACK (measured: ~90 ms queue updates
            // under back-to-back requests, ~3 ms with it).
            let _ = tcp.set_nodelay(true);
            let io = Counted {
                tcp,
                _slot: slot,
                budget: ReadBudget::unlimited(),
            };
            open.spawn(serve_connection(
                http.clone(),
                io,
                peer,
                app.clone(),
                stopped.clone(),
            ));
        }
        while open.join_next().await.is_some() {}
    })
}

/// One connection, until it ends or the server stops (then the request in
/// progress finishes and the connection closes). An upgraded connection
/// leaves hyper here and lives on in its WebSocket task.
async fn serve_connection(
    http: http1::Builder,
    io: Counted,
    peer: SocketAddr,
    app: axum::Router,
    mut stopped: watch::Receiver<bool>,
) {
    let budget = io.budget.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        req.extensions_mut().insert(budget.clone());
        app.clone().oneshot(req)
    });
    let conn = http
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    tokio::pin!(conn);
    let ended = tokio::select! {
        ended = conn.as_mut() => ended,
        () = stopping(&mut stopped) => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        // Timeouts, resets and malformed requests: routine on the internet.
        tracing::debug!(error = %e, %peer, "http connection ended");
    }
}

fn concerns_one_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused
    )
}

/// Resolves once the server is stopping (or its `Running` is gone).
async fn stopping(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

/// Answers a connection over the per-address cap and closes it. The answer
/// is best effort (one non-blocking write): it is for clients that read it.
fn refuse(tcp: TcpStream, peer: SocketAddr) {
    tracing::debug!(%peer, "connection refused: too many from this address");
    let _ = tcp.try_write(
        b"HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    );
}

/// A TCP stream holding its place in the per-address count until it is
/// dropped, which for a WebSocket is when the socket ends, not the upgrade;
/// its reads are held to the connection's budget.
struct Counted {
    tcp: TcpStream,
    _slot: Option<Slot>,
    budget: ReadBudget,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.tcp).poll_read(cx, buf))?;
        Poll::Ready(self.budget.spend(buf.filled().len() - before))
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}
