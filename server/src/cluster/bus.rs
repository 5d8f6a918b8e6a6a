//! The bus between nodes: Redis pub/sub. Each node listens on a channel of
//! its own (frames for its sockets), and the core on a channel named after
//! its lease epoch (frames from every gateway's sockets), so a message sent
//! to a core that has since been replaced reaches nobody instead of a stale
//! hub, and the publisher learns it at once (PUBLISH counts receivers).
//!
//! Pub/sub keeps nothing: a message that finds no listener is gone. That is
//! the point, not a risk: nothing durable travels here (the store commits
//! every event before any node is told of it), and a node that loses its
//! subscription closes the sockets that depended on it, whose clients
//! reconnect and resume from their last `seq`. Order holds per publisher
//! connection, which is all the protocol relies on: one socket's frames go
//! through one node's connection.

use std::time::Duration;

use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// Keys of what the core publishes for every node to show (core.rs,
/// gateway.rs): the supervisors' live figures and the Prometheus text.
pub const FIGURES: &str = "figures";
pub const METRICS: &str = "metrics";

/// How long a Redis command may take before it counts as failed.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Bus {
    client: redis::Client,
    /// Publishes and queries; reconnects by itself after Redis restarts.
    publisher: ConnectionManager,
    /// Every channel name starts with it (`--cluster-name`), so clusters
    /// can share a Redis.
    prefix: String,
}

impl Bus {
    pub async fn connect(url: &str, cluster: &str) -> anyhow::Result<Bus> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let publisher = client.get_connection_manager_with_config(config).await?;
        Ok(Bus {
            client,
            publisher,
            prefix: format!("tandem:{cluster}:"),
        })
    }

    /// Where gateways send the core at `epoch` their sockets' frames.
    pub fn core_channel(&self, epoch: i64) -> String {
        format!("{}core:{epoch}", self.prefix)
    }

    /// Where the core sends a node the frames for its sockets.
    pub fn node_channel(&self, node: &str) -> String {
        format!("{}node:{node}", self.prefix)
    }

    /// Publishes; returns how many subscribers received it (0: nobody
    /// listens on that channel any more).
    pub async fn publish(&self, channel: &str, payload: Vec<u8>) -> redis::RedisResult<usize> {
        redis::cmd("PUBLISH")
            .arg(channel)
            .arg(payload)
            .query_async(&mut self.publisher.clone())
            .await
    }

    /// Subscribes on a connection of its own; the stream ends when that
    /// connection is lost (Redis restarted, network cut).
    pub async fn subscribe(
        &self,
        channel: &str,
    ) -> redis::RedisResult<impl Stream<Item = Bytes> + Send + use<>> {
        let mut pubsub = self.client.get_async_pubsub().await?;
        pubsub.subscribe(channel).await?;
        Ok(pubsub
            .into_on_message()
            .map(|msg| Bytes::copy_from_slice(msg.get_payload_bytes())))
    }

    /// Where the core keeps what every node shows of the hub: `figures`
    /// (the supervisors' live figures) and `metrics` (the Prometheus text).
    pub fn key(&self, what: &str) -> String {
        format!("{}{what}", self.prefix)
    }

    /// Stores a value for `ttl` (it is rewritten well before then).
    pub async fn put(&self, key: &str, value: Vec<u8>, ttl: Duration) -> redis::RedisResult<()> {
        redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("PX")
            .arg(ttl.as_millis() as u64)
            .query_async(&mut self.publisher.clone())
            .await
    }

    pub async fn get(&self, key: &str) -> redis::RedisResult<Option<Vec<u8>>> {
        redis::cmd("GET")
            .arg(key)
            .query_async(&mut self.publisher.clone())
            .await
    }

    /// How many subscribers each channel has: a node whose channel has none
    /// is gone (its process died, or it lost Redis), and so are its sockets.
    pub async fn subscribers(&self, channels: &[String]) -> redis::RedisResult<Vec<usize>> {
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        let counts: Vec<(String, usize)> = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(channels)
            .query_async(&mut self.publisher.clone())
            .await?;
        Ok(counts.into_iter().map(|(_, n)| n).collect())
    }
}
