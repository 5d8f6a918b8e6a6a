//! What can go wrong in the store, and the `Result` every method returns.

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A unique constraint failed; the string names what already exists.
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("unsupported database URL {0:?}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// This node no longer holds the cluster's core lease (cluster/lease.rs).
    #[error("this node is no longer the cluster's core")]
    Fenced,
    #[error("the event writer has stopped")]
    WriterStopped,
    /// Erasure refused: this session of the person has not ended, and the
    /// server holding it live would keep (and write back) what it knows.
    #[error("session {0} has not ended yet")]
    SessionOpen(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
