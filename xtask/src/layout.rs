//! `cargo xtask layout`: the code's shape, checked like its behaviour.
//!
//! Two rules keep the crates easy to find one's way in:
//! - no import cycle between the files of a crate (a file that needs one item
//!   of another file which needs it back means the item is in the wrong file);
//! - no source file over [`MAX_LINES`] lines (test-only files aside).
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
    if problems.is_empty() {
        println!("layout: no import cycle, no source file over {MAX_LINES} lines");
        return Ok(());
    }
    for p in &problems {
        eprintln!("layout: {p}");
    }
    bail!("{} layout problem(s)", problems.len())
}

/// A module path from the crate root, e.g. `["hub", "chat"]`.
type ModPath = Vec<String>;

struct File {
    rel: PathBuf,
    /// The source without comments, string contents and `#[cfg(test)]` items.
    code: String,
    /// All of its lines: tests inside a file count (a long test module moves
    /// to a file of its own, declared `#[cfg(test)] mod x_tests;`).
    lines: usize,
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
        self.files.insert(path.clone(), File { rel, code, lines });
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
                    .and_then(|f| reexports(&f.code).remove(seg))
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

/// Tarjan's algorithm, iterative enough for a few hundred files.
fn strongly_connected(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    struct State<'a> {
        edges: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on_stack: BTreeSet<&'a ModPath>,
        out: Vec<Vec<ModPath>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a ModPath) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in &s.edges[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// Replaces comments with nothing and string/char literal contents with
/// spaces, so that paths in docs and messages are not taken for imports.
fn strip_comments_and_strings(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |e| e + 2);
            out.extend(rest[..end].chars().filter(|c| *c == '\n'));
            i += end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|c| *c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let start = 2 + hashes;
            let end = rest[start..]
                .find(&close)
                .map_or(rest.len(), |e| start + e + close.len());
            out.push_str("\"\"");
            out.extend(rest[..end].chars().filter(|c| *c == '\n'));
            i += end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            out.extend(text[i..j.min(b.len())].chars().filter(|c| *c == '\n'));
            i = (j + 1).min(b.len());
        } else if b[i] == b'\'' && is_char_literal(rest) {
            let end = rest[1..].find('\'').map_or(1, |e| e + 2);
            out.push_str("' '");
            i += end;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Tells `'x'` and `'\n'` from a lifetime such as `'a`.
fn is_char_literal(rest: &str) -> bool {
    let mut chars = rest.chars().skip(1);
    matches!(
        (chars.next(), chars.next()),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// Removes every item marked `#[cfg(test)]` (a test module, a test helper).
fn strip_tests(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // The item ends at its first `;` outside braces, or its closing brace.
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Child modules declared in this file with `mod name;`.
fn declared_modules(code: &str) -> Vec<String> {
    code.lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l
                .strip_prefix("pub(crate) ")
                .or_else(|| l.strip_prefix("pub "))
                .unwrap_or(l);
            let name = l.strip_prefix("mod ")?.strip_suffix(';')?;
            name.chars().all(is_ident_char).then(|| name.to_string())
        })
        .collect()
}

/// Every `use` statement of the file as (is it `pub`, its text after `use`).
fn use_statements(code: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        let before = rest[..at].trim_end();
        let public = before.ends_with("pub") || before.ends_with(')') && before.contains("pub(");
        let after = &rest[at + 3..];
        let end = after.find(';').unwrap_or(after.len());
        out.push((public, compact(&after[..end])));
        rest = &after[end..];
    }
    out
}

/// The code with every `use …;` statement removed.
fn without_use_statements(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let end = after.find(';').map_or(after.len(), |e| e + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// A use tree with single spaces, and none around `::`, braces and commas.
fn compact(tree: &str) -> String {
    let spaced = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    for (i, c) in spaced.char_indices() {
        let next = spaced[i + 1..].chars().next();
        let prev = out.chars().next_back();
        let punct = |c: Option<char>| matches!(c, Some(':' | '{' | '}' | ','));
        if c == ' ' && (punct(next) || punct(prev)) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Byte offset of `word` standing alone (not inside another identifier).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        if !before.is_some_and(is_ident_char) && after.is_some_and(char::is_whitespace) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// Expands a use tree (`a::{b, c::{d as e}}`) into its paths, with the
/// name each one is visible under.
fn expand_use_tree(tree: &str) -> Vec<(ModPath, String)> {
    fn walk(prefix: &ModPath, tree: &str, out: &mut Vec<(ModPath, String)>) {
        let tree = tree.trim_start_matches("::");
        if let Some(open) = tree.find('{') {
            let mut head = prefix.clone();
            head.extend(
                tree[..open]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        walk(&head, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            walk(&head, &inner[start..], out);
            return;
        }
        let (path, alias) = match tree.split_once(" as ") {
            Some((p, a)) => (p, Some(a)),
            None => (tree, None),
        };
        let mut full = prefix.clone();
        full.extend(path.split("::").filter(|s| !s.is_empty()).map(String::from));
        if full.last().map(String::as_str) == Some("self") {
            full.pop();
        }
        let Some(last) = full.last().cloned() else {
            return;
        };
        let name = alias.map(str::to_string).unwrap_or(last);
        out.push((full, name));
    }
    let mut out = Vec::new();
    walk(&Vec::new(), tree, &mut out);
    out
}

/// Names this file re-exports with `pub use`, and the paths they stand for.
fn reexports(code: &str) -> BTreeMap<String, ModPath> {
    use_statements(code)
        .into_iter()
        .filter(|(public, _)| *public)
        .flat_map(|(_, tree)| expand_use_tree(&tree))
        .map(|(path, name)| (name, path))
        .collect()
}

/// Paths into the crate this file depends on: its private `use` statements
/// and the paths written in its code that start at `crate`, `self`, `super`
/// or one of its own child modules.
fn referenced_paths(code: &str, children: &BTreeSet<String>) -> Vec<ModPath> {
    let mut out = Vec::new();
    for (public, tree) in use_statements(code) {
        if public {
            continue;
        }
        for (path, _) in expand_use_tree(&tree) {
            let first = path.first().map(String::as_str);
            if matches!(first, Some("crate" | "self" | "super"))
                || first.is_some_and(|f| children.contains(f))
            {
                out.push(path);
            }
        }
    }
    // Paths in expressions and types: `crate::a::b`, `super::x`, `child::f`
    // (the `use` statements, read above, are blanked out first).
    let chars: Vec<char> = without_use_statements(code).chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !is_ident_char(chars[i - 1]) && chars[i - 1] != ':';
        if starts_word && is_ident_char(chars[i]) {
            let mut segments = Vec::new();
            let mut j = i;
            loop {
                let s = j;
                while j < chars.len() && is_ident_char(chars[j]) {
                    j += 1;
                }
                segments.push(chars[s..j].iter().collect::<String>());
                if j + 2 < chars.len()
                    && chars[j] == ':'
                    && chars[j + 1] == ':'
                    && is_ident_char(chars[j + 2])
                {
                    j += 2;
                } else {
                    break;
                }
            }
            let first = segments[0].as_str();
            if segments.len() > 1
                && (matches!(first, "crate" | "self" | "super") || children.contains(first))
            {
                out.push(segments);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ModPath {
        s.split("::").map(String::from).collect()
    }

    #[test]
    fn use_trees_expand_with_their_names() {
        let got = expand_use_tree(&compact("crate::{a::{b, c::D as x}, e::self}"));
        assert_eq!(
            got,
            vec![
                (p("crate::a::b"), "b".to_string()),
                (p("crate::a::c::D"), "x".to_string()),
                (p("crate::e"), "e".to_string()),
            ]
        );
    }

    #[test]
    fn tests_comments_and_strings_are_not_code() {
        let code = strip_tests(&strip_comments_and_strings(
            "use a::b; // crate::x\nlet s = \"crate::y\";\n#[cfg(test)]\nmod tests { use crate::z; }\n#[cfg(test)]\nmod more;\nfn f() {}",
        ));
        assert!(!code.contains("crate::"), "{code}");
        assert!(code.contains("fn f()"));
        assert!(!code.contains("more"));
    }

    #[test]
    fn a_cycle_is_found_and_a_reexport_is_not_one() {
        let mut edges = BTreeMap::new();
        edges.insert(p("a"), [p("b")].into());
        edges.insert(p("b"), [p("a")].into());
        edges.insert(p("c"), BTreeSet::new());
        let sccs = strongly_connected(&edges);
        assert!(sccs.iter().any(|c| c.len() == 2));
        assert_eq!(
            reexports("pub use session::{Role, PageInfo as Page};").get("Page"),
            Some(&p("session::PageInfo"))
        );
    }
}
