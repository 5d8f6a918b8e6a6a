//! How the report writes numbers: thousands separators, µs or ms, MiB.

use std::fmt::Write as _;

use crate::relay::Target;

pub(super) fn name(target: Target) -> &'static str {
    match target {
        Target::Tandem => "Tandem",
        Target::Bare => "bare axum",
        Target::Node => "Node ws",
    }
}

pub(super) fn opt(v: Option<f64>, show: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "–".into(), show)
}

/// 12,345 style.
pub(super) fn count(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(super) fn micros(us: f64) -> String {
    if us >= 10_000.0 {
        format!("{:.0} ms", us / 1000.0)
    } else if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

pub(super) fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// A two-column table of `Name=value` rows (the machine and run), without
/// the blank line after it, so a caller may add rows of its own.
pub(crate) fn info_table(info: &[String]) -> String {
    let mut md = String::from("| | |\n|---|---|\n");
    for row in info {
        let (name, value) = row.split_once('=').unwrap_or((row, ""));
        let _ = writeln!(md, "| {name} | {value} |");
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count(1234567.4), "1,234,567");
        assert_eq!(count(999.0), "999");
        assert_eq!(micros(87.2), "87 µs");
        assert_eq!(micros(1234.0), "1.23 ms");
        assert_eq!(micros(45_000.0), "45 ms");
    }
}
