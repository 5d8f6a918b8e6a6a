// Shared helpers for the browser end-to-end tests.
//
// Each test starts a real `tandem` server on free ports with its own SQLite
// file, drives Debian's Chromium through playwright-core, and leaves
// screenshots, console logs and the server log in tests/e2e/artifacts/<test>/.
//
// Environment:
//   TANDEM_BIN          the tandem binary (default: $CARGO_TARGET_DIR/debug/tandem,
//                       else <repo>/target/debug/tandem)
//   TANDEM_CHROMIUM     the browser (default: /usr/bin/chromium)
//   TANDEM_E2E_HEADED=1 show the browser (needs a display)
//   TANDEM_E2E_TIMEOUT  milliseconds for each wait (default: 15000)

import { createHmac } from "node:crypto";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { assertAccessible } from "./a11y.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS = path.join(ROOT, "tests/e2e/artifacts");
export const TIMEOUT = Number(process.env.TANDEM_E2E_TIMEOUT || 15000);

// Exactly the flags docs/testing.md lists for Chromium. Do not add another
// --disable-features=: it would replace Playwright's own list.
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  "--allow-loopback-in-peer-connection",
];

export function tandemBin() {
  if (process.env.TANDEM_BIN) return process.env.TANDEM_BIN;
  const target = process.env.CARGO_TARGET_DIR
    ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR)
    : path.join(ROOT, "target");
  return path.join(target, "debug", "tandem");
}

// ------------------------------------------------------------------ server

/** Runs `tandem <args>` to completion, feeding `input` on stdin. */
function runTandem(args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(tandemBin(), args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`tandem ${args.join(" ")} exited with ${code}:\n${out}`));
    });
    child.stdin.end(input ?? "");
  });
}

/**
 * Starts a tandem server with the demo shop on two free ports.
 * `agents`: [{email, name, password, skills?, roles?}] added before the server starts
 *   (every role unless `roles` names some);
 * `sites`: [{id, voice?, screenPop?}] set up likewise (`tandem site add ID --voice … --screen-pop …`).
 * Returns {server, demo, log(), tail(n), siteSecret(site), apiToken(scope), stop()}.
 */
export async function startServer({ agents = [], sites = [] } = {}) {
  const bin = tandemBin();
  if (!existsSync(bin)) {
    throw new Error(`${bin} does not exist: build it first (cargo build -p tandem-server, or cargo xtask test)`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-e2e-"));
  const databaseUrl = `sqlite://${dir}/t.db`;
  for (const a of agents) {
    // Every role unless the test names some: a test reaches every screen.
    const roles = (a.roles ?? ["agent", "supervisor", "admin"]).join(",");
    const args = ["agent", "add", a.email, "--name", a.name, "--role", roles, "--database-url", databaseUrl];
    if (a.skills?.length) args.push("--skills", a.skills.join(","));
    await runTandem(args, a.password + "\n");
  }
  for (const site of sites) {
    const args = ["site", "add", site.id, "--database-url", databaseUrl];
    if (site.voice) args.push("--voice", site.voice);
    if (site.screenPop) args.push("--screen-pop", site.screenPop);
    await runTandem(args);
  }

  const child = spawn(
    bin,
    [
      "serve",
      "--listen", "127.0.0.1:0",
      "--demo-listen", "127.0.0.1:0",
      "--turn-listen", "127.0.0.1:0",
      "--database-url", databaseUrl,
      "--static-dir", path.join(ROOT, "static"),
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { RUST_LOG: "info", NO_COLOR: "1", ...process.env } },
  );
  const lines = [];
  let exited = null;
  const ready = new Promise((resolve, reject) => {
    let pending = "";
    child.stdout.on("data", (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        lines.push(line);
        if (line.startsWith("TANDEM_READY ")) {
          try {
            resolve(JSON.parse(line.slice("TANDEM_READY ".length)));
          } catch (e) {
            reject(new Error(`bad TANDEM_READY line: ${line}`));
          }
        }
      }
    });
    child.stderr.on("data", (chunk) => lines.push(...String(chunk).replace(/\n$/, "").split("\n")));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      exited = { code, signal };
      reject(new Error(`tandem serve exited early (${code ?? signal}):\n${lines.join("\n")}`));
    });
    setTimeout(() => reject(new Error(`no TANDEM_READY line within 30 s:\n${lines.join("\n")}`)), 30000).unref();
  });

  let urls;
  try {
    urls = await ready;
  } catch (e) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  if (!urls.demo) throw new Error(`TANDEM_READY has no demo URL: ${JSON.stringify(urls)}`);

  return {
    server: urls.server.replace(/\/$/, ""),
    demo: urls.demo.replace(/\/$/, ""),
    log: () => lines.join("\n"),
    tail: (n = 80) => lines.slice(-n).join("\n"),
    /** The site's identity secret (`tandem site secret`), for signing user ids. */
    siteSecret: async (site) => (await runTandem(["site", "secret", site, "--database-url", databaseUrl])).trim(),
    /** A new API token's secret (`tandem token create`), of `scope`. */
    apiToken: async (scope) => {
      const out = await runTandem(["token", "create", "--name", `e2e ${scope}`, "--scope", scope, "--database-url", databaseUrl]);
      const secret = out.match(/tdm_[A-Za-z0-9_-]+/);
      if (!secret) throw new Error(`no secret in: ${out}`);
      return secret[0];
    },
    async stop() {
      if (!exited) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------ browser

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.TANDEM_CHROMIUM || "/usr/bin/chromium",
    headless: process.env.TANDEM_E2E_HEADED !== "1",
    args: CHROMIUM_ARGS,
  });
}

/**
 * Collects what a test leaves behind: screenshots, every page's console and
 * uncaught errors, and the server log, under tests/e2e/artifacts/<name>/.
 */
export class Artifacts {
  constructor(name) {
    this.dir = path.join(ARTIFACTS, name);
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    this.consoles = new Map();
    this.pages = new Map();
    this.pageErrors = [];
    this.shots = 0;
  }

  /** Records the console and uncaught errors of `page` under `label`. */
  watch(page, label) {
    const lines = this.consoles.get(label) ?? [];
    this.consoles.set(label, lines);
    const stamp = () => new Date().toISOString().slice(11, 23);
    page.on("console", (m) => lines.push(`${stamp()} [${m.type()}] ${m.text()}`));
    page.on("pageerror", (e) => {
      lines.push(`${stamp()} [pageerror] ${e.stack || e.message}`);
      this.pageErrors.push(`${label}: ${e.message}`);
    });
    page.on("requestfailed", (r) => lines.push(`${stamp()} [requestfailed] ${r.url()} ${r.failure()?.errorText ?? ""}`));
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) lines.push(`${stamp()} [navigated] ${f.url()}`);
    });
    // Every WebSocket frame, shortened: the quickest way to tell which side
    // of a failed step is at fault.
    page.on("websocket", (ws) => {
      const short = (p) => (typeof p === "string" ? p : `<${p.length} bytes>`).slice(0, 400);
      lines.push(`${stamp()} [ws open] ${ws.url()}`);
      ws.on("framesent", (f) => lines.push(`${stamp()} [ws >] ${short(f.payload)}`));
      ws.on("framereceived", (f) => lines.push(`${stamp()} [ws <] ${short(f.payload)}`));
      ws.on("socketerror", (e) => lines.push(`${stamp()} [ws error] ${e}`));
      ws.on("close", () => lines.push(`${stamp()} [ws close] ${ws.url()}`));
    });
    this.pages.set(label, page);
    return page;
  }

  /**
   * A viewport screenshot named with a running number, e.g.
   * 03-visitor-queued.png; then, unless `check` is false, the accessibility
   * check of Tandem's part of the page (a11y.mjs): a recorded step is a
   * major one, and every state a test records must pass WCAG 2.2 AA.
   */
  async shot(page, name, { check = true } = {}) {
    this.shots += 1;
    const file = path.join(this.dir, `${String(this.shots).padStart(2, "0")}-${name}.png`);
    try {
      await page.screenshot({ path: file });
    } catch (e) {
      // A screenshot must never hide the real failure.
      writeFileSync(file + ".txt", String(e));
    }
    if (check) await assertAccessible(page, name);
  }

  /** Writes the consoles and the server log; call in `finally`. */
  save(server) {
    for (const [label, lines] of this.consoles) {
      writeFileSync(path.join(this.dir, `console-${label}.log`), lines.join("\n") + "\n");
    }
    if (server) writeFileSync(path.join(this.dir, "server.log"), server.log() + "\n");
  }

  consoleTail(label, n = 25) {
    return (this.consoles.get(label) ?? []).slice(-n).join("\n");
  }
}

/**
 * Runs the body of a test with a server, a browser and artifacts, and turns
 * a failure into one message carrying the server log and the consoles.
 */
export async function withStack(name, options, body) {
  const artifacts = new Artifacts(name);
  const server = await startServer(options);
  const browser = await launchBrowser();
  try {
    await body({ server, browser, artifacts });
  } catch (e) {
    for (const [label, page] of artifacts.pages) {
      if (!page.isClosed()) await artifacts.shot(page, `FAILED-${label}`, { check: false });
    }
    const consoles = [...artifacts.consoles.keys()]
      .map((label) => `--- console ${label} (last lines) ---\n${artifacts.consoleTail(label)}`)
      .join("\n");
    e.message += `\n--- server log (last lines) ---\n${server.tail(60)}\n${consoles}\n(artifacts: ${artifacts.dir})`;
    throw e;
  } finally {
    artifacts.save(server);
    await browser.close().catch(() => {});
    await server.stop();
  }
}

// ------------------------------------------------------------------ waiting

/** Polls `fn` until it returns a truthy value; fails with `what` after the timeout. */
export async function waitUntil(what, fn, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for a locator to be visible, with a readable failure. */
export async function visible(locator, what, timeout = TIMEOUT) {
  try {
    await locator.first().waitFor({ state: "visible", timeout });
  } catch (e) {
    throw new Error(`timed out after ${timeout} ms waiting for ${what} to be visible (${locator})`);
  }
  return locator.first();
}

/** A minimal static file server on 127.0.0.1:0 for pages on a foreign origin. */
export function serveHtml(html) {
  const srv = http.createServer((req, res) => {
    if (req.url === "/" || req.url.startsWith("/index.html")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    } else {
      res.writeHead(404);
      res.end("not found");
    }
  });
  return new Promise((resolve) => {
    srv.listen(0, "127.0.0.1", () => {
      resolve({ url: `http://127.0.0.1:${srv.address().port}`, close: () => new Promise((r) => srv.close(r)) });
    });
  });
}

/** An identity token as a shop's backend signs it (docs/sdk.md): HS256, an hour. */
export function identityToken(secret, sub) {
  const b64url = (data) => Buffer.from(data).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify({ sub, iat: now, exp: now + 3600 }))}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** A short random tag so a test's messages are unmistakable. */
export const tag = () => Math.random().toString(36).slice(2, 8);

// ------------------------------------------------------------------ the widget and the console
//
// These follow the data-testid contract listed in docs/testing.md. The
// widget lives in an open shadow root; Playwright's CSS and test-id
// locators pierce open shadow roots, so page.getByTestId() finds it.

/** Opens the widget's panel with the launcher (no-op when already open). */
export async function openWidget(page) {
  const launcher = await visible(page.getByTestId("tandem-launcher"), "the Tandem launcher");
  const input = page.getByTestId("tandem-chat-input");
  if (!(await input.first().isVisible().catch(() => false))) await launcher.click();
  await visible(input, "the widget's chat input");
}

/**
 * Picks the first real topic in the `tandem-topic` <select>.
 * Returns {value, label} (agents may see either), or null without a menu.
 */
export async function pickTopic(page) {
  const topic = page.getByTestId("tandem-topic");
  if (!(await topic.first().isVisible().catch(() => false))) return null;
  const option = await topic.first().evaluate((el) => {
    const o = [...el.options].find((o) => o.value);
    return o ? { value: o.value, label: o.textContent.trim() } : null;
  });
  if (option) await topic.first().selectOption(option.value);
  return option;
}

/** The widget's status banner (connection lost, refused, errors). */
export const widgetBanner = (page) => page.getByTestId("tandem-banner");

/** Logs an agent into the console at `${server}/agent`. */
export async function consoleLogin(page, server, email, password) {
  await page.goto(`${server}/agent`);
  await (await visible(page.getByTestId("login-email"), "the console's login form")).fill(email);
  await page.getByTestId("login-password").fill(password);
  await page.getByTestId("login-submit").click();
}

/**
 * Clicks the presence toggle until it says online. Each click is given time
 * to be confirmed by the server before the next: a second click would toggle
 * back.
 */
export async function goOnline(page) {
  const toggle = await visible(page.getByTestId("presence-toggle"), "the presence toggle");
  const online = async () => (await toggle.getAttribute("data-presence")) === "online";
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await online()) return;
    await toggle.click();
    try {
      await waitUntil("presence to be online", online, 5000);
      return;
    } catch {
      // not confirmed yet: look again, click again if still not online
    }
  }
  throw new Error(`the presence toggle never said online (data-presence=${await toggle.getAttribute("data-presence")})`);
}
