//! README.md's "Where things live" table names files: each must exist, so
//! that the map a newcomer reads first stays true when files move.

use std::path::Path;

/// The crate folder each column of the table is relative to (the first
/// column is the family, the last the section of docs/protocol.md).
const COLUMNS: [Option<&str>; 6] = [
    None,
    Some("protocol/src"),
    Some("server/src"),
    Some("widget-wasm/src"),
    Some("agent-ui/src"),
    None,
];

/// The files and folders the table names that are not there.
pub(super) fn missing_paths(readme: &str, root: &Path) -> Vec<String> {
    let Some(start) = readme.find("## Where things live") else {
        return vec!["README.md has no \"Where things live\" section".into()];
    };
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let mut out = Vec::new();
    for row in section.lines().filter(|l| l.starts_with('|')).skip(2) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').collect();
        for (cell, base) in cells.iter().zip(COLUMNS) {
            let Some(base) = base else { continue };
            for path in backticked(cell).filter(|p| looks_like_path(p)) {
                if !root.join(base).join(path).exists() {
                    out.push(format!(
                        "README.md names {base}/{path}, which does not exist"
                    ));
                }
            }
        }
    }
    out
}

fn backticked(cell: &str) -> impl Iterator<Item = &str> {
    cell.split('`').skip(1).step_by(2)
}

/// `hub/chat.rs` or `chat/` (a file or a folder), not an item name.
fn looks_like_path(s: &str) -> bool {
    s.ends_with(".rs") || s.ends_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_file_is_reported() {
        let root = std::env::temp_dir().join(format!("tandem-readme-{}", std::process::id()));
        std::fs::create_dir_all(root.join("server/src/hub")).unwrap();
        std::fs::write(root.join("server/src/hub/chat.rs"), "").unwrap();
        let readme = "## Where things live\n\n| a | b | c | d | e | f |\n| - | - | - | - | - | - |\n\
                      | chat | `Event` | `hub/chat.rs`, `hub/gone.rs` | — | — | `chat.send` |\n\n## Next\n| x | `nope.rs` |\n";
        let missing = missing_paths(readme, &root);
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(
            missing,
            vec!["README.md names server/src/hub/gone.rs, which does not exist"]
        );
    }
}
