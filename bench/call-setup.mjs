// Voice call set-up time in real Chromium on loopback: from the agent's
// click on "Call" (the visitor's widget accepts as soon as the prompt shows)
// to the first inbound audio packet, on each side, over a direct path and
// relayed through the embedded TURN server only. Runs N calls of each in one
// chat and prints p50/p95; with --write FILE it replaces the voice section of
// that markdown file (docs/benchmarks.md) between its markers.
//
//   node bench/call-setup.mjs [--runs 20] [--write docs/benchmarks.md]
//
// Needs the bundles (cargo xtask build) and a tandem binary (TANDEM_BIN, or
// $CARGO_TARGET_DIR/debug/tandem as in the e2e tests).

import { Artifacts, launchBrowser, startServer, tandemBin, waitUntil } from "../tests/e2e/harness.mjs";
import { chatting, peerHook } from "../tests/e2e/voice_support.mjs";
import { pct, runLine, widgetFiles, writeSection } from "./report.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt("--runs", 20));
const WRITE = opt("--write", null);
const AGENT = { email: "bench@northwind.test", name: "Bench Agent", password: "correct horse battery staple" };
export const START = "<!-- call-setup:start -->";
export const END = "<!-- call-setup:end -->";

/**
 * In the page, on top of peerHook: each peer connection notes when its first
 * inbound audio packet arrived (getStats every 5 ms until then), and the
 * widget's accept button is pressed as soon as it shows.
 */
function timingHook({ autoAccept }) {
  const Hooked = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Hooked {
    constructor(...a) {
      super(...a);
      const poll = setInterval(async () => {
        if (this.signalingState === "closed") return clearInterval(poll);
        const report = await this.getStats();
        let n = 0;
        report.forEach((s) => {
          if (s.type === "inbound-rtp" && s.kind === "audio") n += s.packetsReceived || 0;
        });
        if (n > 0 && !this.firstAudioAt) {
          this.firstAudioAt = Date.now();
          clearInterval(poll);
        }
      }, 5);
    }
  };
  if (autoAccept) {
    setInterval(() => {
      const root = document.getElementById("tandem-widget-root")?.shadowRoot;
      const prompt = root?.querySelector('[data-testid="tandem-call-prompt"]:not([hidden])');
      const accept = prompt?.querySelector('[data-testid="tandem-call-accept"]:not([disabled])');
      if (accept) accept.click();
    }, 5);
  }
}

const firstAudio = (page) => page.evaluate(() => (window.__tandemPeers || []).at(-1)?.firstAudioAt ?? null);

async function measure(browser, server, relay, artifacts) {
  const vctx = await browser.newContext();
  const actx = await browser.newContext();
  await vctx.addInitScript(peerHook, { relay });
  await actx.addInitScript(peerHook, { relay });
  await vctx.addInitScript(timingHook, { autoAccept: true });
  await actx.addInitScript(timingHook, { autoAccept: false });
  const visitor = artifacts.watch(await vctx.newPage(), `visitor-${relay ? "relay" : "direct"}`);
  const agent = artifacts.watch(await actx.newPage(), `agent-${relay ? "relay" : "direct"}`);
  await chatting(server, visitor, agent, AGENT, `bench ${relay ? "relay" : "direct"} ${Date.now()}`);
  const samples = { agent: [], visitor: [] };
  for (let i = 0; i < RUNS + 1; i++) {
    const peers = await agent.evaluate(() => (window.__tandemPeers || []).length);
    await waitUntil("the Call button", () => agent.getByTestId("call-start").first().isEnabled());
    const clicked = await agent.evaluate(() => {
      const t = Date.now();
      document.querySelector('[data-testid="call-start"]').click();
      return t;
    });
    await waitUntil("a new peer connection", async () => (await agent.evaluate(() => (window.__tandemPeers || []).length)) > peers);
    const [a, v] = await waitUntil("first audio on both sides", async () => {
      const both = [await firstAudio(agent), await firstAudio(visitor)];
      return both.every(Boolean) ? both : null;
    });
    // The first call warms up the browser (codecs, audio devices): not counted.
    if (i > 0) {
      samples.agent.push(a - clicked);
      samples.visitor.push(v - clicked);
    }
    await agent.getByTestId("call-hangup").first().click();
    await waitUntil("the call to end", async () => (await agent.getByTestId("call-bar").first().getAttribute("data-state")) === "ended");
  }
  await vctx.close();
  await actx.close();
  return samples;
}

function markdown(results) {
  const rows = results
    .map(({ path, samples }) =>
      ["agent", "visitor"]
        .map((side) => `| ${path} | ${side} | ${samples[side].length} | ${pct(samples[side], 50)} ms | ${pct(samples[side], 95)} ms | ${Math.min(...samples[side])} ms | ${Math.max(...samples[side])} ms |`)
        .join("\n"))
    .join("\n");
  return `${START}
## Voice call set-up

Written by \`node bench/call-setup.mjs --write docs/benchmarks.md\` (also run by \`cargo xtask bench\`).
${runLine()}.

From the agent's click on **Call** in the console to the first inbound audio packet (\`getStats()\`, polled every 5 ms) on each side. The widget accepts the moment its prompt shows (an in-page script presses Accept), so the time covers: the agent's microphone, \`call.start\`, the ring reaching the widget, the visitor's microphone, \`call.accept\`, ICE servers for both, perfect negotiation, ICE and DTLS, and the first RTP. Both pages run in one headless Chromium with fake media devices on loopback; the server is the \`tandem\` binary the e2e tests use (${tandemBin().includes("release") ? "release" : "debug"} build). One chat, calls one after another, the first of each kind not counted (warm-up). **Relay**: both sides forced to \`iceTransportPolicy: "relay"\`, so audio goes through the embedded TURN server.

| Path | Side | Calls | p50 | p95 | min | max |
|---|---|---:|---:|---:|---:|---:|
${rows}

Widget download with voice calls: **${(widgetFiles().reduce((s, f) => s + f.gzip, 0) / 1000).toFixed(1)} KB** gzipped (tandem.js, the wasm-bindgen glue, the wasm and its snippet; gzip -9). Budget: 150 KB; 145.1 KB before voice.
${END}`;
}

const artifacts = new Artifacts("bench_call_setup");
const server = await startServer({ agents: [AGENT] });
const browser = await launchBrowser();
const results = [];
try {
  for (const relay of [false, true]) {
    const samples = await measure(browser, server, relay, artifacts);
    results.push({ path: relay ? "relay (TURN)" : "direct", samples });
    console.log(JSON.stringify({ path: relay ? "relay" : "direct", ...samples }));
  }
} finally {
  artifacts.save(server);
  await browser.close().catch(() => {});
  await server.stop();
}
const md = markdown(results);
console.log(md);
if (WRITE) {
  writeSection(WRITE, START, END, md);
  console.error(`call-setup: wrote ${WRITE}`);
}
