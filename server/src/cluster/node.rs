//! One node's part in a cluster: it is either the core (holds the lease,
//! runs the hub, answers every gateway) or a gateway of the current core,
//! and it checks which every `TICK`. See docs/architecture.md, "Cluster".
//!
//! - A node that finds the lease free or expired takes it, fences the
//!   store's event writer with the new epoch, builds the hub from the store
//!   (open sessions, the queue, sharing, agents' presence: what a restarted
//!   single node reads back), subscribes to its epoch's channel, and only
//!   then takes sockets.
//! - Another node becomes its gateway once the core's channel has a
//!   subscriber. Sockets of a previous route are told to reconnect.
//! - The core renews its lease every tick; if it cannot for most of the
//!   lease's lifetime it steps down before the lease can pass to someone
//!   else, so two hubs never serve at once (and the fence stops the writes
//!   of one that was paused past that point).
//! - A draining node (SIGTERM) gives the lease up at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use tokio::time::{Instant, MissedTickBehavior};

use super::bus::Bus;
use super::calls::NodeTurn;
use super::core::{Remotes, SWEEP};
use super::gateway::Gateway;
use super::lease::Lease;
use super::message::{ToCore, ToNode};
use super::route::{Live, Route};
use crate::hub::Hub;
use crate::store::Store;
use crate::turn::TurnServer;

/// How often a node checks the lease (and the core renews it).
pub const TICK: Duration = Duration::from_millis(250);

/// Builds a hub from the store, for a node taking the core over.
pub type MakeHub = Arc<dyn Fn() -> BoxFuture<'static, crate::store::Result<Hub>> + Send + Sync>;

pub struct Node {
    pub id: String,
    pub bus: Bus,
    pub lease: Lease,
    pub ttl: Duration,
    pub live: Live,
    pub store: Arc<dyn Store>,
    pub make_hub: MakeHub,
    /// This node's TURN server, which its sockets' calls relay through
    /// while it is a gateway.
    pub turn: Option<Arc<NodeTurn>>,
    /// Whether this node's own channel is subscribed (a gateway needs it to
    /// hear the core's answers).
    subscribed: Arc<AtomicBool>,
}

enum Role {
    Waiting,
    Gateway {
        epoch: i64,
    },
    Core {
        epoch: i64,
        hub: Hub,
        remotes: Arc<Remotes>,
        listener: tokio::task::JoinHandle<()>,
        renewed: Instant,
    },
}

impl Node {
    pub fn new(
        id: String,
        bus: Bus,
        lease: Lease,
        ttl: Duration,
        live: Live,
        store: Arc<dyn Store>,
        make_hub: MakeHub,
    ) -> Node {
        Node {
            id,
            bus,
            lease,
            ttl,
            live,
            store,
            make_hub,
            turn: None,
            subscribed: Default::default(),
        }
    }

    /// The node's own TURN server (`None`: calls relay through the core's).
    pub fn with_turn(mut self, turn: Option<Arc<TurnServer>>) -> Node {
        self.turn = turn.map(|t| Arc::new(NodeTurn::new(t)));
        self
    }

    /// Runs until `stop` resolves (the server drains); then gives the lease
    /// up if it holds it.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        let listener = tokio::spawn(listen_node(
            self.bus.clone(),
            self.bus.node_channel(&self.id),
            self.live.clone(),
            self.subscribed.clone(),
        ));
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_sweep = Instant::now();
        let mut role = Role::Waiting;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = &mut stop => break,
            }
            role = self.step(role).await;
            if let Role::Core { remotes, .. } = &role
                && last_sweep.elapsed() >= SWEEP
            {
                last_sweep = Instant::now();
                remotes.sweep().await;
                remotes.publish_figures().await;
            }
        }
        if let Role::Core { epoch, hub, .. } = &role {
            let epoch = *epoch;
            // What was queued is committed (and acknowledged) while the
            // lease still fences it, then the next core may start.
            let _ = tokio::time::timeout(self.ttl / 2, hub.flush()).await;
            self.step_down(role, "stopping");
            if let Err(e) = self.lease.release(epoch).await {
                tracing::warn!(error = %e, "could not give the core lease up; it expires by itself");
            }
        }
        listener.abort();
    }

    async fn step(&self, role: Role) -> Role {
        match role {
            Role::Core { .. } => self.keep_core(role).await,
            other => self.find_core(other).await,
        }
    }

    async fn keep_core(&self, mut role: Role) -> Role {
        let Role::Core { epoch, renewed, .. } = &mut role else {
            return role;
        };
        let renewal = tokio::time::timeout(self.ttl / 2, self.lease.renew(*epoch)).await;
        let why = match renewal {
            Ok(Ok(true)) => {
                *renewed = Instant::now();
                return role;
            }
            Ok(Ok(false)) => "the lease passed to another node",
            Ok(Err(_)) | Err(_) if renewed.elapsed() + 2 * TICK < self.ttl => return role,
            _ => "could not renew the lease",
        };
        self.step_down(role, why);
        Role::Waiting
    }

    fn step_down(&self, role: Role, why: &str) {
        if let Role::Core {
            epoch,
            remotes,
            listener,
            ..
        } = role
        {
            tracing::warn!(epoch, why, "no longer the core");
            // Sockets here reconnect; the fence keeps its old epoch, so
            // whatever the old hub still tries to append fails.
            self.live.set(None);
            listener.abort();
            remotes.clear();
        }
    }

    async fn find_core(&self, role: Role) -> Role {
        match self.lease.try_acquire().await {
            Ok(Some(epoch)) => return self.become_core(epoch).await,
            Ok(None) => {}
            Err(e) => {
                tracing::debug!(error = %e, "could not read the core lease");
                return role;
            }
        }
        let holder = match self.lease.holder().await {
            Ok(Some(h)) if h.node != self.id => h,
            Ok(_) => return role,
            Err(_) => return role,
        };
        let current = matches!(role, Role::Gateway { epoch } if epoch == holder.epoch)
            && self.live.is_ready();
        if current {
            return role;
        }
        // Route only to a core that listens, and only once this node hears
        // the core's answers; until then sockets wait (`ready_route`).
        let channel = self.bus.core_channel(holder.epoch);
        let listening =
            matches!(self.bus.subscribers(&[channel]).await.as_deref(), Ok([n]) if *n > 0);
        if !listening || !self.subscribed.load(Ordering::SeqCst) {
            if self.live.is_ready() {
                self.live.set(None);
            }
            return Role::Waiting;
        }
        tracing::info!(
            core = holder.node.as_str(),
            epoch = holder.epoch,
            "routing to the core"
        );
        let gateway = Arc::new(Gateway::new(
            self.bus.clone(),
            &self.id,
            holder.epoch,
            self.turn.clone(),
        ));
        self.live.set(Some(Route::Gateway(gateway.clone())));
        if let Some((generation, _)) = self.live.route() {
            let live = self.live.clone();
            gateway.when_lost(move || live.retire(generation));
        }
        Role::Gateway {
            epoch: holder.epoch,
        }
    }

    async fn become_core(&self, epoch: i64) -> Role {
        tracing::info!(
            node = self.id.as_str(),
            epoch,
            "took the core lease; building the hub"
        );
        self.store.fence_events(Some(epoch));
        // Sockets bound to the previous core reconnect (to this hub).
        self.live.set(None);
        let hub = match (self.make_hub)().await {
            Ok(hub) => hub,
            Err(e) => {
                tracing::error!(error = %e, "could not build the hub; giving the lease up");
                let _ = self.lease.release(epoch).await;
                return Role::Waiting;
            }
        };
        let remotes = Remotes::new(hub.clone(), self.bus.clone());
        let (ready, subscribed) = tokio::sync::oneshot::channel();
        let listener = tokio::spawn(listen_core(
            self.bus.clone(),
            self.bus.core_channel(epoch),
            remotes.clone(),
            ready,
        ));
        if tokio::time::timeout(self.ttl / 2, subscribed)
            .await
            .is_err()
        {
            tracing::warn!("the bus is not answering; serving this node's sockets only");
        }
        self.live.set(Some(Route::Core(hub.clone())));
        Role::Core {
            epoch,
            hub,
            remotes,
            listener,
            renewed: Instant::now(),
        }
    }
}

/// The core's channel: frames from gateways' sockets. Resubscribes when
/// the bus is lost, after detaching every remote socket (messages may have
/// been lost with it; the sockets' clients reconnect and resume).
async fn listen_core(
    bus: Bus,
    channel: String,
    remotes: Arc<Remotes>,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    loop {
        match bus.subscribe(&channel).await {
            Ok(stream) => {
                if let Some(r) = ready.take() {
                    let _ = r.send(());
                }
                let mut stream = std::pin::pin!(stream);
                while let Some(bytes) = stream.next().await {
                    match ToCore::decode(bytes) {
                        Ok(msg) => remotes.receive(msg),
                        Err(e) => tracing::warn!(error = %e, "dropped a bus message"),
                    }
                }
                tracing::warn!("lost the bus; detaching other nodes' sockets");
                remotes.clear();
            }
            Err(e) => tracing::warn!(error = %e, "could not subscribe to the bus"),
        }
        tokio::time::sleep(TICK).await;
    }
}

/// This node's channel: the core's frames for its sockets, handed to the
/// current gateway. When the bus is lost, the gateway's sockets reconnect.
async fn listen_node(bus: Bus, channel: String, live: Live, subscribed: Arc<AtomicBool>) {
    loop {
        match bus.subscribe(&channel).await {
            Ok(stream) => {
                subscribed.store(true, Ordering::SeqCst);
                let mut stream = std::pin::pin!(stream);
                while let Some(bytes) = stream.next().await {
                    let msg = match ToNode::decode(bytes) {
                        Ok(msg) => msg,
                        Err(e) => {
                            tracing::warn!(error = %e, "dropped a bus message");
                            continue;
                        }
                    };
                    if let Some((_, Route::Gateway(g))) = live.route() {
                        g.deliver(msg);
                    }
                }
                subscribed.store(false, Ordering::SeqCst);
                if let Some((generation, Route::Gateway(_))) = live.route() {
                    tracing::warn!("lost the bus; this node's sockets reconnect");
                    live.retire(generation);
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not subscribe to the bus"),
        }
        tokio::time::sleep(TICK).await;
    }
}
