//! What Linux says a process uses, read from /proc: resident memory, and CPU
//! time per thread (so Tandem's time in SQLite's worker threads can be told
//! apart from its async runtime).

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// USER_HZ: the unit of utime/stime in /proc/*/stat. It is 100 on every
/// Linux architecture that matters here (the kernel fixes it for userspace).
const TICKS_PER_SEC: f64 = 100.0;

/// Resident and peak resident memory in bytes (VmRSS, VmHWM), and the
/// anonymous part of the resident size (RssAnon: the heap and stacks, not
/// mapped files or shared memory such as SQLite's WAL index).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Memory {
    pub rss: u64,
    pub peak: u64,
    #[serde(default)]
    pub anon: u64,
}

pub fn memory(pid: u32) -> Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    Ok(Memory {
        rss: field("VmRSS:"),
        peak: field("VmHWM:"),
        anon: field("RssAnon:"),
    })
}

/// CPU seconds (user + system) per thread name, e.g. `tokio-rt-worker`,
/// `sqlite-events` and `sqlx-sqlite-wor` (the kernel cuts names to 15
/// bytes), and the
/// context switches of all threads together.
#[derive(Debug, Clone, Default)]
pub struct CpuTimes {
    pub at: Option<Instant>,
    pub by_thread: BTreeMap<String, f64>,
    pub switches: u64,
}

impl CpuTimes {
    pub fn read(pid: u32) -> Result<CpuTimes> {
        let at = Instant::now();
        let mut by_thread = BTreeMap::new();
        let mut switches = 0;
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
            .with_context(|| format!("listing /proc/{pid}/task"))?;
        for task in tasks.flatten() {
            // A thread may end between listing and reading: skip it.
            let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
                continue;
            };
            if let Some((name, secs)) = parse_stat(&stat) {
                *by_thread.entry(name).or_insert(0.0) += secs;
            }
            if let Ok(status) = std::fs::read_to_string(task.path().join("status")) {
                switches += context_switches(&status);
            }
        }
        Ok(CpuTimes {
            at: Some(at),
            by_thread,
            switches,
        })
    }

    pub fn total(&self) -> f64 {
        self.by_thread.values().sum()
    }

    /// CPU used since `earlier`, per thread name and in total, with the wall
    /// time between the two readings.
    pub fn since(&self, earlier: &CpuTimes) -> CpuUse {
        let wall = match (self.at, earlier.at) {
            (Some(a), Some(b)) => a.duration_since(b).as_secs_f64(),
            _ => 0.0,
        };
        let by_thread = self
            .by_thread
            .iter()
            .map(|(name, secs)| {
                let before = earlier.by_thread.get(name).copied().unwrap_or(0.0);
                (name.clone(), (secs - before).max(0.0))
            })
            .filter(|(_, secs)| *secs > 0.0)
            .collect();
        CpuUse {
            wall_secs: wall,
            cpu_secs: (self.total() - earlier.total()).max(0.0),
            by_thread,
            switches: self.switches.saturating_sub(earlier.switches),
        }
    }
}

/// CPU time spent over a stretch of wall time.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CpuUse {
    pub wall_secs: f64,
    pub cpu_secs: f64,
    pub by_thread: BTreeMap<String, f64>,
    /// Voluntary and involuntary context switches of all threads.
    #[serde(default)]
    pub switches: u64,
}

impl CpuUse {
    /// Share of one core used, 1.0 = one core busy all the time.
    pub fn cores(&self) -> f64 {
        if self.wall_secs > 0.0 {
            self.cpu_secs / self.wall_secs
        } else {
            0.0
        }
    }
}

/// Voluntary plus involuntary context switches from a /proc/*/status text.
fn context_switches(status: &str) -> u64 {
    status
        .lines()
        .filter(|l| l.contains("ctxt_switches:"))
        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum()
}

/// (thread name, user + system seconds) from one /proc/*/stat line.
fn parse_stat(stat: &str) -> Option<(String, f64)> {
    // The name sits in parentheses and may itself contain spaces or ')'.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_string();
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    // After the name: state is field 3 of the line, utime 14 and stime 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((name, (utime + stime) / TICKS_PER_SEC))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_with_spaces() {
        let line = "42 (tokio runtime) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0";
        assert_eq!(parse_stat(line), Some(("tokio runtime".into(), 3.0)));
    }

    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        assert!(memory(me).unwrap().rss > 0);
        let cpu = CpuTimes::read(me).unwrap();
        assert!(!cpu.by_thread.is_empty());
        assert!(cpu.switches > 0);
    }
}
