//! What every table family's statements share: values stored as JSON text
//! columns, and a unique-constraint failure told apart from other errors.

use crate::store::{Result, StoreError};

/// Maps a unique-constraint failure to `Conflict(what)`, anything else through.
pub(in crate::store) fn conflict(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(e),
    }
}

pub(in crate::store) fn json_list(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("list column: {e}")))
}

pub(in crate::store) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}
