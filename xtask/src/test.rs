//! `cargo xtask test`: every test, in the order that fails fastest.
//! 0. the machine's prerequisites (preflight/: wasm target, node and the npm
//!    packages, Chromium, Postgres) and the layout check (no import cycle, no
//!    oversized file; a second),
//! 1. the wasm bundles (the e2e tests need them),
//! 2. `cargo test` for the native crates (protocol, server, integration tests,
//!    the store suite against SQLite and Postgres),
//! 3. the browser end-to-end tests in Chromium (node's test runner).

use std::process::Command;
use std::time::Instant;

use anyhow::Result;

use crate::bundle;
use crate::paths::{cargo, root, run, target_dir};
use crate::preflight;

pub fn test(extra: &[String]) -> Result<()> {
    let started = Instant::now();
    // Before anything is built: a missing browser or database is found now,
    // not after the Rust tests (npm ci is done here too).
    preflight::check(preflight::FOR_TEST)?;
    crate::layout::layout(&[])?;
    bundle::build_all(&[])?;
    eprintln!("xtask: bundles built in {:.0?}", started.elapsed());

    let t = Instant::now();
    run(cargo().args(["build", "-p", "tandem-server", "--bin", "tandem"]))?;
    // --workspace includes the widget's and the console's logic tests, run natively.
    run(cargo().args(["test", "--workspace"]).args(extra))?;
    eprintln!("xtask: Rust tests passed in {:.0?}", t.elapsed());

    let t = Instant::now();
    run(Command::new("node")
        .current_dir(root())
        .env("TANDEM_BIN", target_dir().join("debug/tandem"))
        .args(["--test", "--test-concurrency=1", "tests/e2e/"]))?;
    eprintln!("xtask: browser tests passed in {:.0?}", t.elapsed());
    eprintln!("xtask: all tests passed in {:.0?}", started.elapsed());
    Ok(())
}
