//! Sections of docs/benchmarks.md that a run writes on its own (the soak, a
//! comparison with another build) between markers, leaving the rest of the
//! file as it is.

use std::path::Path;

use anyhow::{Context, Result};

/// Replaces what lies between `start` and `end` in `out` with `body`; the
/// first time, puts the section before the hand-written analysis (or at the
/// end when there is none).
pub fn write_section(out: &Path, start: &str, end: &str, body: &str) -> Result<()> {
    let old = std::fs::read_to_string(out).unwrap_or_else(|_| "# Benchmarks\n".into());
    std::fs::write(out, replaced(&old, start, end, body))
        .with_context(|| format!("writing {}", out.display()))
}

fn replaced(old: &str, start: &str, end: &str, body: &str) -> String {
    let section = format!("{start}\n{body}{end}");
    match (old.find(start), old.find(end)) {
        (Some(a), Some(b)) if b > a => format!("{}{section}{}", &old[..a], &old[b + end.len()..]),
        _ => match old.find("## Analysis") {
            Some(at) => format!("{}{section}\n\n{}", &old[..at], &old[at..]),
            None => format!("{}\n{section}\n", old.trim_end()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::replaced;

    #[test]
    fn a_section_is_replaced_in_place_or_put_before_the_analysis() {
        let first = replaced(
            "# B\n\n## Analysis\nkept\n",
            "<!-- s -->",
            "<!-- e -->",
            "one\n",
        );
        assert_eq!(
            first,
            "# B\n\n<!-- s -->\none\n<!-- e -->\n\n## Analysis\nkept\n"
        );
        let again = replaced(&first, "<!-- s -->", "<!-- e -->", "two\n");
        assert_eq!(
            again,
            "# B\n\n<!-- s -->\ntwo\n<!-- e -->\n\n## Analysis\nkept\n"
        );
        assert_eq!(
            replaced("# B\n", "<!-- s -->", "<!-- e -->", "x\n"),
            "# B\n<!-- s -->\nx\n<!-- e -->\n"
        );
    }
}
