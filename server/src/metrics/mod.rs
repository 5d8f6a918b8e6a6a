//! What supervisors and monitoring see: the day's figures (figures.rs), the
//! live state of queue and agents (from the hub), and their Prometheus text
//! form served at /metrics (prometheus.rs).

pub mod figures;
pub mod prometheus;

pub use figures::{DayFigures, SERVICE_LEVEL_SECS};
