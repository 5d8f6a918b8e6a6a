//! Password checks for logins, at most a few at a time.
//!
//! Each Argon2 check holds 19 MiB for about a tenth of a second. Unbounded,
//! 40 concurrent logins took the server from 22 to 782 MiB (tokio's blocking
//! pool allows 512 threads). Here a semaphore lets about one check per core
//! run; others wait up to `wait` and are then answered "busy". Each slot
//! keeps its working memory between checks, so the memory logins use is
//! allocated once and stays flat (see `password::verify_in`).

use std::sync::Mutex;
use std::time::Duration;

use argon2::Block;
use tokio::sync::Semaphore;

use super::password;

/// No slot freed up within the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many logins at once")]
pub struct Busy;

pub struct HashPool {
    slots: Semaphore,
    /// Working memory of the idle slots; at most one buffer per slot exists.
    /// A plain mutex: held only to push or pop.
    memory: Mutex<Vec<Vec<Block>>>,
    wait: Duration,
}

impl HashPool {
    pub fn new(slots: usize, wait: Duration) -> HashPool {
        HashPool {
            slots: Semaphore::new(slots.max(1)),
            memory: Mutex::new(Vec::new()),
            wait,
        }
    }

    /// The number of cores, the default number of slots.
    pub fn default_slots() -> usize {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    }

    /// Checks `password` against the stored PHC string off the async workers.
    /// `None` (an unknown email) checks against a decoy, which takes as long
    /// as a wrong password and is never true.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        let _slot = tokio::time::timeout(self.wait, self.slots.acquire())
            .await
            .map_err(|_| Busy)?
            .expect("the semaphore is never closed");
        let mut memory = self.lock().pop().unwrap_or_default();
        let checked = tokio::task::spawn_blocking(move || {
            let ok = match &stored {
                Some(stored) => password::verify_in(&password, stored, &mut memory),
                None => {
                    password::verify_in(&password, password::decoy(), &mut memory);
                    false
                }
            };
            (ok, memory)
        })
        .await;
        match checked {
            Ok((ok, memory)) => {
                self.lock().push(memory);
                Ok(ok)
            }
            // Argon2 does not panic on any input; were it to, the buffer is
            // lost and the next check allocates a new one.
            Err(_) => Ok(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn checks_beyond_the_slots_wait_then_are_refused_busy() {
        let stored = password::hash("correct horse battery");
        // One slot and almost no patience: of two checks at once, one runs
        // (an Argon2 check takes tens of milliseconds) and one is refused.
        let pool = HashPool::new(1, Duration::from_millis(1));
        let check = || pool.verify("correct horse battery".into(), Some(stored.clone()));
        let (a, b) = tokio::join!(check(), check());
        let mut results = [a, b];
        results.sort_by_key(|r| r.is_err());
        assert_eq!(results, [Ok(true), Err(Busy)]);
        // With patience both get through, one after the other, and the
        // unknown-email path never says yes.
        let pool = HashPool::new(1, Duration::from_secs(60));
        let (a, b) = tokio::join!(
            pool.verify("correct horse battery".into(), Some(stored.clone())),
            pool.verify("correct horse battery".into(), None)
        );
        assert_eq!((a, b), (Ok(true), Ok(false)));
        assert_eq!(pool.lock().len(), 1, "one slot, one buffer");
    }
}
