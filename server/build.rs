//! Embeds the browser files into the binary: the console and widget bundles
//! (static/dist/, written by `cargo xtask build`) and the demo shop
//! (static/demo/), so that copying `tandem` to a machine is the whole
//! deployment. Whatever those folders hold when the server is compiled goes
//! in; a build before the bundles exist embeds only the demo, and the
//! server then serves the bundles from a folder instead (http/files.rs).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The folders of static/ that are served, relative to it.
const SERVED: &[&str] = &["dist/agent", "dist/widget", "dist/demo-app", "demo"];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../static");
    // The whole folder: a missing path would make cargo run this every time,
    // and static/ always exists.
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    for dir in SERVED {
        walk(&root.join(dir), &mut files);
    }
    let mut entries: Vec<(String, PathBuf)> = files
        .into_iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(&root).ok()?.to_str()?.replace('\\', "/");
            Some((rel, path))
        })
        .collect();
    // Sorted, so the server finds a file by binary search.
    entries.sort();
    let mut out =
        String::from("/// Every embedded file: its path under static/, its bytes, its ETag.\n");
    out.push_str("pub(super) static EMBEDDED: &[(&str, &[u8], &str)] = &[\n");
    for (rel, path) in &entries {
        let bytes = std::fs::read(path).expect("a file under static/ is readable");
        let canonical = path.canonicalize().expect("the file exists");
        writeln!(
            out,
            "    ({rel:?}, include_bytes!({:?}), \"\\\"{:016x}\\\"\"),",
            canonical.display().to_string(),
            fnv1a(&bytes)
        )
        .expect("writing to a String");
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

/// Every regular file below `dir` (none if it does not exist).
fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, files),
            Ok(t) if t.is_file() => files.push(path),
            _ => {}
        }
    }
}

/// A content hash for the ETag: FNV-1a, 64 bits (not for security; a
/// browser only compares it with the one it was given).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
