//! What the machine is: CPU, memory, kernel, tool versions, for the report.

use std::process::Command;

use crate::paths::root;

/// `Name=value` rows describing the machine and the code measured.
pub(super) fn machine_info() -> Vec<String> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown".into());
    let cores = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let mem_kb: f64 = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    let output = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .current_dir(root())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let commit = output("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = !output(
        "git",
        &[
            "status",
            "--porcelain",
            "--",
            "server",
            "protocol",
            "loadgen",
            "bench",
        ],
    )
    .is_empty();
    let nice = output(
        "setsid",
        &["sh", "-c", "echo -10 > /proc/self/autogroup && echo yes"],
    );
    vec![
        format!("Date={}", output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])),
        format!(
            "Commit={commit}{}",
            if dirty {
                " (server/protocol/loadgen had uncommitted changes, which were measured)"
            } else {
                ""
            }
        ),
        format!(
            "CPU={model}, {cores} cores (nproc {})",
            output("nproc", &[])
        ),
        format!("Memory={:.1} GiB", mem_kb / 1024.0 / 1024.0),
        format!("Kernel={}", read("/proc/sys/kernel/osrelease").trim()),
        format!("Rust={}", output("rustc", &["--version"])),
        format!("Node={}", output("node", &["--version"])),
        format!(
            "Load average at start={}",
            read("/proc/loadavg")
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        ),
        format!(
            "Scheduling=server on core 0, generator on core 1; own scheduling group at nice −10: {}",
            if nice == "yes" {
                "yes"
            } else {
                "no (not permitted)"
            }
        ),
    ]
}
