//! Who serves whom. For now a first-come, first-served queue that agents pick
//! from; the automatic distributor (skills, capacity, ring timeouts) builds on it.

pub mod queue;

pub use queue::Queue;
