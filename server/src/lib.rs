//! The Tandem server as a library, so integration tests can start a real one
//! on 127.0.0.1:0 in-process. `main.rs` is the thin command-line front.
// `deny`, not `forbid`: memory.rs makes the allowed calls (malloc_trim, mallopt).
#![deny(unsafe_code)]

pub mod accounts;
pub mod admission;
pub mod auth;
pub mod cidr;
pub mod cli;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod drain;
pub mod http;
pub mod hub;
pub mod ids;
pub mod memory;
pub mod metrics;
pub mod net;
pub mod privacy;
pub mod routing;
pub mod screen_pop;
pub mod store;
pub mod turn;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::Config;

use crate::auth::VisitorTokens;
use crate::hub::Hub;
use crate::store::{Site, Store};

/// How long `shutdown` waits for sockets told to reconnect to close.
const DRAIN_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A server that is listening. Dropping it does not stop it; call `shutdown`.
pub struct Running {
    pub addr: SocketAddr,
    pub demo_addr: Option<SocketAddr>,
    /// The listener that serves only /metrics, if configured.
    pub metrics_addr: Option<SocketAddr>,
    pub public_url: String,
    pub store: Arc<dyn Store>,
    /// The embedded TURN server's address as clients reach it (UDP), if it runs.
    pub turn_addr: Option<SocketAddr>,
    turn: Option<Arc<turn::TurnServer>>,
    /// The node's route, to flush its hub's writer when stopping.
    live: cluster::Live,
    drain: drain::Drain,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// `ws://…` form of the public URL.
    pub fn ws_url(&self) -> String {
        self.public_url.replacen("http", "ws", 1)
    }

    pub fn demo_url(&self) -> Option<String> {
        self.demo_addr.map(|a| format!("http://{a}"))
    }

    /// The usernames of the embedded TURN server's allocations (for tests
    /// and diagnostics).
    pub async fn turn_allocations(&self) -> Vec<String> {
        match &self.turn {
            Some(t) => t.allocations().await,
            None => Vec::new(),
        }
    }

    /// Starts draining (drain.rs): `/readyz` answers 503, new WebSockets
    /// are refused, open ones are told to reconnect (1012). The listeners
    /// keep serving everything else until `shutdown`.
    pub fn drain(&self) {
        self.drain.start();
    }

    /// Drains, waits (up to `DRAIN_LIMIT`) for the WebSockets to close, then
    /// stops accepting, lets open requests finish, waits for the listeners.
    pub async fn shutdown(self) {
        self.drain.start();
        let left = self.drain.settled(DRAIN_LIMIT).await;
        if left > 0 {
            tracing::warn!(sockets = left, "stopping with websockets still open");
        }
        // Events still queued for the store are committed before the
        // process goes (a cluster's core has flushed already, handing over).
        if let Some(hub) = self.live.hub() {
            let _ = tokio::time::timeout(DRAIN_LIMIT, hub.flush()).await;
        }
        let _ = self.stop.send(true);
        if let Some(turn) = &self.turn {
            turn.close().await;
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Opens the store, binds the listeners and starts serving.
pub async fn start(mut config: Config) -> Result<Running> {
    let store = store::open(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", config.database_url))?;
    let key = store
        .setting_or_insert("visitor_token_key", &hex(&ids::random_bytes::<32>()))
        .await?;
    let tokens = VisitorTokens::new(key.into_bytes());

    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    if config.public_url.is_empty() {
        config.public_url = format!("http://{addr}");
    }
    config.public_url = config.public_url.trim_end_matches('/').to_string();

    let demo = match config.demo_listen {
        Some(at) => {
            let l = TcpListener::bind(at)
                .await
                .with_context(|| format!("binding the demo shop on {at}"))?;
            let demo_addr = l.local_addr()?;
            config
                .allow_origins
                .push(("demo".into(), format!("http://{demo_addr}")));
            Some((l, demo_addr))
        }
        None => None,
    };
    for (site, origin) in &config.allow_origins {
        allow_origin(store.as_ref(), site, origin).await?;
    }
    let metrics_listener = match config.metrics.listen {
        Some(at) => Some(
            TcpListener::bind(at)
                .await
                .with_context(|| format!("binding the metrics listener on {at}"))?,
        ),
        None => None,
    };

    let (calls, bound_turn) = voice(&config, store.as_ref()).await?;
    let live = cluster::Live::pending();
    // TURN asks the node's current hub which sessions have a call.
    let turn = match bound_turn {
        Some((bound, credentials)) => Some(Arc::new(
            bound.serve(credentials, Arc::new(live.clone())).await?,
        )),
        None => None,
    };
    let make_hub: cluster::node::MakeHub = {
        let (store, tokens, turn) = (store.clone(), tokens.clone(), turn.clone());
        let (ring_ms, after_call_ms, visitors) =
            (config.ring_ms, config.after_call_ms, config.visitors);
        Arc::new(move || {
            let (store, tokens, calls, turn) =
                (store.clone(), tokens.clone(), calls.clone(), turn.clone());
            Box::pin(async move {
                let hub = Hub::new(store, tokens, ring_ms, after_call_ms, calls, visitors).await?;
                if let Some(turn) = &turn {
                    hub.set_turn(turn);
                }
                Ok(hub)
            })
        })
    };
    let drain = drain::Drain::default();
    let mut tasks = Vec::new();
    match &config.cluster {
        None => live.serve_alone(make_hub().await?),
        Some(cluster) => tasks.push(
            cluster::join(
                cluster,
                &config.database_url,
                store.clone(),
                live.clone(),
                make_hub,
                turn.clone(),
                drain.clone(),
            )
            .await?,
        ),
    }
    let config = Arc::new(config);
    let auth = Arc::new(auth::AgentAuth::start(
        &config.login,
        store.clone(),
        live.clone(),
    ));
    let state = http::AppState {
        live: live.clone(),
        visitor_tokens: tokens,
        admission: Arc::new(admission::Admission::new(&config.visitors)),
        store: store.clone(),
        config: config.clone(),
        sockets_per_ip: net::PerIp::new(config.connections.max_per_ip),
        auth,
        drain: drain.clone(),
    };
    let (stop, stopped) = watch::channel(false);
    let limits = Arc::new(config.connections.clone());
    let metrics_addr = match metrics_listener {
        Some(l) => {
            let addr = l.local_addr()?;
            let app = http::metrics::router(state.live.clone(), config.metrics.token.as_deref());
            tasks.push(net::spawn_server(l, app, limits.clone(), stopped.clone()));
            Some(addr)
        }
        None => None,
    };
    tasks.push(net::spawn_server(
        listener,
        http::router(state),
        limits.clone(),
        stopped.clone(),
    ));
    tasks.push(webhooks::spawn(
        store.clone(),
        live.clone(),
        config.webhooks.clone(),
        stopped.clone(),
    ));
    tasks.push(privacy::retention::spawn(
        store.clone(),
        std::time::Duration::from_millis(config.purge_interval_ms.max(1)),
        stopped.clone(),
    ));
    if config.trim_memory_ms > 0 {
        tasks.push(memory::spawn(
            std::time::Duration::from_millis(config.trim_memory_ms),
            stopped.clone(),
        ));
    }
    let demo_addr = match demo {
        Some((l, demo_addr)) => {
            let app = http::demo::router(config.files.clone(), config.public_url.clone());
            tasks.push(net::spawn_server(l, app, limits, stopped));
            Some(demo_addr)
        }
        None => None,
    };
    Ok(Running {
        addr,
        demo_addr,
        metrics_addr,
        public_url: config.public_url.clone(),
        store,
        turn_addr: turn.as_ref().map(|t| t.public),
        turn,
        live,
        drain,
        stop,
        tasks,
    })
}

/// What the hub needs for calls, and the embedded TURN server's socket,
/// bound (its address goes into the ICE servers the hub hands out) but not
/// serving yet, with its credentials.
async fn voice(
    config: &Config,
    store: &dyn Store,
) -> Result<(
    hub::CallSettings,
    Option<(turn::BoundTurn, turn::Credentials)>,
)> {
    let voice = &config.voice;
    let bound = match &voice.turn {
        Some(t) => Some(turn::BoundTurn::bind(t).await?),
        None => None,
    };
    let secret = match (&voice.turn_secret, &bound) {
        (Some(s), _) => Some(s.clone()),
        // Kept in the database: stable across restarts, shared by nodes.
        (None, Some(_)) => Some(
            store
                .setting_or_insert("turn_secret", &hex(&ids::random_bytes::<32>()))
                .await?,
        ),
        (None, None) => None,
    };
    let credentials = secret.map(|s| turn::Credentials::new(s, voice.credential_ttl_secs));
    let ice = turn::IceServers::new(
        bound.as_ref().map(|b| b.urls()),
        credentials.clone(),
        voice.ice_servers.clone(),
        voice.credential_ttl_secs,
    );
    let calls = hub::CallSettings {
        ring_ms: voice.ring_ms,
        ice,
    };
    Ok((calls, bound.zip(credentials)))
}

/// Adds an allowed origin to a site, creating the site if needed.
pub async fn allow_origin(store: &dyn Store, site: &str, origin: &str) -> Result<()> {
    let origin = http::normalise_origin(origin);
    let mut record = store.site(site).await?.unwrap_or_else(|| Site::new(site));
    if !record.origins.contains(&origin) {
        record.origins.push(origin);
    }
    store.upsert_site(&record, clock::now_ms()).await?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
