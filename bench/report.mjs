// What the browser benchmarks (bench/*.mjs) share to write their part of
// docs/benchmarks.md: statistics, the run's header line, file sizes as
// GNU gzip -9 counts them, and replacing a section between its markers.

import { execFileSync, execSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { ROOT } from "../tests/e2e/harness.mjs";

/** The p-th percentile (nearest rank) of `values`. */
export function pct(values, p) {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The median (the mean of the middle two for an even count). */
export function median(values) {
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function output(cmd) {
  try {
    return execSync(cmd, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "?";
  }
}

/** "2026-12-02 15:47 UTC, commit 594b34f, 2 cores (…), Chromium …, load average at start …". */
export function runLine(loadAtStart = os.loadavg()) {
  return `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, commit ${output("git rev-parse --short HEAD")}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${output("/usr/bin/chromium --version")}, load average at start ${loadAtStart.map((x) => x.toFixed(2)).join(" ")}`;
}

/** Bytes of `file` and of its GNU gzip -9 (zlib's level 9 comes out ~3% larger). */
export function fileSizes(file) {
  const gz = execFileSync("gzip", ["-9", "-c", file]).length;
  return { raw: statSync(file).size, gzip: gz };
}

/** The files a visitor downloads for the widget (static/dist/widget), largest first. */
export function widgetFiles() {
  const dir = path.join(ROOT, "static/dist/widget");
  const files = [];
  const walk = (d) =>
    readdirSync(d).forEach((f) => {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(js|wasm)$/.test(f)) files.push(p);
    });
  walk(dir);
  return files.map((f) => ({ name: path.relative(dir, f), ...fileSizes(f) })).sort((a, b) => b.raw - a.raw);
}

/** GNU gzip -9 of a buffer. */
export function gzipSize(buf) {
  return execFileSync("gzip", ["-9", "-c"], { input: buf, maxBuffer: 1 << 30 }).length;
}

/**
 * Replaces the text between `start` and `end` (markers included) in `file`
 * with `md`, or adds it before "## Analysis" the first time.
 */
export function writeSection(file, start, end, md) {
  const old = readFileSync(file, "utf8");
  const i = old.indexOf(start);
  const j = old.indexOf(end);
  const next =
    i >= 0 && j > i ? old.slice(0, i) + md + old.slice(j + end.length) : old.replace("## Analysis", `${md}\n\n## Analysis`);
  writeFileSync(file, next);
}
