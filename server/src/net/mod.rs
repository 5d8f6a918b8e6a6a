//! Connections as the network sees them, before HTTP routing: the listener
//! with its timeouts, who a request comes from, and per-address caps.

mod budget;
pub mod client_ip;
mod listener;
mod per_ip;

pub use budget::{OverBudget, ReadBudget};
pub use client_ip::{client_ip, parse_trusted_proxy};
pub use listener::spawn_server;
pub use per_ip::{PerIp, Slot};
