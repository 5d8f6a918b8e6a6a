//! Draining: what a server does between being asked to stop (SIGTERM,
//! Ctrl-C) and stopping. It stops being ready (`/readyz` answers 503, so a
//! load balancer sends nobody new), refuses new WebSockets, and tells every
//! open socket to reconnect (close code 1012), which the widget and the
//! console do at once: to another node behind a balancer, or to this one
//! when it is back. Nothing waits to be written: the hub stores a message
//! before it acknowledges it, so whatever a client saw acknowledged is
//! committed, and whatever was not is sent again by the client on resume.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, watch};

/// Whether the server is draining, and how many WebSockets are still open.
#[derive(Clone)]
pub struct Drain {
    draining: Arc<watch::Sender<bool>>,
    sockets: Arc<Sockets>,
}

#[derive(Default)]
struct Sockets {
    open: AtomicUsize,
    /// Woken when the last socket closes.
    none_left: Notify,
}

/// Held by each open WebSocket; counts it until dropped.
pub struct OpenSocket(Arc<Sockets>);

impl Drop for OpenSocket {
    fn drop(&mut self) {
        if self.0.open.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.none_left.notify_waiters();
        }
    }
}

impl Default for Drain {
    fn default() -> Self {
        Drain {
            draining: Arc::new(watch::channel(false).0),
            sockets: Arc::default(),
        }
    }
}

impl Drain {
    /// Turns draining on (once; later calls change nothing).
    pub fn start(&self) {
        self.draining.send_replace(true);
    }

    pub fn is_draining(&self) -> bool {
        *self.draining.borrow()
    }

    /// Resolves when draining starts (at once if it has).
    pub async fn started(&self) {
        let mut rx = self.draining.subscribe();
        // The sender lives as long as `self`, so this cannot fail.
        let _ = rx.wait_for(|draining| *draining).await;
    }

    /// Counts a WebSocket as open until the returned value is dropped.
    pub fn open_socket(&self) -> OpenSocket {
        self.sockets.open.fetch_add(1, Ordering::AcqRel);
        OpenSocket(self.sockets.clone())
    }

    pub fn open_sockets(&self) -> usize {
        self.sockets.open.load(Ordering::Acquire)
    }

    /// Waits until every WebSocket has closed, or `limit` has passed;
    /// returns how many are still open.
    pub async fn settled(&self, limit: Duration) -> usize {
        let wait = async {
            loop {
                // Registered before the check, so a close in between is not missed.
                let none_left = self.sockets.none_left.notified();
                if self.open_sockets() == 0 {
                    return;
                }
                none_left.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
        self.open_sockets()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn settles_when_the_last_socket_closes() {
        let drain = Drain::default();
        assert!(!drain.is_draining());
        let a = drain.open_socket();
        let b = drain.open_socket();
        assert_eq!(drain.open_sockets(), 2);
        let waiting = tokio::spawn({
            let drain = drain.clone();
            async move {
                drain.started().await;
                drain.settled(Duration::from_secs(10)).await
            }
        });
        drain.start();
        drain.start();
        assert!(drain.is_draining());
        drop(a);
        tokio::task::yield_now().await;
        drop(b);
        assert_eq!(waiting.await.unwrap(), 0);
    }

    #[tokio::test]
    async fn gives_up_after_the_limit() {
        let drain = Drain::default();
        let _held = drain.open_socket();
        drain.start();
        assert_eq!(drain.settled(Duration::from_millis(20)).await, 1);
    }
}
