//! Who serves whom: the waiting queue and the automatic call distributor
//! that offers each request to the best free agent.

pub mod acd;
#[cfg(test)]
mod acd_tests;
pub mod hours;
pub mod queue;

pub use acd::{Acd, Action, ClaimError};
pub use hours::OpeningHours;
pub use queue::Queue;
