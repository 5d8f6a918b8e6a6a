//! Several nodes on one Postgres and one Redis (docs/architecture.md,
//! "Cluster"). One node at a time is the core: it holds the core lease in
//! Postgres (`lease.rs`) and runs the hub, so every rule that needs one
//! view — the queue's order, agents' capacity, each session's numbering —
//! keeps the single process it was written for. Every node accepts
//! sockets: on the core they reach the hub directly; on the others
//! (gateways, `gateway.rs`) their frames travel over Redis pub/sub
//! (`bus.rs`, `message.rs`) to the core, which treats them as its own
//! connections (`core.rs`). `route.rs` holds which of the two a node is
//! right now; `node.rs` decides it; `calls.rs` tells each gateway which
//! calls its own TURN server may relay for.
//!
//! Without `--redis-url` none of this runs: a single node's route is its
//! own hub for good, exactly as before.

pub mod bus;
mod calls;
pub mod core;
pub mod gateway;
pub mod lease;
pub mod message;
pub mod node;
pub mod route;

pub use crate::config::{ClusterConfig, LEASE_TTL};
pub use route::{Live, Route};

use std::sync::Arc;

use anyhow::{Context, bail};

use crate::drain::Drain;
use crate::store::Store;

/// Joins the cluster: connects to the bus and the lease, then runs this
/// node's part (node.rs) until the server drains. Waits, up to two lease
/// lifetimes, until the node has a route, so a node that says it is ready
/// takes sockets; after that it serves whatever the cluster's state.
pub async fn join(
    config: &ClusterConfig,
    database_url: &str,
    store: Arc<dyn Store>,
    live: Live,
    make_hub: node::MakeHub,
    turn: Option<Arc<crate::turn::TurnServer>>,
    drain: Drain,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    if !database_url.starts_with("postgres") {
        bail!(
            "a cluster shares one Postgres database: --redis-url needs --database-url postgres://…"
        );
    }
    // Kept in the database: every node of the cluster has it, Redis does not.
    let key = store
        .setting_or_insert("cluster_bus_key", &crate::ids::new_id(""))
        .await?;
    let bus = bus::Bus::connect(&config.redis_url, &config.name, key.as_bytes())
        .await
        .with_context(|| {
            format!(
                "connecting to Redis at {}",
                without_password(&config.redis_url)
            )
        })?;
    let id = crate::ids::new_id("n_");
    let lease = lease::Lease::connect(database_url, &id, config.lease_ttl).await?;
    tracing::info!(node = id.as_str(), "joining the cluster");
    let node = node::Node::new(
        id,
        bus,
        lease,
        config.lease_ttl,
        live.clone(),
        store,
        make_hub,
    )
    .with_turn(turn);
    let task = tokio::spawn(async move { node.run(drain.started()).await });
    if live.ready_route(2 * config.lease_ttl).await.is_none() {
        tracing::warn!("no core yet; serving once one is elected");
    }
    Ok(task)
}

/// A URL for a log line or an error: any password in it replaced.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:…@{host}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            without_password("redis://:s3cret@cache:6379/"),
            "redis://:…@cache:6379/"
        );
        assert_eq!(
            without_password("redis://tandem:s3cret@cache/"),
            "redis://tandem:…@cache/"
        );
        assert_eq!(
            without_password("redis://cache:6379/"),
            "redis://cache:6379/"
        );
    }
}
