// Co-browse capture in real Chromium, Tandem's widget beside rrweb 2 on the
// same generated pages (bench/cobrowse_page.mjs), in one run (issue 3, and
// issue 7's size line):
//
// 1. keyframe: capture time and the longest main-thread task (from a
//    Chromium trace), pages of 1,000 / 10,000 / 50,000 nodes, several runs;
// 2. bytes of a keyframe and of 1,000 scripted mutations, raw and gzip -9:
//    for Tandem the binary frames the visitor's page really sends (CDP
//    Network.webSocketFrameSent), for rrweb the JSON of its events;
// 3. latency from a mutation in the visitor's page to the agent console's
//    mirror iframe holding it, through a real tandem server on loopback;
// 4. what a site ships: the widget's files against rrweb's record bundle.
//
//   node bench/cobrowse.mjs [--quick] [--runs N] [--sizes 1000,50000] [--verbose] [--write docs/benchmarks.md]
//
// Needs the bundles (cargo xtask build), a tandem binary (TANDEM_BIN, else
// $CARGO_TARGET_DIR/debug/tandem as in the e2e tests) and `npm ci` (rrweb).
// --quick: 1,000 and 10,000 nodes, 2 runs, 40 latency probes. --verbose keeps
// each capture's Chromium trace in the artifacts (open in chrome://tracing).

import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

import { agentToken, AgentSocket, recordSentFrames } from "../tests/e2e/cobrowse_support.mjs";
import { Artifacts, ROOT, consoleLogin, goOnline, launchBrowser, startServer, tag, tandemBin, visible, waitUntil } from "../tests/e2e/harness.mjs";
import { startSharing } from "../tests/e2e/mirror_support.mjs";
import { generatePage } from "./cobrowse_page.mjs";
import { mainThreadTasks, TRACE_CATEGORIES } from "./cobrowse_trace.mjs";
import { markdown, START, END } from "./cobrowse_report.mjs";
import { writeSection } from "./report.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const QUICK = args.includes("--quick");
/** Keeps each capture's trace in the artifacts (trace-*.json, for chrome://tracing). */
const VERBOSE = args.includes("--verbose");
const RUNS = Number(opt("--runs", QUICK ? 2 : 3));
const SIZES = opt("--sizes", null)?.split(",").map(Number) ?? (QUICK ? [1_000, 10_000] : [1_000, 10_000, 50_000]);
/** The page the mutation and latency measurements use. */
const WORK_SIZE = 10_000;
const MUTATIONS = 1_000;
const PER_FRAME = 10;
const PROBES = QUICK ? 40 : 100;
const PROBE_GAP_MS = 100;
const WRITE = opt("--write", null);
/** The longest any one step may take (a 50,000-node page on a busy machine). */
const STEP_MS = 90_000;
const AGENT = { email: "cobench@northwind.test", name: "Bench Agent", password: "correct horse battery staple" };
const RRWEB_BUNDLE = path.join(ROOT, "node_modules/rrweb/dist/rrweb.umd.min.cjs");

const started = Date.now();
const loadAtStart = os.loadavg();
const log = (...a) => console.error(`cobrowse: ${((Date.now() - started) / 1000).toFixed(1)} s`, ...a);

/** Rejects with `what` when `promise` takes longer than `ms`. */
function within(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------------ the pages' origin

/**
 * Serves the generated pages (/page?nodes=N), the in-page helpers and
 * rrweb's bundle on 127.0.0.1, an origin of its own like a customer site.
 * Pages are generated once per size and point at `tandemUrl` once set.
 */
function servePages() {
  const cache = new Map();
  const files = {
    "/cobrowse-page.js": path.join(ROOT, "static/bench/cobrowse-page.js"),
    "/rrweb.js": RRWEB_BUNDLE,
  };
  const site = { url: null, tandemUrl: null, counts: new Map() };
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/page") {
      const nodes = Number(url.searchParams.get("nodes"));
      if (!cache.has(nodes)) {
        const page = generatePage({ nodes, seed: nodes, tandemUrl: site.tandemUrl });
        cache.set(nodes, page.html);
        site.counts.set(nodes, page.nodes);
      }
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
      res.end(cache.get(nodes));
    } else if (files[url.pathname]) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      res.end(readFileSync(files[url.pathname]));
    } else {
      res.writeHead(404);
      res.end("not found");
    }
  });
  return new Promise((resolve) =>
    srv.listen(0, "127.0.0.1", () => {
      site.url = `http://127.0.0.1:${srv.address().port}`;
      site.close = () => new Promise((r) => srv.close(r));
      resolve(site);
    }),
  );
}

// ------------------------------------------------------------------ a visitor sharing

/** A fresh visitor on the page of `nodes` nodes, the widget loaded. */
async function openPage(browser, site, nodes, label) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = artifacts.watch(await ctx.newPage(), label);
  await page.goto(`${site.url}/page?nodes=${nodes}`, { timeout: STEP_MS });
  await within(page.evaluate(() => new Promise((r) => window.Tandem.on("ready", r))), STEP_MS, `the widget to be ready on the ${nodes}-node page`);
  return { ctx, page };
}

/**
 * The realistic start: the visitor asks for help, the agent (a WebSocket
 * client) accepts and asks to see the screen, the visitor presses Allow.
 * `beforeAllow` runs just before the click (to start a trace).
 */
async function share(page, agent, beforeAllow) {
  const t = tag();
  await page.evaluate((m) => window.Tandem.requestHelp({ message: m }), `Bench visitor ${t} needs help`);
  const session = await agent.acceptRequest(t);
  agent.send({ type: "cobrowse.request", session });
  const allow = await visible(page.getByTestId("tandem-share-allow"), "the visitor's Allow button");
  const mark = agent.mark();
  await beforeAllow?.();
  await allow.click();
  await within(waitUntil("the keyframe to be sent", () => page.evaluate(() => window.bench.keyframes.length > 0), STEP_MS), STEP_MS, "the keyframe");
  const frame = await agent.pageSince(mark, (p) => p.kind === "keyframe", "the keyframe at the agent", STEP_MS);
  return { session, frame };
}

// ------------------------------------------------------------------ 1 and 2: keyframes

/** The first keyframe frame the page handed to WebSocket.send, as the page copied it. */
async function firstKeyframe(page) {
  const b64 = await page.evaluate(() => {
    const b = window.bench.firstKeyframe;
    let s = "";
    for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
    return btoa(s);
  });
  return Buffer.from(b64, "base64");
}

/** Runs `body` with a Chromium trace going; returns [body's result, the trace]. */
async function traced(browser, page, body) {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  let result;
  let trace;
  try {
    result = await body();
  } finally {
    trace = String(await browser.stopTracing());
  }
  return [result, trace];
}

/** The tasks of a traced capture (and the trace itself under --verbose). */
function tasksOf(trace, name, from, to, tailMs) {
  if (VERBOSE) writeFileSync(path.join(artifacts.dir, `trace-${name}.json`), trace);
  return mainThreadTasks(trace, from, to, tailMs);
}

/**
 * Tandem's first keyframe of a freshly loaded page ("cold": the widget's
 * capture code runs for the first time) and a second one in the same page
 * ("warm"), each with the 500 ms after it.
 */
async function tandemKeyframe(browser, site, agent, nodes, run) {
  const { ctx, page } = await openPage(browser, site, nodes, `tandem-${nodes}-${run}`);
  // No CDP recording of frames here: DevTools would copy and encode every
  // frame the page sends inside the timed tasks (the mutation run checks
  // that the page's own copy equals what CDP sees).
  let tracing = false;
  try {
    const { session } = await share(page, agent, async () => {
      await browser.startTracing(page, { categories: TRACE_CATEGORIES });
      tracing = true;
    });
    // What the capture does after sending (freeing its model, the first delta) counts too.
    await page.waitForTimeout(500);
    tracing = false;
    const trace = String(await browser.stopTracing());
    const cold = tasksOf(trace, `tandem-${nodes}-${run}`, "cobench:active", "cobench:keyframe-sent", 500);
    // Keyframes are at least a second apart (KEYFRAME_GAP_MS in widget-wasm/src/capture/mod.rs).
    await page.waitForTimeout(700);
    const [, trace2] = await traced(browser, page, async () => {
      await page.evaluate(() => window.bench.tandemRetake());
      await within(waitUntil("the second keyframe", () => page.evaluate(() => window.bench.keyframes.length > 1), STEP_MS), STEP_MS, "the second keyframe");
      await page.waitForTimeout(500);
    });
    const warm = tasksOf(trace2, `tandem-${nodes}-${run}-warm`, "cobench:retake", "cobench:keyframe-sent", 500);
    const b = await page.evaluate(() => ({ activeAt: window.bench.activeAt, retakeAt: window.bench.retakeAt, k: window.bench.keyframes }));
    agent.send({ type: "session.end", session });
    return {
      cold: { ms: b.k[0].at - b.activeAt, ...cold },
      warm: { ms: b.k[1].at - b.retakeAt, ...warm },
      bytes: await firstKeyframe(page),
    };
  } finally {
    if (tracing) await browser.stopTracing().catch(() => {});
    await ctx.close();
  }
}

/** rrweb's record() on a freshly loaded page (cold), then a second full snapshot (warm). */
async function rrwebKeyframe(browser, site, nodes, run) {
  const { ctx, page } = await openPage(browser, site, nodes, `rrweb-${nodes}-${run}`);
  try {
    const [r, trace] = await traced(browser, page, async () => {
      const r = await within(page.evaluate(() => window.bench.rrwebStart()), STEP_MS, "rrweb's record()");
      await page.waitForTimeout(300);
      return r;
    });
    if (!r.fullSnapshot) throw new Error("rrweb's record() returned without a full snapshot");
    const cold = tasksOf(trace, `rrweb-${nodes}-${run}`, "cobench:rrweb-start", "cobench:rrweb-done", 300);
    // Its meta and full-snapshot events, as they would be sent.
    const j = await page.evaluate(() => window.bench.rrwebJson(0, [2, 4]));
    const [r2, trace2] = await traced(browser, page, async () => {
      const r2 = await within(page.evaluate(() => window.bench.rrwebRetake()), STEP_MS, "rrweb's second snapshot");
      await page.waitForTimeout(300);
      return r2;
    });
    const warm = tasksOf(trace2, `rrweb-${nodes}-${run}-warm`, "cobench:rrweb-retake", "cobench:rrweb-retaken", 300);
    return { cold: { ms: r.ms, jsonMs: j.ms, ...cold }, warm: { ms: r2.ms, jsonMs: j.ms, ...warm }, bytes: Buffer.from(j.json, "utf8") };
  } finally {
    await ctx.close();
  }
}

// ------------------------------------------------------------------ 2: mutations, both tools recording

async function mutationBytes(browser, site, agent) {
  const { ctx, page } = await openPage(browser, site, WORK_SIZE, "mutations");
  try {
    const sent = await recordSentFrames(page);
    const { session } = await share(page, agent);
    const wire = sent.find((f) => f.binary && f.data[1] === 1);
    if (!wire || !wire.data.equals(await firstKeyframe(page))) {
      throw new Error("the keyframe CDP saw leave the page differs from the page's own copy of what it sent");
    }
    await page.evaluate(() => window.bench.rrwebStart());
    await page.waitForTimeout(1000);
    const from = sent.length;
    const rrFrom = await page.evaluate(() => window.bench.rr.length);
    const done = await within(page.evaluate(([n, k]) => window.bench.mutate(n, k, 7), [MUTATIONS, PER_FRAME]), STEP_MS, "the mutations");
    // Both batch per frame or per observer callback: let the last batch go.
    await page.waitForTimeout(1000);
    const frames = sent.slice(from).filter((f) => f.binary);
    if (frames.some((f) => f.data[1] === 1)) throw new Error("Tandem sent a keyframe during the mutations: the deltas are not comparable");
    const deltas = frames.filter((f) => f.data[1] === 2).map((f) => f.data);
    const rr = await page.evaluate((i) => window.bench.rrwebJson(i, [3]), rrFrom);
    const rrEvents = JSON.parse(rr.json).map((e) => Buffer.from(JSON.stringify(e), "utf8"));
    agent.send({ type: "session.end", session });
    return { ops: done.ops, tandem: deltas, rrweb: rrEvents };
  } finally {
    await ctx.close();
  }
}

// ------------------------------------------------------------------ 3: latency to the console's mirror

/**
 * In the console: notes, on the console's clock (Date.now()), the first
 * time each token "L<k>" shows up in the mirror iframe's DOM, as text, an
 * attribute's value or a class, through a MutationObserver on the mirror's
 * document (kept across keyframes by the console, see agent-ui/src/mirror/page.rs).
 */
function watchMirror(session) {
  const seen = (window.__cobenchSeen = {});
  const note = (v) => {
    const m = /^L(\d+)$/.exec(v || "");
    if (m && !(m[1] in seen)) seen[m[1]] = Date.now();
  };
  const frame = document.querySelector(`[data-testid="mirror-frame"][data-session="${session}"]`);
  const doc = frame?.contentDocument;
  if (!doc) return false;
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "characterData") note(r.target.data);
      else if (r.type === "attributes") note(r.target.getAttribute(r.attributeName));
      else
        for (const n of r.addedNodes) {
          if (n.nodeType === 3) note(n.data);
          else if (n.nodeType === 1) {
            note(n.getAttribute("data-lat"));
            note(n.textContent);
          }
        }
    }
  }).observe(doc, { subtree: true, childList: true, attributes: true, characterData: true });
  return !!doc.getElementById("lat-text");
}

async function mirrorLatency(browser, site, server) {
  const { ctx: vctx, page: visitor } = await openPage(browser, site, WORK_SIZE, "latency-visitor");
  const actx = await browser.newContext({ viewport: { width: 1600, height: 940 } });
  try {
    const agent = artifacts.watch(await actx.newPage(), "latency-console");
    const t = tag();
    await visitor.evaluate((m) => window.Tandem.requestHelp({ message: m }), `Bench visitor ${t} needs help`);
    await consoleLogin(agent, server.server, AGENT.email, AGENT.password);
    await goOnline(agent);
    const item = await visible(agent.getByTestId("queue-item").filter({ hasText: t }), "the request in the console's queue");
    const session = await item.getAttribute("data-session");
    await item.getByTestId("queue-accept").click();
    await visible(agent.locator(`[data-testid="chat"][data-session="${session}"]`), "the accepted chat");
    await startSharing(visitor, agent, session);
    // What building the page cost the agent's tab: the stage notes how long
    // applying the last keyframe took.
    const keyframeApplyMs = await waitUntil("the keyframe in the console's mirror", () =>
      agent.evaluate((s) => {
        const box = document.querySelector(`[data-testid="mirror-frame"][data-session="${s}"]`)?.parentElement;
        return box?.dataset.keyframeMs ? Number(box.dataset.keyframeMs) : null;
      }, session),
    );
    await agent.waitForTimeout(1000);
    if (!(await agent.evaluate(watchMirror, session))) throw new Error("the console's mirror has no #lat-text: not the benchmark page?");
    const sentAt = [];
    for (let k = 0; k < PROBES; k++) {
      sentAt.push(await visitor.evaluate((i) => window.bench.probe(i), k));
      await visitor.waitForTimeout(PROBE_GAP_MS);
    }
    await agent.waitForTimeout(1000);
    const seen = await agent.evaluate(() => window.__cobenchSeen);
    const ms = [];
    let lost = 0;
    sentAt.forEach((at, k) => (k in seen ? ms.push(seen[k] - at) : lost++));
    return { ms, lost, keyframeApplyMs };
  } finally {
    await vctx.close();
    await actx.close();
  }
}

// ------------------------------------------------------------------ the run

const artifacts = new Artifacts("bench_cobrowse");
const site = await servePages();
// The pages' origin may use the demo site (the harness passes our environment on).
process.env.TANDEM_ALLOW_ORIGIN = [process.env.TANDEM_ALLOW_ORIGIN, `demo=${site.url}`].filter(Boolean).join(",");
const server = await startServer({ agents: [AGENT] });
site.tandemUrl = server.server;
const browser = await launchBrowser();
const results = { sizes: SIZES, runs: RUNS, keyframes: [], counts: null, mutations: null, latency: null, workSize: WORK_SIZE, probes: PROBES, probeGapMs: PROBE_GAP_MS, perFrame: PER_FRAME, mutationCount: MUTATIONS };
try {
  const agent = await AgentSocket.connect(server.server, await agentToken(server.server, AGENT.email, AGENT.password));
  // Runs take turns, tool by tool and size by size, so that noise from
  // other work on the machine falls on both alike. Run 0 (smallest page
  // only) warms up the browser and the server and is not counted; every
  // run loads its page afresh anyway.
  for (let run = 0; run <= RUNS; run++) {
    for (const nodes of run ? SIZES : SIZES.slice(0, 1)) {
      log(`keyframe, ${nodes} nodes, run ${run} of ${RUNS}${run ? "" : " (warm-up)"}`);
      const tandem = await tandemKeyframe(browser, site, agent, nodes, run);
      const rrweb = await rrwebKeyframe(browser, site, nodes, run);
      if (run > 0) results.keyframes.push({ nodes, tandem, rrweb });
      log(`  tandem ${tandem.cold.ms.toFixed(0)} ms (warm ${tandem.warm.ms.toFixed(0)}), rrweb ${rrweb.cold.ms.toFixed(0)} ms (warm ${rrweb.warm.ms.toFixed(0)})`);
    }
  }
  log(`${MUTATIONS} mutations on the ${WORK_SIZE}-node page, both recording`);
  results.mutations = await mutationBytes(browser, site, agent);
  agent.close();
  log(`latency, ${PROBES} probes ${PROBE_GAP_MS} ms apart, into the console's mirror`);
  results.latency = await mirrorLatency(browser, site, server);
  results.counts = Object.fromEntries(site.counts);
} finally {
  artifacts.save(server);
  await browser.close().catch(() => {});
  await server.stop();
  await site.close();
}
results.seconds = (Date.now() - started) / 1000;
const md = markdown(results, { loadAtStart, release: tandemBin().includes("release") });
console.log(md);
if (WRITE) {
  writeSection(WRITE, START, END, md);
  log(`wrote ${WRITE}`);
}
log("done");
// Waiters of the agent's socket keep their timers: do not wait for them.
process.exit(0);
