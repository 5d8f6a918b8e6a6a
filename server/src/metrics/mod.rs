//! What supervisors and monitoring see: the day's figures from the store
//! (figures.rs, for the agents' supervisor view), counters kept as things
//! happen (counters.rs), the live state of queue and agents (from the hub),
//! and their Prometheus text form served at /metrics (prometheus.rs).

pub mod counters;
pub mod figures;
pub mod prometheus;

pub use counters::Counters;
pub use figures::{SERVICE_LEVEL_SECS, day_figures};
