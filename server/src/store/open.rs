//! Opening the store a database URL names.

use std::sync::Arc;

use super::error::{Result, StoreError};
use super::interface::Store;
use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;

/// Opens the store a URL names and brings its schema up to date.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = if url.starts_with("sqlite:") {
        Arc::new(SqliteStore::connect(url).await?)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Arc::new(PostgresStore::connect(url).await?)
    } else {
        return Err(StoreError::UnsupportedUrl(url.to_string()));
    };
    store.migrate().await?;
    Ok(store)
}
