//! Reading Rust sources as text, enough for the layout check: comments,
//! strings and test items removed, `use` trees expanded, paths found.

use std::collections::{BTreeMap, BTreeSet};

/// A module path from the crate root, e.g. `["hub", "chat"]`.
pub(super) type ModPath = Vec<String>;

/// Replaces comments with nothing and string/char literal contents with
/// spaces, so that paths in docs and messages are not taken for imports.
pub(super) fn strip_comments_and_strings(text: &str) -> String {
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
pub(super) fn strip_tests(code: &str) -> String {
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
pub(super) fn declared_modules(code: &str) -> Vec<String> {
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
pub(super) fn reexports(code: &str) -> BTreeMap<String, ModPath> {
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
pub(super) fn referenced_paths(code: &str, children: &BTreeSet<String>) -> Vec<ModPath> {
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
    fn reexports_are_read_with_their_names() {
        assert_eq!(
            reexports("pub use session::{Role, PageInfo as Page};").get("Page"),
            Some(&p("session::PageInfo"))
        );
    }
}
