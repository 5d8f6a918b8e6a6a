//! `cargo xtask run`: everything a person needs to try Tandem on this machine.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::bundle;
use crate::paths::{cargo, root, run as run_cmd, target_dir};

const DEMO_AGENT: &str = "demo@tandem.local";

pub fn run(extra: &[String]) -> Result<()> {
    crate::preflight::check(crate::preflight::FOR_BUILD)?;
    let tandem = build_release()?;
    std::fs::create_dir_all(root().join("data"))?;
    let db = "sqlite://data/tandem.db";

    let password = demo_agent(&tandem, db)?;
    print_login(&password);
    let status = Command::new(&tandem)
        .current_dir(root())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:8080",
            "--demo-listen",
            "127.0.0.1:8081",
            "--turn-listen",
            "127.0.0.1:3478",
            "--database-url",
            db,
        ])
        .args(extra)
        .status()
        .context("starting tandem")?;
    if !status.success() {
        bail!("tandem exited with {status}");
    }
    Ok(())
}

/// Creates the demo agent, or gives it a new password: a fresh one-time
/// password on every run (there is no default password). Returns it.
pub fn demo_agent(tandem: &std::path::Path, db: &str) -> Result<String> {
    let password = one_time_password()?;
    let add = [
        "agent",
        "add",
        DEMO_AGENT,
        "--name",
        "Demo Agent",
        // The first account runs the place: it takes chats, sees the team
        // board and manages the library.
        "--role",
        "agent,supervisor,admin",
        "--database-url",
        db,
    ];
    if tandem_with_stdin(tandem, &add, &password)? {
        return Ok(password);
    }
    let reset = ["agent", "set-password", DEMO_AGENT, "--database-url", db];
    if !tandem_with_stdin(tandem, &reset, &password)? {
        bail!("could not create or update the demo agent");
    }
    Ok(password)
}

pub fn print_login(password: &str) {
    println!();
    println!("  Demo agent login: {DEMO_AGENT}");
    println!("  One-time password: {password}");
    println!("  (a new password is generated on every run)");
    println!();
}

/// Builds the bundles and the release `tandem`; returns its path.
pub fn build_release() -> Result<std::path::PathBuf> {
    bundle::build_all(&[])?;
    run_cmd(cargo().args([
        "build",
        "--release",
        "-p",
        "tandem-server",
        "--bin",
        "tandem",
    ]))?;
    Ok(target_dir().join("release/tandem"))
}

/// Runs `tandem <args>` with `input` on stdin; true when it succeeded.
fn tandem_with_stdin(tandem: &std::path::Path, args: &[&str], input: &str) -> Result<bool> {
    let mut child = Command::new(tandem)
        .current_dir(root())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting tandem")?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(format!("{input}\n").as_bytes())?;
    let out = child.wait_with_output()?;
    Ok(out.status.success())
}

/// 16 characters from an unambiguous alphabet, from the OS's random source.
fn one_time_password() -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}
