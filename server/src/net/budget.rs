//! Bytes a connection may still read before its client has proved who it
//! is. A WebSocket's frames may be as large as 8 MiB (page keyframes), and
//! the WebSocket library buffers a frame whole before the server sees it:
//! without a budget, a socket that never says `hello` could make the server
//! hold megabytes. The listener gives every connection an unlimited budget;
//! the WebSocket upgrade limits it, a successful `hello` lifts it.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Shared by a connection's I/O and its request handlers.
#[derive(Clone)]
pub struct ReadBudget(Arc<AtomicUsize>);

const UNLIMITED: usize = usize::MAX;

impl ReadBudget {
    pub fn unlimited() -> ReadBudget {
        ReadBudget(Arc::new(AtomicUsize::new(UNLIMITED)))
    }

    /// From now on at most `bytes` more may be read, until `lift`.
    pub fn limit(&self, bytes: usize) {
        self.0.store(bytes.min(UNLIMITED - 1), Ordering::SeqCst);
    }

    pub fn lift(&self) {
        self.0.store(UNLIMITED, Ordering::SeqCst);
    }

    /// Counts `n` bytes just read; an error when they were over the budget.
    pub fn spend(&self, n: usize) -> io::Result<()> {
        let over = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| match left {
                UNLIMITED => None,
                left => Some(left.saturating_sub(n)),
            })
            .is_ok_and(|left| n > left);
        match over {
            true => Err(io::Error::new(io::ErrorKind::InvalidData, OverBudget)),
            false => Ok(()),
        }
    }
}

/// The read error of a connection that went over its budget: the socket
/// finds it by type inside the WebSocket library's I/O error and closes
/// with 1009, as for any frame too long.
#[derive(Debug)]
pub struct OverBudget;

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("frame too long: more bytes than allowed before hello")
    }
}

impl std::error::Error for OverBudget {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_until_limited_then_lifted() {
        let b = ReadBudget::unlimited();
        assert!(b.spend(usize::MAX / 2).is_ok());
        b.limit(10);
        assert!(b.spend(6).is_ok());
        assert!(b.spend(4).is_ok());
        assert!(b.spend(1).is_err());
        b.lift();
        assert!(b.spend(1_000_000).is_ok());
    }
}
