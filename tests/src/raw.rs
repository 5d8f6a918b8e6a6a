//! A WebSocket client written by hand over TCP, for what a well-behaved
//! library will not do: stay silent when pinged, send bytes one at a time.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An upgraded connection that answers nothing unless told to.
pub struct RawSocket {
    pub tcp: TcpStream,
    /// Bytes read but not yet parsed.
    buf: Vec<u8>,
}

/// How a raw socket ended.
#[derive(Debug)]
pub struct Ended {
    /// The code of the server's close frame, if it sent one.
    pub code: Option<u16>,
    /// Pings the server sent before.
    pub pings: usize,
}

impl RawSocket {
    /// Connects to `addr` and upgrades `path` (e.g. `/ws/visitor?site=demo`),
    /// sending `headers` too.
    pub async fn upgrade(
        addr: SocketAddr,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<RawSocket> {
        let mut tcp = TcpStream::connect(addr).await?;
        let mut req = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        );
        for (name, value) in headers {
            req.push_str(&format!("{name}: {value}\r\n"));
        }
        req.push_str("\r\n");
        tcp.write_all(req.as_bytes()).await?;
        let mut buf = Vec::new();
        let end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 1024];
            let n = tokio::time::timeout(crate::WAIT, tcp.read(&mut chunk))
                .await
                .context("upgrade answer within WAIT")??;
            if n == 0 {
                bail!("closed during the upgrade");
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        if !head.starts_with("HTTP/1.1 101") {
            bail!(
                "upgrade refused: {}",
                head.lines().next().unwrap_or_default()
            );
        }
        buf.drain(..end);
        Ok(RawSocket { tcp, buf })
    }

    /// Sends one text frame (masked, as clients must).
    pub async fn send_text(&mut self, text: &str) -> Result<()> {
        let payload = text.as_bytes();
        let mut frame = vec![0x81];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= 0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x37, 0xfa, 0x21, 0x3d];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.tcp.write_all(&frame).await?;
        Ok(())
    }

    /// The next text frame, skipping pings (which are not answered).
    pub async fn recv_text(&mut self) -> Result<String> {
        loop {
            let (opcode, payload) = self.next_frame(crate::WAIT).await?;
            match opcode {
                0x1 => return Ok(String::from_utf8(payload)?),
                0x8 => bail!("closed: {:?}", close_code(&payload)),
                _ => continue,
            }
        }
    }

    /// Reads, answering nothing, until the server closes; fails after `within`.
    pub async fn until_closed(&mut self, within: Duration) -> Result<Ended> {
        let until = tokio::time::Instant::now() + within;
        let mut pings = 0;
        loop {
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            match self.next_frame(left).await {
                Ok((0x8, payload)) => {
                    return Ok(Ended {
                        code: close_code(&payload),
                        pings,
                    });
                }
                Ok((0x9, _)) => pings += 1,
                Ok(_) => {}
                Err(e) if e.is::<Eof>() => return Ok(Ended { code: None, pings }),
                Err(e) => return Err(e),
            }
        }
    }

    /// One frame from the server (unmasked): opcode and payload.
    async fn next_frame(&mut self, within: Duration) -> Result<(u8, Vec<u8>)> {
        loop {
            if let Some((opcode, payload, used)) = parse_frame(&self.buf) {
                self.buf.drain(..used);
                return Ok((opcode, payload));
            }
            let mut chunk = [0u8; 4096];
            let n = tokio::time::timeout(within, self.tcp.read(&mut chunk))
                .await
                .context("no frame in time")?
                .unwrap_or(0);
            if n == 0 {
                return Err(Eof.into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// The connection ended without a close frame.
#[derive(Debug)]
struct Eof;

impl std::fmt::Display for Eof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection ended")
    }
}

impl std::error::Error for Eof {}

fn close_code(payload: &[u8]) -> Option<u16> {
    (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]))
}

/// (opcode, payload, bytes used) when `buf` starts with a whole frame.
fn parse_frame(buf: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    let (&b0, &b1) = (buf.first()?, buf.get(1)?);
    let (len, at) = match b1 & 0x7f {
        126 => (u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]) as usize, 4),
        127 => (
            u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        n => (n as usize, 2),
    };
    let payload = buf.get(at..at + len)?.to_vec();
    Some((b0 & 0x0f, payload, at + len))
}
