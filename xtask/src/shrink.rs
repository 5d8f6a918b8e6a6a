//! Size steps after wasm-bindgen, on what a visitor downloads.
//!
//! `short_imports` gives the functions the wasm imports from its JS glue
//! one- or two-letter names, in the wasm and in the glue alike. wasm-bindgen
//! names each `__wbg_<method>_<16 hex digits>`: about 300 of them in the
//! widget, written once in the wasm's import section and once in the glue,
//! and the hex digits do not compress (4.5 KB of gzip together, measured).
//! `minify_js` runs esbuild (an npm devDependency) over hand-written and
//! generated JavaScript when node is present.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::paths::run;

/// Renames every function imported from `module` in the wasm file to a short name and
/// the matching keys of the glue's imports object (`    name: function(`).
/// Fails when a name is not found exactly once in the glue, so a change in
/// wasm-bindgen's output stops the build rather than breaking the bundle.
pub fn short_imports(wasm_path: &Path, js_path: &Path, module: &str) -> Result<usize> {
    let wasm = std::fs::read(wasm_path)?;
    let mut js = std::fs::read_to_string(js_path)?;
    let mut renames = Vec::new();
    let out = rewrite_imports(&wasm, module, |old| {
        let new = short_name(renames.len());
        renames.push((old.to_string(), new.clone()));
        new
    })
    .with_context(|| format!("reading the imports of {}", wasm_path.display()))?;
    for (old, new) in &renames {
        let key = format!(" {old}: function(");
        if js.matches(&key).count() != 1 {
            bail!(
                "{}: the import {old} is not defined exactly once as `{}`",
                js_path.display(),
                key.trim_start()
            );
        }
        js = js.replacen(&key, &format!(" {new}: function("), 1);
    }
    std::fs::write(wasm_path, out)?;
    std::fs::write(js_path, js)?;
    Ok(renames.len())
}

/// `a`…`z`, `A`…`Z`, then two letters; never a JavaScript keyword.
fn short_name(mut n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    loop {
        let name = if n < LETTERS.len() {
            (LETTERS[n] as char).to_string()
        } else {
            let (hi, lo) = ((n - LETTERS.len()) / LETTERS.len(), n % LETTERS.len());
            if hi >= LETTERS.len() {
                format!("i{n}")
            } else {
                format!("{}{}", LETTERS[hi] as char, LETTERS[lo] as char)
            }
        };
        if !matches!(name.as_str(), "do" | "if" | "in") {
            return name;
        }
        n += 1_000_000; // out of the two-letter range: `i<n>`, unique
    }
}

/// Copies a wasm module, passing the name of each function imported from
/// `module` through `rename`.
fn rewrite_imports(
    wasm: &[u8],
    module: &str,
    mut rename: impl FnMut(&str) -> String,
) -> Result<Vec<u8>> {
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        bail!("not a wasm module");
    }
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        let (size, body_at) = leb(wasm, at + 1)?;
        let body = wasm
            .get(body_at..body_at + size as usize)
            .context("section past the end")?;
        at = body_at + size as usize;
        if id != 2 {
            out.push(id);
            put_leb(&mut out, size);
            out.extend_from_slice(body);
            continue;
        }
        let mut section = Vec::new();
        let (count, mut p) = leb(body, 0)?;
        put_leb(&mut section, count);
        for _ in 0..count {
            let (m, next) = name(body, p)?;
            let (field, next) = name(body, next)?;
            let desc_end = import_desc_end(body, next)?;
            put_name(&mut section, m);
            if m == module && body[next] == 0x00 {
                put_name(&mut section, &rename(field));
            } else {
                put_name(&mut section, field);
            }
            section.extend_from_slice(&body[next..desc_end]);
            p = desc_end;
        }
        if p != body.len() {
            bail!("import section has trailing bytes");
        }
        out.push(2);
        put_leb(&mut out, section.len() as u64);
        out.extend_from_slice(&section);
    }
    Ok(out)
}

/// Where an import's descriptor (kind and type) that starts at `p` ends.
fn import_desc_end(b: &[u8], p: usize) -> Result<usize> {
    let kind = *b.get(p).context("import kind past the end")?;
    let p = p + 1;
    Ok(match kind {
        0x00 => leb(b, p)?.1,          // function: type index
        0x01 => limits_end(b, p + 1)?, // table: reference type, limits
        0x02 => limits_end(b, p)?,     // memory: limits
        0x03 => p + 2,                 // global: value type, mutability
        0x04 => leb(b, p + 1)?.1,      // tag: attribute, type index
        other => bail!("unknown import kind {other:#x}"),
    })
}

fn limits_end(b: &[u8], p: usize) -> Result<usize> {
    let flags = *b.get(p).context("limits past the end")?;
    let (_, mut p) = leb(b, p + 1)?;
    if flags & 1 != 0 {
        p = leb(b, p)?.1;
    }
    Ok(p)
}

fn name(b: &[u8], p: usize) -> Result<(&str, usize)> {
    let (len, p) = leb(b, p)?;
    let bytes = b.get(p..p + len as usize).context("name past the end")?;
    Ok((std::str::from_utf8(bytes)?, p + len as usize))
}

fn put_name(out: &mut Vec<u8>, s: &str) {
    put_leb(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// An unsigned LEB128 number at `p`, and where it ends.
fn leb(b: &[u8], mut p: usize) -> Result<(u64, usize)> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = *b.get(p).context("number past the end")?;
        p += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, p));
        }
        shift += 7;
        if shift > 63 {
            bail!("number too long");
        }
    }
}

fn put_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Minifies a JavaScript file in place with esbuild (`esm`: keep it a module).
pub fn minify_js(esbuild: &Path, file: &Path, esm: bool) -> Result<()> {
    run(&mut esbuild_cmd(esbuild, file, esm))
}

/// Minifies the ES module `file` with the modules it imports (wasm-bindgen's
/// snippets) inlined: one file instead of several, compressed as one
/// (the widget's capture hooks cost 665 bytes of gzip as a file of their own).
pub fn bundle_js(esbuild: &Path, file: &Path) -> Result<()> {
    run(esbuild_cmd(esbuild, file, true).arg("--bundle"))
}

fn esbuild_cmd(esbuild: &Path, file: &Path, esm: bool) -> Command {
    let mut cmd = Command::new(esbuild);
    cmd.arg(file)
        .args(["--minify", "--log-level=error", "--allow-overwrite"])
        .arg(format!("--outfile={}", file.display()));
    if esm {
        cmd.arg("--format=esm");
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_unique_identifiers() {
        let names: Vec<String> = (0..3000).map(short_name).collect();
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert_eq!(names[0], "a");
        assert_eq!(names[52], "aa");
        assert!(!names.iter().any(|n| n == "do" || n == "if" || n == "in"));
        assert!(names.iter().all(|n| !n.as_bytes()[0].is_ascii_digit()));
    }

    #[test]
    fn leb_round_trips() {
        for v in [0u64, 1, 127, 128, 300, 624_485, u32::MAX as u64] {
            let mut b = Vec::new();
            put_leb(&mut b, v);
            assert_eq!(leb(&b, 0).unwrap(), (v, b.len()));
        }
    }

    #[test]
    fn renames_only_the_named_module() {
        // A module importing one function from each of two modules, plus a memory.
        let mut imports = Vec::new();
        put_leb(&mut imports, 3);
        for (m, f) in [
            ("./x_bg.js", "__wbg_long_0123456789abcdef"),
            ("./snip.js", "keep"),
        ] {
            put_name(&mut imports, m);
            put_name(&mut imports, f);
            imports.extend_from_slice(&[0x00, 0x00]);
        }
        put_name(&mut imports, "./x_bg.js");
        put_name(&mut imports, "memory");
        imports.extend_from_slice(&[0x02, 0x01, 0x11, 0x80, 0x01]);
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]); // type section
        wasm.push(2);
        put_leb(&mut wasm, imports.len() as u64);
        wasm.extend_from_slice(&imports);
        let mut seen = Vec::new();
        let out = rewrite_imports(&wasm, "./x_bg.js", |old| {
            seen.push(old.to_string());
            format!("n{}", seen.len())
        })
        .unwrap();
        assert_eq!(seen, ["__wbg_long_0123456789abcdef"]);
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("n1") && text.contains("keep") && text.contains("memory"));
        assert!(!text.contains("__wbg_long"));
        assert_eq!(&out[..14], &wasm[..14]);
    }
}
