//! Giving freed memory back to the operating system.
//!
//! glibc's allocator keeps memory a program frees for its next allocations,
//! in one arena per thread that allocated it, and returns it to the system
//! only from the top of the main heap. Under steady churn (issue 13: sessions
//! ending and starting, reconnects, page frames of every size, `/metrics`
//! loading the day's sessions) the live heap stays flat, but the freed
//! holes spread over many arenas and the resident size kept climbing, about
//! 4 MiB a minute in the soak (docs/benchmarks.md), none of it given back
//! after every client left. A heap profile showed no structure growing;
//! `malloc_trim(0)` from a debugger took a 65 MiB server back to 40 MiB.
//! So the server calls it every so often, off the async threads.
//!
//! Trimming returns whole free pages; what stays is fragmentation, pages
//! still holding a few live blocks, and it grows with the number of arenas
//! (glibc makes up to eight per core, one per thread that meets contention).
//! A heap profile of a 25-minute soak showed the live heap flat after the
//! first 5 minutes (17.1 → 17.3 MB) while the anonymous resident memory
//! grew 2.1 MiB. With one arena per core instead (two 20-minute soaks side
//! by side) the server was smaller at every sample, ended at 36.2 instead of
//! 37.5 MiB, and grew 1.5 instead of 1.7 MiB after the warm-up: less, not
//! none (docs/benchmarks.md, "Memory under steady churn").
//!
//! The `tandem` binary has since moved its own allocations to jemalloc
//! (main.rs), which levelled off within minutes in the same soak. glibc
//! still serves the C code (SQLite's page caches and statements), so the
//! arena limit and the trim stay for that part; the crate's tests, on the
//! system allocator, keep checking both.
//!
//! Other platforms and allocators return memory their own way: there this
//! does nothing.

use std::time::Duration;

use tokio::sync::watch;

/// Limits glibc to one malloc arena per core (of those this process may
/// use), unless the operator chose a limit (`MALLOC_ARENA_MAX`, or
/// `arena_max` in `GLIBC_TUNABLES`); true if it set one. Call it first
/// thing in `main`, before other threads start.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn one_arena_per_core() -> bool {
    let tunables = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() || tunables.contains("arena_max") {
        return false;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    set_arena_max(cores)
}

/// `mallopt(M_ARENA_MAX, arenas)`: true if glibc took it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn set_arena_max(arenas: usize) -> bool {
    let arenas = libc::c_int::try_from(arenas).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt takes plain integers; M_ARENA_MAX only bounds how many
    // arenas later allocations may create. It returns 1 on success.
    unsafe { libc::mallopt(libc::M_ARENA_MAX, arenas) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn one_arena_per_core() -> bool {
    false
}

/// Trims every `interval` until `stopped` turns true; the first trim one
/// interval in (nothing was freed yet at start).
pub fn spawn(interval: Duration, stopped: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    crate::clock::every(interval, false, stopped, || async {
        // It walks and locks each arena in turn: a few milliseconds that
        // must not hold up an async worker.
        let _ = tokio::task::spawn_blocking(trim).await;
    })
}

/// Returns free memory at the top of each heap and the whole free pages
/// inside them to the system; true if any was returned.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn trim() -> bool {
    // SAFETY: malloc_trim takes no pointers and is thread-safe (it takes
    // each arena's lock); 0 keeps no padding at the top of the heap.
    unsafe { libc::malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim() -> bool {
    false
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn the_arena_limit_is_accepted() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert!(super::set_arena_max(cores));
    }

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn freed_memory_is_given_back() {
        fn rss_kib() -> u64 {
            let status = std::fs::read_to_string("/proc/self/status").unwrap();
            status
                .lines()
                .find_map(|l| l.strip_prefix("RssAnon:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap()
        }
        // Many small blocks (below glibc's mmap threshold, so they live in
        // the heap), touched, then all but every 20th freed: holes of whole
        // pages that no single free returns, as churn leaves them.
        let mut blocks: Vec<Vec<u8>> = (0..40_000).map(|i| vec![i as u8; 2000]).collect();
        let mut i = 0;
        blocks.retain(|_| {
            i += 1;
            i % 20 == 0
        });
        let before = rss_kib();
        super::trim();
        let after = rss_kib();
        drop(blocks);
        assert!(
            after + 10_000 < before,
            "trimming gave back less than 10 MiB of the ~70 MiB freed: {before} KiB → {after} KiB"
        );
    }
}
