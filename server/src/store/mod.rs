//! Persistence. One `Store` trait (interface.rs), two real implementations
//! (SQLite for a single machine, Postgres across several) that share their
//! SQL text (sql/) and are checked by one test suite (tests/tests/store.rs).
//!
//! - error.rs: `StoreError` and `Result`;
//! - records.rs: the records stored and handed back (sites, agents, visitors,
//!   sessions, library items, erasures);
//! - open.rs: the store a database URL names;
//! - sqlite.rs (with sqlite_events.rs, its event writer), postgres.rs: the
//!   two backends;
//! - batch.rs: batching session events on their way to the store;
//! - personal.rs: what erasure keeps of each record;
//! - outbox.rs: which log entries are kept for webhooks, and as what.

pub mod batch;
mod error;
mod interface;
mod open;
pub mod outbox;
pub mod personal;
mod postgres;
mod records;
mod sql;
mod sqlite;
mod sqlite_events;

pub use error::{Result, StoreError};
pub use interface::Store;
pub use open::open;
pub use postgres::PostgresStore;
pub use records::{
    Agent, AgentStatus, ApiToken, Attempt, AttemptNext, ConversationFilter, Delivery, DueDelivery,
    Erasure, IdempotencyClaim, LibraryItem, LibraryKind, NewDelivery, SessionRecord, Site,
    TokenScope, TokenState, Visitor, VoicePolicy, Webhook, WebhookEventType, Wrapup,
};
pub use sqlite::SqliteStore;
