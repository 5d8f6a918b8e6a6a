// The co-browse benchmark's section of docs/benchmarks.md, from what
// bench/cobrowse.mjs measured, and the download sizes it compares.

import { readFileSync } from "node:fs";
import path from "node:path";

import { ROOT } from "../tests/e2e/harness.mjs";
import { fileSizes, gzipSize, median, pct, runLine, widgetFiles } from "./report.mjs";

export const START = "<!-- cobrowse:start -->";
export const END = "<!-- cobrowse:end -->";

const RRWEB_FULL = "node_modules/rrweb/dist/rrweb.umd.min.cjs";
const RRWEB_RECORD = "node_modules/@rrweb/record/dist/record.umd.min.cjs";
const version = (pkg) => JSON.parse(readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;

const n = (x) => x.toLocaleString("en-US");
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const ms = (x) => (x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`);
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : "–");
/** "median (min–max)" of a list of milliseconds. */
const spread = (xs) => `${ms(median(xs))} (${ms(Math.min(...xs))}–${ms(Math.max(...xs))})`;

/** Rows of one keyframe table: `phase` is "cold" (first capture of a page) or "warm". */
function keyframeTable(results, phase) {
  const rows = [];
  for (const nodes of results.sizes) {
    const runs = results.keyframes.filter((k) => k.nodes === nodes);
    const count = results.counts?.[nodes] ?? nodes;
    const t = (f) => runs.map((r) => f(r.tandem[phase]));
    const r = (f) => runs.map((k) => f(k.rrweb[phase]));
    const over = (xs) => xs.reduce((s, x) => s + x, 0);
    const longest = (xs) => `${ms(median(xs((x) => x.longestMs)))} (${ms(median(xs((x) => x.longestCpuMs)))})`;
    rows.push(
      `| ${n(count)} | Tandem | ${spread(t((x) => x.ms))} | ${ms(median(t((x) => x.busyCpuMs)))} | ${longest(t)} | ${ms(Math.max(...t((x) => x.longestMs)))} (${ms(Math.max(...t((x) => x.longestCpuMs)))}) | ${over(t((x) => x.overBudget))} / ${over(t((x) => x.overBudgetCpu))} |`,
      `| ${n(count)} | rrweb | ${spread(r((x) => x.ms))} + ${ms(median(r((x) => x.jsonMs)))} JSON | ${ms(median(r((x) => x.busyCpuMs)))} | ${longest(r)} | ${ms(Math.max(...r((x) => x.longestMs)))} (${ms(Math.max(...r((x) => x.longestCpuMs)))}) | ${over(r((x) => x.overBudget))} / ${over(r((x) => x.overBudgetCpu))} |`,
      `| | Tandem / rrweb | ${ratio(median(t((x) => x.ms)), median(r((x) => x.ms + x.jsonMs)))} (rrweb with JSON) | ${ratio(median(t((x) => x.busyCpuMs)), median(r((x) => x.busyCpuMs)))} | ${ratio(median(t((x) => x.longestMs)), median(r((x) => x.longestMs)))} | | |`,
    );
  }
  return rows.join("\n");
}

/** Keyframe sizes (deterministic: the same page gives the same bytes in every run). */
function keyframeBytes(results) {
  return results.sizes
    .map((nodes) => {
      const k = results.keyframes.find((k) => k.nodes === nodes);
      const [t, r] = [k.tandem.bytes, k.rrweb.bytes];
      const [tg, rg] = [gzipSize(t), gzipSize(r)];
      return `| ${n(results.counts?.[nodes] ?? nodes)} | ${kb(t.length)} | ${kb(tg)} | ${kb(r.length)} | ${kb(rg)} | ${ratio(t.length, r.length)} | ${ratio(tg, rg)} |`;
    })
    .join("\n");
}

function mutationTable({ mutations, mutationCount }) {
  const row = (name, msgs) => {
    const raw = msgs.reduce((s, b) => s + b.length, 0);
    const gz = gzipSize(Buffer.concat(msgs));
    return { line: `| ${name} | ${n(msgs.length)} | ${kb(raw)} | ${kb(gz)} | ${(raw / mutationCount).toFixed(0)} B |`, raw, gz };
  };
  const t = row("Tandem (binary frames sent, header included)", mutations.tandem);
  const r = row("rrweb (JSON of its incremental events)", mutations.rrweb);
  return { table: [t.line, r.line, `| Tandem / rrweb | | ${ratio(t.raw, r.raw)} | ${ratio(t.gz, r.gz)} | |`].join("\n"), t, r };
}

function sizeTable() {
  const widget = widgetFiles();
  const total = widget.reduce((s, f) => ({ raw: s.raw + f.raw, gzip: s.gzip + f.gzip }), { raw: 0, gzip: 0 });
  const rows = widget.map((f) => `| Tandem | ${f.name} | ${kb(f.raw)} | ${kb(f.gzip)} |`);
  rows.push(`| **Tandem** | **all of the above** | **${kb(total.raw)}** | **${kb(total.gzip)}** |`);
  const record = fileSizes(path.join(ROOT, RRWEB_RECORD));
  const full = fileSizes(path.join(ROOT, RRWEB_FULL));
  rows.push(`| **rrweb** | **@rrweb/record ${version("@rrweb/record")} \`record.umd.min.cjs\`** (record only) | **${kb(record.raw)}** | **${kb(record.gzip)}** |`);
  rows.push(`| rrweb | rrweb ${version("rrweb")} \`rrweb.umd.min.cjs\` (record and replay; loaded in the pages) | ${kb(full.raw)} | ${kb(full.gzip)} |`);
  return { table: rows.join("\n"), total, record };
}

export function markdown(results, { loadAtStart, release }) {
  const lat = results.latency;
  const mut = mutationTable(results);
  const size = sizeTable();
  const ops = results.mutations.ops;
  return `${START}
## Co-browse capture beside rrweb

Written by \`node bench/cobrowse.mjs --write docs/benchmarks.md\` (also run by \`cargo xtask bench\`; \`--quick\`: 1,000 and 10,000 nodes, 2 runs, 40 probes).
${runLine(loadAtStart)}. rrweb ${version("rrweb")}. Tandem server: ${release ? "release" : "debug"} build. This part took ${results.seconds.toFixed(0)} s.

- **Pages**: generated from a seed (bench/cobrowse_page.mjs) and served from their own origin: a header with navigation, sections of product cards (nested divs), paragraphs with inline elements, lists, tables, a form, nested divs, a stylesheet and some inline styles; the node count is elements plus text nodes. Every page loads the widget's snippet and rrweb's bundle; a run loads it fresh in a new browser context and uses one tool.
- **Tandem's keyframe** starts the realistic way: the visitor asks for help (\`Tandem.requestHelp\`), an agent (a WebSocket client) accepts and sends \`cobrowse.request\`, the visitor presses Allow. **Capture time**: from \`cobrowse{active}\` reaching the page's socket (capture starts in that task) to the keyframe frame handed to \`WebSocket.send\`: the time-sliced walk, which writes the frame's JSON as it goes, the gaps between slices (each slice is posted through a \`MessageChannel\`), and ending the frame. **rrweb**: the \`record()\` call, inside which rrweb takes its full snapshot; the JSON.stringify of its events (which Tandem's time includes) is shown after the plus sign and added in the ratio.
- **Main thread CPU / longest task**: from a Chromium trace (\`RunTask\` events of the page's renderer main thread, whatever ran them: the capture's timers, socket messages, rendering), CPU from the start mark to the keyframe sent, the longest task also over the following 500 ms (Tandem sends a first delta then) or 300 ms (rrweb). Medians of ${results.runs} runs per size (after a warm-up run on the smallest page, not counted). Runs of the two tools alternate.
- **Bytes**: Tandem's keyframe as the page sent it (the binary frame with its header, copied in the page at \`WebSocket.send\`: DevTools' own copy, CDP \`Network.webSocketFrameSent\`, would add its cost to the timed tasks; the mutation run checks that both are the same bytes), its deltas as CDP saw them leave; rrweb's as the JSON of its meta and full-snapshot events. gzip is GNU \`gzip -9\` of the message, and for the mutations of all messages concatenated (one stream, as a batching uploader would compress; the WebSocket here is not compressed). KB = 1,000 bytes.
- **Mutations**: on the ${n(results.counts?.[results.workSize] ?? results.workSize)}-node page, Tandem sharing and rrweb recording at the same time, the same seeded script: ${n(results.mutationCount)} mutations, ${results.perFrame} per animation frame (${ops.insert} list items inserted (an element, its text and a bold word), ${ops.remove} list items removed, ${ops.text} paragraph texts edited, ${ops.attr} classes toggled or attributes set on cards, cells and list items). Tandem sends at most one delta per animation frame; rrweb one event per observer callback.
- **Latency**: the same page, a real agent console (signed in, online, accepting in the queue, "See screen", the visitor's Allow). ${results.probes} probes ${results.probeGapMs} ms apart, each one change in the visitor's page (a text edit, a list item inserted, an attribute, a class, in turn) making a token appear; the console's page notes when the token first appears in the mirror iframe's DOM (a MutationObserver on the mirror's document, so after the console applied the delta, before it is painted). Both times are \`Date.now()\` in two pages of the same browser (one wall clock, 1 ms resolution). Covered: the widget's observer and its frame-aligned batching, encoding, the socket to the server, the server's relay, the socket to the console, decoding and applying in the mirror.

### Keyframe time

Capture time is wall-clock; "CPU" is the main thread's own CPU time (the trace's \`tdur\`): this machine is shared, and a task's wall time also holds the time its thread waited for a core (load average above).

**First keyframe of a freshly loaded page** (each tool's code runs for the first time: V8 compiles wasm and JavaScript functions lazily, on first call):

| Nodes | Tool | Capture time, median (min–max) | Main thread CPU | Longest task, median wall (CPU) | Longest of all runs, wall (CPU) | Tasks ≥ 50 ms, all runs, wall / CPU |
|---:|---|---:|---:|---:|---:|---:|
${keyframeTable(results, "cold")}

**Second keyframe, same page** (Tandem: \`Tandem.mask()\` with a selector that matches nothing makes the capture resend the page, every element then also checked against it; rrweb: \`record.takeFullSnapshot()\`):

| Nodes | Tool | Capture time, median (min–max) | Main thread CPU | Longest task, median wall (CPU) | Longest of all runs, wall (CPU) | Tasks ≥ 50 ms, all runs, wall / CPU |
|---:|---|---:|---:|---:|---:|---:|
${keyframeTable(results, "warm")}

### Keyframe size

| Nodes | Tandem | gzip -9 | rrweb | gzip -9 | Tandem / rrweb | gzip |
|---:|---:|---:|---:|---:|---:|---:|
${keyframeBytes(results)}

### 1,000 mutations

| Tool | Messages | Raw | gzip -9 | Raw per mutation |
|---|---:|---:|---:|---:|
${mut.table}

### Visitor's change to the agent's mirror (loopback)

| Page | Probes | Reached the mirror | p50 | p95 | max |
|---:|---:|---:|---:|---:|---:|
| ${n(results.counts?.[results.workSize] ?? results.workSize)} nodes | ${lat.ms.length + lat.lost} | ${lat.ms.length} | ${ms(pct(lat.ms, 50))} | ${ms(pct(lat.ms, 95))} | ${ms(Math.max(...lat.ms))} |

The agent's side of the first keyframe: the console built this page's mirror (parse the frame, sanitise every node, build the DOM, adopt the stylesheets) in ${ms(lat.keyframeApplyMs)}, in one task of the agent's tab (the stage's \`data-keyframe-ms\`, one run).

### What a site ships

| | File | Raw | gzip -9 |
|---|---|---:|---:|
${size.table}

Widget / rrweb's record bundle: ${ratio(size.total.gzip, size.record.gzip)} gzipped. The widget also holds the chat, voice calls and form push; the rrweb bundle only records (a site also needs its own upload code, and the agent side needs rrweb's replayer).
${END}`;
}
