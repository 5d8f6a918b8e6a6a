//! The browser bundles: the visitor widget and the agent console, compiled to
//! wasm32, wrapped by wasm-bindgen (as a library, so no CLI version can drift
//! from the pinned crate), shrunk by wasm-opt when the npm `binaryen` package
//! is installed, and laid out under static/dist/ beside their hand-written files.
//! The demo shop's React form (static/demo-app/) is bundled by esbuild into
//! static/dist/demo-app/ (no CDN: React comes from the npm packages).
//!
//! Each bundle is made in a staging folder under the target folder, then
//! published to static/dist/ file by file, writing only files whose bytes
//! changed: the server embeds static/ (server/build.rs), and an untouched
//! file keeps the server from being compiled again for nothing.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use wasm_bindgen_cli_support::Bindgen;

use crate::paths::{self, cargo, root, run, target_dir};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";

/// One browser bundle: a wasm crate plus the static files that host it.
struct Bundle {
    package: &'static str,
    /// The crate's library name (package name with `_`).
    lib: &'static str,
    /// static/<dir> holds the hand-written files; static/dist/<dir> receives all.
    dir: &'static str,
    /// wasm-opt passes beyond `-Oz`: for the widget, whose download every
    /// visitor pays (issue 7's budget), `--converge` runs the passes until
    /// nothing shrinks (−1.0 KB gzip, 25 s) and `--low-memory-unused` lets
    /// small pointer offsets fold into loads and stores (−1.1 KB); Rust's
    /// layout puts the stack's far end in the first kilobyte, reached only
    /// by an overflow of the whole 1 MiB stack.
    extra_opt: &'static [&'static str],
}

const BUNDLES: &[Bundle] = &[
    Bundle {
        package: "tandem-widget",
        lib: "tandem_widget",
        dir: "widget",
        extra_opt: &["--converge", "--low-memory-unused"],
    },
    Bundle {
        package: "tandem-agent-ui",
        lib: "tandem_agent_ui",
        dir: "agent",
        extra_opt: &[],
    },
];

/// Builds every bundle, or only those named (`cargo xtask build tandem-widget`).
/// The wasm32 target is the caller's to check (preflight/).
pub fn build_all(only: &[String]) -> Result<()> {
    let chosen: Vec<&Bundle> = BUNDLES
        .iter()
        .filter(|b| only.is_empty() || only.iter().any(|o| o == b.package))
        .collect();
    if chosen.is_empty() {
        anyhow::bail!("no bundle named {only:?}");
    }
    let mut build = cargo();
    build.args(["build", "--target", WASM_TARGET, "--profile", PROFILE]);
    for b in &chosen {
        build.args(["-p", b.package]);
    }
    run(&mut build)?;
    let wasm_opt = wasm_opt();
    let esbuild = esbuild();
    for b in chosen {
        let dist = staging(b.dir)?;
        copy_dir(&root().join("static").join(b.dir), &dist)?;
        let input = target_dir()
            .join(WASM_TARGET)
            .join(PROFILE)
            .join(format!("{}.wasm", b.lib));
        let pkg = dist.join("pkg");
        Bindgen::new()
            .input_path(&input)
            .web(true)?
            .typescript(false)
            .out_name(b.lib)
            .generate(&pkg)
            .with_context(|| format!("wasm-bindgen on {}", input.display()))?;
        let wasm = pkg.join(format!("{}_bg.wasm", b.lib));
        if let Some(opt) = &wasm_opt {
            // TANDEM_WASM_NAMES=1 keeps the function names, for size analysis
            // (e.g. with twiggy); a bundle built so is not the one to ship.
            let names = std::env::var_os("TANDEM_WASM_NAMES").is_some();
            let strip = if names {
                "--debuginfo"
            } else {
                "--strip-debug"
            };
            run(Command::new(opt)
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm)
                .args([
                    "-Oz",
                    strip,
                    "--strip-producers",
                    "--enable-bulk-memory",
                    "--enable-nontrapping-float-to-int",
                    "--enable-sign-ext",
                    "--enable-mutable-globals",
                    "--enable-reference-types",
                    "--enable-multivalue",
                ])
                .args(b.extra_opt))?;
        }
        let glue = pkg.join(format!("{}.js", b.lib));
        if std::env::var_os("TANDEM_WASM_NAMES").is_none() {
            let module = format!("./{}_bg.js", b.lib);
            crate::shrink::short_imports(&wasm, &glue, &module)?;
        }
        if let Some(esbuild) = &esbuild {
            // The glue with the snippets wasm-bindgen copied, as one module,
            // and the hand-written loaders: modules stay modules, classic
            // scripts stay classic.
            crate::shrink::bundle_js(esbuild, &glue)?;
            let snippets = pkg.join("snippets");
            if snippets.exists() {
                fs::remove_dir_all(&snippets)?;
            }
            for js in js_files(&root().join("static").join(b.dir))? {
                let rel = js.strip_prefix(root().join("static").join(b.dir))?;
                crate::shrink::minify_js(esbuild, &dist.join(rel), false)?;
            }
        }
        let size = fs::metadata(&wasm)?.len();
        let published = publish(&dist, &root().join("static/dist").join(b.dir))?;
        eprintln!(
            "xtask: {} → static/dist/{} ({} KiB of wasm; {published} files changed)",
            b.package,
            b.dir,
            size / 1024
        );
    }
    if only.is_empty() {
        demo_app()?;
    }
    Ok(())
}

/// The demo shop's React-controlled form, for form push on a framework's
/// form. Needs node (esbuild and React are npm devDependencies); without
/// it the delivery page says it is loading and the rest of the demo works.
fn demo_app() -> Result<()> {
    if !paths::ensure_npm_packages().unwrap_or(false) {
        eprintln!("xtask: npm not found; the demo shop's React form is not built");
        return Ok(());
    }
    let esbuild = root().join("node_modules/.bin/esbuild");
    let out = staging("demo-app")?;
    for entry in fs::read_dir(root().join("static/demo-app"))? {
        let src = entry?.path();
        if src.extension().and_then(|e| e.to_str()) != Some("jsx") {
            continue;
        }
        let stem = src.file_stem().and_then(|s| s.to_str()).unwrap_or("app");
        run(Command::new(&esbuild).arg(&src).args([
            "--bundle",
            "--minify",
            "--format=iife",
            "--target=es2020",
            "--define:process.env.NODE_ENV=\"production\"",
            "--log-level=warning",
            &format!("--outfile={}", out.join(format!("{stem}.js")).display()),
        ]))?;
    }
    let published = publish(&out, &root().join("static/dist/demo-app"))?;
    eprintln!("xtask: demo shop React form → static/dist/demo-app ({published} files changed)");
    Ok(())
}

/// An empty staging folder for the bundle published to static/dist/<dir>.
fn staging(dir: &str) -> Result<std::path::PathBuf> {
    let path = target_dir().join("bundle-staging").join(dir);
    if path.exists() {
        fs::remove_dir_all(&path)?;
    }
    fs::create_dir_all(&path)?;
    Ok(path)
}

/// Makes `to` hold exactly the files of `from`, writing only those whose
/// bytes differ (and removing those `from` no longer has); returns how many
/// files it wrote or removed.
fn publish(from: &Path, to: &Path) -> Result<usize> {
    fs::create_dir_all(to)?;
    let mut changed = 0;
    let mut wanted = std::collections::HashSet::new();
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        wanted.insert(entry.file_name());
        if entry.file_type()?.is_dir() {
            if dest.is_file() {
                fs::remove_file(&dest)?;
            }
            changed += publish(&entry.path(), &dest)?;
            continue;
        }
        let bytes = fs::read(entry.path())?;
        if dest.is_dir() {
            fs::remove_dir_all(&dest)?;
        }
        if fs::read(&dest).ok().as_deref() != Some(bytes.as_slice()) {
            fs::write(&dest, &bytes).with_context(|| format!("write {}", dest.display()))?;
            changed += 1;
        }
    }
    for entry in fs::read_dir(to)? {
        let entry = entry?;
        if !wanted.contains(&entry.file_name()) {
            let path = entry.path();
            if path.is_dir() {
                fs::remove_dir_all(&path)?;
            } else {
                fs::remove_file(&path)?;
            }
            changed += 1;
        }
    }
    Ok(changed)
}

/// wasm-opt from the npm `binaryen` package, installed by `npm ci` when node is present.
fn wasm_opt() -> Option<std::path::PathBuf> {
    if paths::ensure_npm_packages().unwrap_or(false) {
        let bin = root().join("node_modules/.bin/wasm-opt");
        if bin.exists() {
            return Some(bin);
        }
    }
    eprintln!("xtask: wasm-opt not found (npm package binaryen); bundles are not size-optimised");
    None
}

/// esbuild from the npm packages, to minify the bundles' JavaScript.
fn esbuild() -> Option<std::path::PathBuf> {
    let bin = root().join("node_modules/.bin/esbuild");
    (paths::ensure_npm_packages().unwrap_or(false) && bin.exists()).then_some(bin)
}

/// The `.js` files under a folder, recursively (none when it does not exist).
fn js_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut found = Vec::new();
    if !dir.exists() {
        return Ok(found);
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(js_files(&path)?);
        } else if path.extension().and_then(|e| e.to_str()) == Some("js") {
            found.push(path);
        }
    }
    Ok(found)
}

/// Copies a folder's files (recursively) into the destination.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    if !from.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), &dest).with_context(|| format!("copy to {}", dest.display()))?;
        }
    }
    Ok(())
}
