//! `cargo xtask bench --against <commit> [--quick]`: Tandem built from that
//! commit beside Tandem built from this tree, in the relay scenario, the two
//! taking turns; writes the comparison section of docs/benchmarks.md. For
//! "what did this change cost?" (the hardening's per-connection checks, a
//! refactoring) measured in one run on one machine.
//!
//! The commit's sources are exported (`git archive`) under
//! target/bench-against/<commit>/ and built in a target folder of their own,
//! target/bench-against/<commit>-target/, kept between runs. One folder per
//! commit: two checkouts of this workspace sharing a target folder got each
//! other's crates (the same names and versions from another path).

use std::process::Command;

use anyhow::{Context, Result, bail};

use super::machine::machine_info;
use super::runner::{Bench, Build, build_release_in};
use crate::paths::{cargo, root, run, target_dir};

/// Runs of each build per size (one with `--quick`).
const REPEATS: usize = 3;

pub(super) fn against(reference: &str, quick: bool) -> Result<()> {
    let commit = git(&["rev-parse", "--short=7", &format!("{reference}^{{commit}}")])
        .with_context(|| format!("{reference} is not a commit of this repository"))?;
    let mut current = git(&["rev-parse", "--short=7", "HEAD"])?;
    if !git(&["status", "--porcelain", "--untracked-files=no"])?.is_empty() {
        current += " with uncommitted changes";
    }
    let earlier = build_commit(&commit)?;
    build_release_in(cargo(), &[])?;
    let mut b = Bench::new("against")?;
    let label = format!("commit-{commit}");
    let sizes: &[usize] = if quick { &[100] } else { &[100, 1_000] };
    let repeats = if quick { 1 } else { REPEATS };
    for &pairs in sizes {
        for rep in 1..=repeats {
            eprintln!(
                "xtask bench: {commit} and this tree, {pairs} pairs (run {rep} of {repeats})"
            );
            b.tandem_relay(&earlier, pairs, Some(&label))?;
            b.tandem_relay(&Build::current(), pairs, None)?;
        }
    }
    let mut cmd = Command::new(&b.loadgen);
    cmd.args(["compare", "--results"])
        .arg(&b.results)
        .args(["--reference", &label])
        .args(["--reference-name", &commit])
        .args(["--current-name", &current])
        .arg("--out")
        .arg(root().join("docs/benchmarks.md"));
    // The builds are named in the table; the commit checked out now is not news.
    let info = machine_info();
    let rows = info
        .iter()
        .filter(|r| !r.starts_with("Node=") && !r.starts_with("Commit="));
    for row in rows {
        cmd.arg("--info").arg(row);
    }
    run(&mut cmd)
}

/// The release server and load generator of `commit`.
fn build_commit(commit: &str) -> Result<Build> {
    let base = target_dir().join("bench-against");
    let src = base.join(commit);
    if !src.join("Cargo.toml").exists() {
        std::fs::create_dir_all(&src)?;
        let export = format!(
            "git -C '{}' archive {commit} | tar -x -C '{}'",
            root().display(),
            src.display()
        );
        run(Command::new("sh").args(["-c", &export]))?;
    }
    let target = base.join(format!("{commit}-target"));
    eprintln!(
        "xtask bench: building {commit} (release) in {}",
        src.display()
    );
    let mut build = cargo();
    build.current_dir(&src).env("CARGO_TARGET_DIR", &target);
    build_release_in(build, &[])?;
    Build::earlier(&target.join("release"))
}

fn git(args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .current_dir(root())
        .args(args)
        .output()?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
