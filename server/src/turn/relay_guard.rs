//! The relay sockets, wrapped so they cannot reach a refused peer: the second
//! line of defence behind the screen on the TURN socket (screen.rs).
//!
//! Why a second line: the `turn` crate keys permissions by IP alone, so a
//! permission granted for one of our own relays (127.0.0.1:50001, say, when
//! the relays live on loopback) would let Send and ChannelData reach every
//! port of that IP; and a channel bound to a relay outlives the relay, whose
//! port may then belong to something else. Checking each datagram at the
//! relay socket, against the relays live at that moment, closes both.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use webrtc_turn::relay::RelayAddressGenerator;
use webrtc_util::Conn;

use super::filtered::{DatagramFilter, Filtered};
use super::peers::{Forbidden, PeerPolicy};

/// The policy plus what it cannot know alone: which relay addresses are
/// live right now. Shared by the screen and every relay socket.
pub struct PeerGuard {
    policy: PeerPolicy,
    /// Live relays' addresses, as announced and as bound. Plain mutex: held
    /// for a set lookup or update, never across an `.await`.
    live: Mutex<HashSet<SocketAddr>>,
    log: Mutex<Throttle>,
}

impl PeerGuard {
    pub fn new(policy: PeerPolicy) -> PeerGuard {
        PeerGuard {
            policy,
            live: Mutex::new(HashSet::new()),
            log: Mutex::new(Throttle::default()),
        }
    }

    /// Whether a relay may exchange datagrams with `peer`. One of our live
    /// relays is allowed on its own port only.
    pub fn check(&self, peer: SocketAddr) -> Result<(), Forbidden> {
        let peer = canonical(peer);
        if self.live().contains(&peer) {
            return Ok(());
        }
        self.policy.check(peer.ip())
    }

    /// Logs a refusal: what was refused, for which client, toward which
    /// peer and why. Every field is parsed or ours, never the request's
    /// bytes. At most one line a second (with a count of those left out),
    /// so a flood of refused sends is not a flood of log lines.
    pub fn log_refusal(
        &self,
        what: &'static str,
        client: Option<SocketAddr>,
        peer: Option<SocketAddr>,
        why: Forbidden,
    ) {
        let Some(left_out) = self.log.lock().unwrap_or_else(|e| e.into_inner()).admit() else {
            return;
        };
        let client = client.map(|c| c.to_string()).unwrap_or_default();
        let peer = peer.map(|p| p.to_string()).unwrap_or_default();
        tracing::warn!(what, %client, %peer, reason = why.0, left_out, "TURN peer refused");
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashSet<SocketAddr>> {
        // A panic elsewhere while holding it leaves a set that is still whole.
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// IPv4-mapped IPv6 addresses folded to IPv4, so one relay has one key.
fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}

/// One log line a second at most.
#[derive(Default)]
struct Throttle {
    last: Option<Instant>,
    left_out: u64,
}

const LOG_EVERY: Duration = Duration::from_secs(1);

impl Throttle {
    /// `Some(lines left out since the last)` when a line may be written now.
    fn admit(&mut self) -> Option<u64> {
        let now = Instant::now();
        if self.last.is_some_and(|t| now.duration_since(t) < LOG_EVERY) {
            self.left_out += 1;
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.left_out))
    }
}

/// Hands out relay sockets that keep to the guard, and tells the guard
/// which relay addresses are live.
pub struct GuardedRelays {
    pub inner: Box<dyn RelayAddressGenerator + Send + Sync>,
    pub guard: Arc<PeerGuard>,
}

#[async_trait::async_trait]
impl RelayAddressGenerator for GuardedRelays {
    fn validate(&self) -> Result<(), webrtc_turn::Error> {
        self.inner.validate()
    }

    async fn allocate_conn(
        &self,
        use_ipv4: bool,
        requested_port: u16,
    ) -> Result<(Arc<dyn Conn + Send + Sync>, SocketAddr), webrtc_turn::Error> {
        let (conn, announced) = self.inner.allocate_conn(use_ipv4, requested_port).await?;
        // Peers name a relay by its announced address; datagrams from a
        // relay on this host arrive from its bound address when that is a
        // specific one.
        let mut addrs = vec![canonical(announced)];
        if let Ok(bound) = conn.local_addr()
            && !bound.ip().is_unspecified()
        {
            addrs.push(canonical(bound));
        }
        self.guard.live().extend(addrs.iter().copied());
        let relay = Filtered {
            inner: conn,
            filter: GuardedRelay {
                addrs,
                guard: Arc::clone(&self.guard),
            },
        };
        Ok((Arc::new(relay), announced))
    }
}

/// What a relay socket keeps to: it drops datagrams to and from refused
/// peers, as a firewall would (the sender is told nothing).
struct GuardedRelay {
    addrs: Vec<SocketAddr>,
    guard: Arc<PeerGuard>,
}

impl GuardedRelay {
    fn forget(&self) {
        let mut live = self.guard.live();
        for addr in &self.addrs {
            live.remove(addr);
        }
    }
}

/// The allocation closes its relay when it ends, but the socket may be
/// dropped without (the crate binds one just to learn a free port): either
/// way the address stops being a live relay. Forgetting twice is harmless,
/// and no new relay can take the address before the socket is gone.
impl Drop for GuardedRelay {
    fn drop(&mut self) {
        self.forget();
    }
}

#[async_trait::async_trait]
impl DatagramFilter for GuardedRelay {
    async fn incoming(
        &self,
        _conn: &(dyn Conn + Send + Sync),
        _datagram: &[u8],
        from: SocketAddr,
    ) -> bool {
        match self.guard.check(from) {
            Ok(()) => true,
            Err(why) => {
                self.guard
                    .log_refusal("datagram from peer", None, Some(from), why);
                false
            }
        }
    }

    fn outgoing(&self, _datagram: &[u8], target: SocketAddr) -> bool {
        match self.guard.check(target) {
            Ok(()) => true,
            Err(why) => {
                self.guard
                    .log_refusal("datagram to peer", None, Some(target), why);
                false
            }
        }
    }

    fn closing(&self) {
        self.forget();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_relay_is_allowed_on_its_own_port_only() {
        let guard = PeerGuard::new(PeerPolicy::default());
        let relay: SocketAddr = "127.0.0.1:50001".parse().unwrap();
        assert!(guard.check(relay).is_err());
        guard.live().insert(relay);
        assert_eq!(guard.check(relay), Ok(()));
        assert_eq!(
            guard.check("[::ffff:127.0.0.1]:50001".parse().unwrap()),
            Ok(())
        );
        assert!(guard.check("127.0.0.1:50002".parse().unwrap()).is_err());
        guard.live().remove(&relay);
        assert!(guard.check(relay).is_err());
    }

    #[test]
    fn the_log_admits_one_line_a_second_and_counts_the_rest() {
        let mut throttle = Throttle::default();
        assert_eq!(throttle.admit(), Some(0));
        assert_eq!(throttle.admit(), None);
        assert_eq!(throttle.admit(), None);
        throttle.last = Some(Instant::now() - LOG_EVERY);
        assert_eq!(throttle.admit(), Some(2));
    }
}
