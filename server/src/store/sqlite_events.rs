//! SQLite's event writer: one connection on a thread of its own that commits
//! a whole batch of session events per hand-over.
//!
//! sqlx runs each SQLite connection on a worker thread and passes every
//! statement to it through a channel, so a batch of k events cost k + 3 round
//! trips between threads: at saturation a third of the server's CPU went to
//! switching threads (profiled in docs/benchmarks.md). Here the batch crosses
//! once, its statement is prepared once per connection and stepped in
//! place, and the answer crosses back once.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use protocol::Event;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior, params};
use tokio::sync::oneshot;

use super::error::{Result, StoreError};
use super::outbox::OutboxRow;
use super::sql::rows::to_json;

const INSERT: &str = "INSERT INTO events (session_id, seq, at, author, author_name, body) \
                      VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// One event as its row, encoded on the caller's thread.
struct Row {
    session: String,
    seq: u64,
    at: i64,
    author: &'static str,
    author_name: Option<String>,
    body: String,
}

struct Job {
    rows: Vec<Row>,
    outbox: Vec<OutboxRow>,
    done: oneshot::Sender<Result<()>>,
}

/// `sql::webhook::INSERT_OUTBOX` with rusqlite's placeholders.
const INSERT_OUTBOX: &str = "INSERT INTO webhook_outbox (event_id, kind, session_id, visitor_id, at, entry) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (event_id) DO NOTHING";

/// Handle to the writer thread; the thread ends when the handle is dropped.
pub(super) struct EventThread {
    jobs: mpsc::Sender<Job>,
}

impl EventThread {
    /// Opens its own connection to the database file (already created and
    /// in WAL mode) and starts the thread.
    pub(super) fn start(path: &Path) -> Result<EventThread> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // The same settings as the pool's connections (see sqlite.rs).
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Checkpoints run on the connection that commits, so here: a longer
        // log between them copies each busy page back once instead of once
        // per 4 MB, and syncs less often (at most 40 MB of log).
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-events".into())
            .spawn(move || serve(conn, queue))
            .map_err(|_| StoreError::WriterStopped)?;
        Ok(EventThread { jobs })
    }

    /// Commits the events in one transaction; see `Store::append_events`.
    /// Appends `batch`, and its webhook `outbox` rows, in one transaction.
    pub(super) async fn append(
        &self,
        batch: &[(String, Event)],
        outbox: Vec<OutboxRow>,
    ) -> Result<()> {
        let rows = batch
            .iter()
            .map(|(session, e)| Row {
                session: session.clone(),
                seq: e.seq,
                at: e.at,
                author: e.author.as_str(),
                author_name: e.author_name.clone(),
                body: to_json(&e.body),
            })
            .collect();
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job { rows, outbox, done })
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }
}

fn serve(mut conn: Connection, queue: mpsc::Receiver<Job>) {
    for job in queue {
        // The caller may have gone (its task was cancelled): nothing to tell.
        let _ = job.done.send(write(&mut conn, &job.rows, &job.outbox));
    }
}

fn write(conn: &mut Connection, rows: &[Row], outbox: &[OutboxRow]) -> Result<()> {
    // IMMEDIATE takes the write lock up front, so a busy database is waited
    // for (busy_timeout) instead of failing when a read turns into a write.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut insert = tx.prepare_cached(INSERT)?;
        for r in rows {
            insert
                .execute(params![
                    r.session,
                    r.seq as i64,
                    r.at,
                    r.author,
                    r.author_name,
                    r.body
                ])
                .map_err(conflict)?;
        }
        if !outbox.is_empty() {
            let mut insert = tx.prepare_cached(INSERT_OUTBOX)?;
            for o in outbox {
                insert.execute(params![
                    o.event_id,
                    o.kind,
                    o.session_id,
                    o.visitor_id,
                    o.at,
                    o.entry
                ])?;
            }
        }
    }
    // Dropped without a commit (an error above), the transaction rolls back.
    tx.commit()?;
    Ok(())
}

/// A taken (session, seq) is a conflict; a missing session (foreign key) is not.
fn conflict(e: rusqlite::Error) -> StoreError {
    use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == ErrorCode::ConstraintViolation
                && matches!(
                    f.extended_code,
                    SQLITE_CONSTRAINT_PRIMARYKEY | SQLITE_CONSTRAINT_UNIQUE
                ) =>
        {
            StoreError::Conflict("event")
        }
        _ => StoreError::Sqlite(e),
    }
}
