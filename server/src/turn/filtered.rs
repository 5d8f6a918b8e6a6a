//! The one socket wrapper the TURN server reads and writes through: the
//! refusal log (refusals.rs), the screen (screen.rs) and every relay
//! (relay_guard.rs) each look at datagrams going one way or both, and pass
//! everything else straight to the socket they wrap.

use std::net::SocketAddr;
use std::sync::Arc;

use webrtc_util::Conn;

/// What a wrapper does with the datagrams it sees. Every method defaults
/// to letting the datagram through untouched.
#[async_trait::async_trait]
pub trait DatagramFilter: Send + Sync + 'static {
    /// A datagram read from `conn`: whether to hand it up. One not handed
    /// up is gone; the filter may answer it on `conn` first.
    async fn incoming(
        &self,
        _conn: &(dyn Conn + Send + Sync),
        _datagram: &[u8],
        _from: SocketAddr,
    ) -> bool {
        true
    }

    /// A datagram about to be sent: whether to send it.
    fn outgoing(&self, _datagram: &[u8], _target: SocketAddr) -> bool {
        true
    }

    /// The socket is being closed (before the wrapped one is).
    fn closing(&self) {}
}

pub struct Filtered<F> {
    pub inner: Arc<dyn Conn + Send + Sync>,
    pub filter: F,
}

#[async_trait::async_trait]
impl<F: DatagramFilter> Conn for Filtered<F> {
    async fn connect(&self, addr: SocketAddr) -> webrtc_util::Result<()> {
        self.inner.connect(addr).await
    }

    async fn recv(&self, buf: &mut [u8]) -> webrtc_util::Result<usize> {
        self.inner.recv(buf).await
    }

    async fn recv_from(&self, buf: &mut [u8]) -> webrtc_util::Result<(usize, SocketAddr)> {
        loop {
            let (n, from) = self.inner.recv_from(buf).await?;
            if self.filter.incoming(&*self.inner, &buf[..n], from).await {
                return Ok((n, from));
            }
        }
    }

    async fn send(&self, buf: &[u8]) -> webrtc_util::Result<usize> {
        self.inner.send(buf).await
    }

    async fn send_to(&self, buf: &[u8], target: SocketAddr) -> webrtc_util::Result<usize> {
        if self.filter.outgoing(buf, target) {
            self.inner.send_to(buf, target).await
        } else {
            // Reported as sent: the crate treats a short write as an
            // error worth logging, and a dropped datagram is not one.
            Ok(buf.len())
        }
    }

    fn local_addr(&self) -> webrtc_util::Result<SocketAddr> {
        self.inner.local_addr()
    }

    fn remote_addr(&self) -> Option<SocketAddr> {
        self.inner.remote_addr()
    }

    async fn close(&self) -> webrtc_util::Result<()> {
        self.filter.closing();
        self.inner.close().await
    }

    fn as_any(&self) -> &(dyn std::any::Any + Send + Sync) {
        self
    }
}
