//! `cargo xtask bench` (being written).

use anyhow::{Result, bail};

pub fn bench(_args: &[String]) -> Result<()> {
    bail!("the benchmark is not written yet")
}
