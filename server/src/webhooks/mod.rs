//! Webhooks (docs/api.md): admins subscribe an endpoint to event types;
//! every event is delivered, signed, at least once, and retried with
//! backoff for a day.
//!
//! The path of an event: the store writes the log entry and, when some
//! subscription wants its kind, an outbox row in the same transaction
//! (store/outbox.rs); the dispatcher (dispatcher.rs), running on the node
//! that runs the hub, turns each outbox row into one delivery per
//! subscription (fan-out, one transaction) and sends the due ones. sign.rs
//! signs a body; target.rs says which URLs may be called and keeps
//! deliveries off private networks.

pub mod dispatcher;
pub mod sign;
pub mod target;

pub use dispatcher::spawn;
