//! `cargo xtask layout`: the code's shape, checked like its behaviour.
//!
//! Three rules keep the crates easy to find one's way in:
//! - no import cycle between the files of a crate (a file that needs one item
//!   of another file which needs it back means the item is in the wrong file);
//! - no source file over [`MAX_LINES`] lines (test-only files aside);
//! - every file README.md's "Where things live" table names exists.
//!
//! It reads the sources as text, enough for this codebase's conventions: a
//! file's dependencies are the `crate::`, `super::`, `self::` and child-module
//! paths it names outside its `#[cfg(test)]` blocks, resolved to the file
//! defining the item (following `pub use` re-exports, which are a facade, not
//! a dependency). `cargo xtask test` runs it first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::paths::root;

mod graph;
mod readme;
mod scan;

use graph::strongly_connected;
use scan::{
    ModPath, declared_modules, reexports, referenced_paths, strip_comments_and_strings, strip_tests,
};

/// Longest file, in lines of non-test code, before it should be split.
pub const MAX_LINES: usize = 600;

/// The crates checked: every folder of the workspace with Rust sources.
const CRATES: &[&str] = &[
    "protocol/src",
    "server/src",
    "widget-wasm/src",
    "agent-ui/src",
    "voice/src",
    "loadgen/src",
    "tests/src",
    "xtask/src",
];

pub fn layout(_args: &[String]) -> Result<()> {
    let mut problems = Vec::new();
    for dir in CRATES {
        let dir = root().join(dir);
        if !dir.is_dir() {
            continue;
        }
        let krate = Crate::read(&dir)?;
        problems.extend(krate.long_files());
        problems.extend(krate.cycles());
    }
    let readme = std::fs::read_to_string(root().join("README.md"))?;
    problems.extend(readme::missing_paths(&readme, &root()));
    if problems.is_empty() {
        println!(
            "layout: no import cycle, no source file over {MAX_LINES} lines, README.md's map is true"
        );
        return Ok(());
    }
    for p in &problems {
        eprintln!("layout: {p}");
    }
    bail!("{} layout problem(s)", problems.len())
}

struct File {
    rel: PathBuf,
    /// The source without comments, string contents and `#[cfg(test)]` items.
    code: String,
    /// All of its lines: tests inside a file count (a long test module moves
    /// to a file of its own, declared `#[cfg(test)] mod x_tests;`).
    lines: usize,
    /// The names it re-exports with `pub use`, and what they stand for.
    reexports: BTreeMap<String, ModPath>,
}

struct Crate {
    root: PathBuf,
    files: BTreeMap<ModPath, File>,
}

impl Crate {
    fn read(dir: &Path) -> Result<Crate> {
        let mut krate = Crate {
            root: dir.to_path_buf(),
            files: BTreeMap::new(),
        };
        let top = ["lib.rs", "main.rs"]
            .iter()
            .map(|f| dir.join(f))
            .find(|p| p.is_file());
        if let Some(top) = top {
            krate.load(Vec::new(), &top)?;
        }
        Ok(krate)
    }

    /// Reads one module's file, then the files of the modules it declares
    /// (test-only modules are left out, like the tests inside files).
    fn load(&mut self, path: ModPath, file: &Path) -> Result<()> {
        let text = std::fs::read_to_string(file)?;
        let code = strip_tests(&strip_comments_and_strings(&text));
        let lines = text.lines().count();
        let children = declared_modules(&code);
        let rel = file.strip_prefix(&self.root).unwrap_or(file).to_path_buf();
        let reexports = reexports(&code);
        self.files.insert(
            path.clone(),
            File {
                rel,
                code,
                lines,
                reexports,
            },
        );
        let is_dir_module = matches!(
            file.file_name().and_then(|n| n.to_str()),
            Some("mod.rs" | "lib.rs" | "main.rs")
        );
        let base = if is_dir_module {
            file.parent().unwrap().to_path_buf()
        } else {
            file.with_extension("")
        };
        for child in children {
            let flat = base.join(format!("{child}.rs"));
            let nested = base.join(&child).join("mod.rs");
            let mut child_path = path.clone();
            child_path.push(child);
            if flat.is_file() {
                self.load(child_path, &flat)?;
            } else if nested.is_file() {
                self.load(child_path, &nested)?;
            }
        }
        Ok(())
    }

    fn long_files(&self) -> Vec<String> {
        self.files
            .values()
            .filter(|f| f.lines > MAX_LINES)
            .map(|f| {
                format!(
                    "{}: {} lines (at most {MAX_LINES}); split it by what it holds, or move its tests to a file of their own",
                    self.show(&f.rel),
                    f.lines
                )
            })
            .collect()
    }

    fn show(&self, rel: &Path) -> String {
        let crate_dir = self.root.strip_prefix(root()).unwrap_or(&self.root);
        crate_dir.join(rel).display().to_string()
    }

    /// The file holding `path`'s item: the longest prefix that is a module,
    /// following a `pub use` of that module when the next name is re-exported.
    fn resolve(&self, path: &[String], depth: usize) -> Option<ModPath> {
        let mut module: ModPath = Vec::new();
        for (i, seg) in path.iter().enumerate() {
            let mut next = module.clone();
            next.push(seg.clone());
            if self.files.contains_key(&next) {
                module = next;
                continue;
            }
            if depth < 8
                && let Some(target) = self
                    .files
                    .get(&module)
                    .and_then(|f| f.reexports.get(seg).cloned())
            {
                let mut full = absolute(&module, &target)?;
                full.extend(path[i + 1..].iter().cloned());
                return self.resolve(&full, depth + 1);
            }
            break;
        }
        Some(module)
    }

    /// Which files each file depends on.
    fn edges(&self) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
        let mut out = BTreeMap::new();
        for (module, file) in &self.files {
            let children: BTreeSet<String> = declared_modules(&file.code).into_iter().collect();
            let mut deps = BTreeSet::new();
            for path in referenced_paths(&file.code, &children) {
                let Some(abs) = absolute(module, &path) else {
                    continue;
                };
                if let Some(target) = self.resolve(&abs, 0)
                    && &target != module
                    && self.files.contains_key(&target)
                {
                    deps.insert(target);
                }
            }
            out.insert(module.clone(), deps);
        }
        out
    }

    fn cycles(&self) -> Vec<String> {
        let edges = self.edges();
        strongly_connected(&edges)
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|c| {
                let names: Vec<String> = c.iter().map(|m| self.show(&self.files[m].rel)).collect();
                let example = c
                    .iter()
                    .flat_map(|a| {
                        edges[a]
                            .iter()
                            .filter(|b| c.contains(*b))
                            .map(move |b| (a, b))
                    })
                    .map(|(a, b)| {
                        format!(
                            "{} → {}",
                            self.files[a].rel.display(),
                            self.files[b].rel.display()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(
                    "import cycle between {} files: {}\n    edges: {example}",
                    names.len(),
                    names.join(", ")
                )
            })
            .collect()
    }
}

/// `path` (as written in `module`) made absolute from the crate root.
fn absolute(module: &[String], path: &[String]) -> Option<ModPath> {
    let mut out: ModPath = module.to_vec();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            out.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        _ => {}
    }
    while rest.first().map(String::as_str) == Some("super") {
        out.pop()?;
        rest = &rest[1..];
    }
    out.extend(rest.iter().cloned());
    Some(out)
}
