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
//!
//! Every message carries an HMAC-SHA256 tag (its first 16 bytes) under a key
//! the nodes read from the shared database, and a message whose tag does
//! not verify is dropped: a client that can write to Redis but not read the
//! database cannot speak for a socket (an `Open` names who the socket is).
//! Redis must still be private: whoever reads it reads the conversations.

use std::time::Duration;

use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use hmac::{Hmac, Mac};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::Sha256;

/// Keys of what the core publishes for every node to show (core.rs,
/// gateway.rs): the supervisors' live figures and the Prometheus text.
pub const FIGURES: &str = "figures";
pub const METRICS: &str = "metrics";

/// Bytes of the HMAC tag in front of every message.
const TAG: usize = 16;

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
    /// Signs and checks every message (`cluster_bus_key` in the database).
    key: std::sync::Arc<[u8]>,
}

impl Bus {
    pub async fn connect(url: &str, cluster: &str, key: &[u8]) -> anyhow::Result<Bus> {
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
            key: key.into(),
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
            .arg(sign(&self.key, &payload))
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
        let bus = self.clone();
        Ok(pubsub.into_on_message().filter_map(move |msg| {
            let checked = verify(&bus.key, msg.get_payload_bytes());
            if checked.is_none() {
                tracing::warn!("dropped a bus message with a bad tag");
            }
            std::future::ready(checked)
        }))
    }

    /// Where the core keeps what every node shows of the hub (`FIGURES`,
    /// `METRICS`).
    pub fn key(&self, what: &str) -> String {
        format!("{}{what}", self.prefix)
    }

    /// Stores a value for `ttl` (it is rewritten well before then), signed
    /// like a message.
    pub async fn put(&self, key: &str, value: Vec<u8>, ttl: Duration) -> redis::RedisResult<()> {
        redis::cmd("SET")
            .arg(key)
            .arg(sign(&self.key, &value))
            .arg("PX")
            .arg(ttl.as_millis() as u64)
            .query_async(&mut self.publisher.clone())
            .await
    }

    /// A value `put` stored, if it is there and its tag is right.
    pub async fn get(&self, key: &str) -> redis::RedisResult<Option<Bytes>> {
        let signed: Option<Vec<u8>> = redis::cmd("GET")
            .arg(key)
            .query_async(&mut self.publisher.clone())
            .await?;
        Ok(signed.and_then(|s| verify(&self.key, &s)))
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

fn mac(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("any key length works")
}

/// The tag, then the payload.
fn sign(key: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut mac = mac(key);
    mac.update(payload);
    let tag = mac.finalize().into_bytes();
    let mut out = Vec::with_capacity(TAG + payload.len());
    out.extend_from_slice(&tag[..TAG]);
    out.extend_from_slice(payload);
    out
}

/// The payload, if its tag is right (compared in constant time).
fn verify(key: &[u8], signed: &[u8]) -> Option<Bytes> {
    let (tag, payload) = signed.split_at_checked(TAG)?;
    let mut mac = mac(key);
    mac.update(payload);
    mac.verify_truncated_left(tag).ok()?;
    Some(Bytes::copy_from_slice(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_messages_signed_with_the_clusters_key_are_read() {
        let key = b"the cluster's key";
        let signed = sign(key, b"frame");
        assert_eq!(signed.len(), TAG + 5);
        assert_eq!(verify(key, &signed).as_deref(), Some(&b"frame"[..]));
        assert_eq!(verify(b"another key", &signed), None);
        let mut forged = signed.clone();
        *forged.last_mut().expect("not empty") ^= 1;
        assert_eq!(verify(key, &forged), None, "a changed payload");
        assert_eq!(verify(key, &signed[..TAG - 1]), None, "shorter than a tag");
        assert_eq!(verify(key, b"frame without a tag at all"), None);
    }
}
