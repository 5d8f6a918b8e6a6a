// Helpers for the console-side co-browse tests (the agent's mirror):
// a visitor and an agent in a chat through the real widget and console,
// starting to share, one DOM normaliser run in both the visitor's page and
// the console's mirror, and a scripted visitor over a bare WebSocket that
// sends page frames built here (for what a real widget would never send).

import { assertAccessible } from "./a11y.mjs";
import path from "node:path";

import WebSocket from "ws";

import { TIMEOUT, consoleLogin, goOnline, openWidget, tag, visible, waitUntil } from "./harness.mjs";

export const AGENT = { email: "ana@northwind.test", name: "Ana Outfitter", password: "correct horse battery staple" };

// ------------------------------------------------------------------ a chat through the real widget and console

/**
 * A visitor on `path` of the demo site asks for help; the agent signs in to
 * the console, goes online and accepts. Returns {visitor, agent, session,
 * visitorCtx, agentCtx}.
 */
export async function startChat({ server, browser, artifacts }, path, { visitorViewport = { width: 1280, height: 800 } } = {}) {
  const t = tag();
  const visitorCtx = await browser.newContext({ viewport: visitorViewport });
  const agentCtx = await browser.newContext({ viewport: { width: 1600, height: 940 } });
  const visitor = artifacts.watch(await visitorCtx.newPage(), "visitor");
  const agent = artifacts.watch(await agentCtx.newPage(), "agent");
  await visitor.goto(`${server.demo}${path}`);
  await openWidget(visitor);
  await visitor.getByTestId("tandem-chat-input").fill(`Could you look at my screen? (${t})`);
  await visitor.getByTestId("tandem-request").click();
  await consoleLogin(agent, server.server, AGENT.email, AGENT.password);
  await goOnline(agent);
  const item = await visible(agent.getByTestId("queue-item").filter({ hasText: t }), "the request in the queue");
  const session = await item.getAttribute("data-session");
  await item.getByTestId("queue-accept").click();
  await visible(agent.locator(`[data-testid="chat"][data-session="${session}"]`), "the accepted chat");
  await visible(visitor.locator('[data-testid="tandem-message"][data-kind="agent_joined"]'), "the agent joining in the widget");
  return { visitor, agent, session, visitorCtx, agentCtx };
}

/** The agent asks to see the screen, the visitor allows, the mirror goes live. */
export async function startSharing(visitor, agent, session) {
  await (await visible(agent.getByTestId("cobrowse-request"), "the See screen button")).click();
  await visible(agent.locator('[data-testid="cobrowse-state"][data-state="requested"]'), "the waiting state in the console");
  await (await visible(visitor.getByTestId("tandem-share-allow"), "the visitor's Allow button")).click();
  await waitForLive(agent, session);
}

/** The mirror of `session` in the console shows a page. */
export async function waitForLive(agent, session, what = "the mirror to be live") {
  await visible(agent.locator(`.mirror-stage[data-session="${session}"][data-status="live"]`), what);
}

/** Where the centre of `selector` (in the mirrored page) is on the console's screen. */
export async function mirrorPoint(agent, session, selector) {
  return mirrorFrame(agent, session).evaluate((f, sel) => {
    const el = f.contentDocument.querySelector(sel);
    if (!el) throw new Error(`no ${sel} in the mirror`);
    const r = el.getBoundingClientRect();
    const box = f.getBoundingClientRect();
    const s = box.width / f.offsetWidth;
    return { x: box.left + (r.left + r.width / 2) * s, y: box.top + (r.top + r.height / 2) * s };
  }, selector);
}

export const mirrorFrame = (agent, session) => agent.locator(`[data-testid="mirror-frame"][data-session="${session}"]`);

/**
 * A screenshot like Artifacts.shot, but with the caret left alone: to hide
 * it Playwright sets and clears an inline style on every input, leaving
 * style="" behind in the mirror's DOM (and in the visitor's), which would
 * then differ from the other side.
 */
export async function shot(artifacts, page, name) {
  artifacts.shots += 1;
  const file = path.join(artifacts.dir, `${String(artifacts.shots).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, caret: "initial" }).catch(() => {});
  await assertAccessible(page, name);
}

// ------------------------------------------------------------------ comparing the two DOMs

/**
 * Normalises a document into text lines, one node per line, indented. Runs
 * inside a page (passed to page.evaluate as is, so it must be self-contained):
 * `where` is "visitor" (this page's document) or "mirror" (the console's
 * mirror frame for `session`).
 *
 * Kept: elements (tag, attributes sorted), non-blank text, open shadow
 * roots, same-origin frame documents, form state (value, checked, selected),
 * scroll offsets, the document's scroll, and the computed colour, weight and
 * display of elements marked `data-probe`.
 * Left out: the widget's own host; scripts (the mirror keeps them only as
 * inert placeholders) and the contents of script/style/noscript, which the
 * widget never sends; comments; whitespace-only text; attributes the mirror
 * must change: event handlers, `http-equiv`, `autofocus`, a frame's
 * `src`/`srcdoc`/`sandbox`, a link's `href`. Style attributes are compared
 * as the browser reads them (the mirror sets them through the CSSOM), URL
 * attributes resolved (the widget makes them absolute).
 */
export function normaliseDom({ where, session }) {
  const URL_ATTRS = new Set(["src", "href", "xlink:href", "poster", "action", "formaction", "data", "background"]);
  let doc;
  if (where === "mirror") {
    const frame = document.querySelector(`[data-testid="mirror-frame"][data-session="${session}"]`);
    doc = frame && frame.contentDocument;
    if (!doc || !doc.documentElement) return "(no mirror)";
  } else {
    doc = document;
  }
  const base = where === "visitor" ? doc.baseURI : "http://mirror.invalid/";
  const lines = [];
  const abs = (v) => {
    const t = v.trim();
    if (!t || t.startsWith("#") || /^[a-z][a-z0-9+.-]*:/i.test(t)) return t;
    try {
      return new URL(t, base).href;
    } catch {
      return t;
    }
  };
  const canonicalStyle = (d, v) => {
    const probe = d.createElement("div");
    probe.style.cssText = v;
    return probe.style.cssText;
  };
  const skipAttr = (tag, name) =>
    name.startsWith("on") ||
    name === "http-equiv" ||
    name === "autofocus" ||
    (["iframe", "frame"].includes(tag) && ["src", "srcdoc", "sandbox"].includes(name)) ||
    (tag === "link" && name === "href");
  const isScript = (el) =>
    el.localName === "script" || (el.localName === "tandem-inert" && el.getAttribute("data-tandem-was") === "script");
  const walk = (node, depth) => {
    const pad = "  ".repeat(depth);
    if (node.nodeType === 3) {
      if (node.data.trim()) lines.push(`${pad}"${node.data}"`);
      return;
    }
    if (node.nodeType !== 1) return;
    const el = node;
    if (el.id === "tandem-widget-root" || isScript(el)) return;
    const tag = el.localName;
    const d = el.ownerDocument;
    const attrs = [];
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (skipAttr(tag, name)) continue;
      let v = a.value;
      if (name === "style") v = canonicalStyle(d, v);
      else if (URL_ATTRS.has(name)) v = abs(v);
      attrs.push(`${name}=${JSON.stringify(v)}`);
    }
    attrs.sort();
    const state = [];
    if (tag === "input") {
      const type = (el.getAttribute("type") || "text").toLowerCase();
      if (type === "checkbox" || type === "radio") state.push(`checked=${el.checked}`);
      else if (type !== "file") state.push(`value=${JSON.stringify(el.value)}`);
    } else if (tag === "textarea" || tag === "select") {
      state.push(`value=${JSON.stringify(el.value)}`);
    } else if (tag === "option") {
      state.push(`selected=${el.selected}`);
    }
    if (el.scrollTop || el.scrollLeft) {
      if (tag !== "html" && tag !== "body") state.push(`scroll=${Math.round(el.scrollLeft)},${Math.round(el.scrollTop)}`);
    }
    if (el.hasAttribute("data-probe")) {
      const cs = d.defaultView.getComputedStyle(el);
      state.push(`style{color:${cs.color};background:${cs.backgroundColor};weight:${cs.fontWeight};display:${cs.display}}`);
    }
    lines.push(`${pad}<${tag}${attrs.length ? " " + attrs.join(" ") : ""}>${state.length ? " [" + state.join(" ") + "]" : ""}`);
    if (el.shadowRoot) {
      lines.push(`${pad}  #shadow-root`);
      for (const c of el.shadowRoot.childNodes) walk(c, depth + 2);
    }
    if ((tag === "iframe" || tag === "frame") && el.contentDocument && el.contentDocument.documentElement) {
      lines.push(`${pad}  #document`);
      walk(el.contentDocument.documentElement, depth + 2);
    }
    if (["script", "style", "noscript", "template"].includes(tag)) return;
    for (const c of el.childNodes) walk(c, depth + 1);
  };
  const se = doc.scrollingElement || doc.documentElement;
  lines.push(`#document scroll=${Math.round(se.scrollLeft)},${Math.round(se.scrollTop)}`);
  walk(doc.documentElement, 0);
  return lines.join("\n");
}

/** The visitor's page and the console's mirror, normalised. */
export async function bothSides(visitor, agent, session) {
  const [page, mirror] = await Promise.all([
    visitor.evaluate(normaliseDom, { where: "visitor" }),
    agent.evaluate(normaliseDom, { where: "mirror", session }),
  ]);
  return { page, mirror };
}

/**
 * Waits until the mirror, normalised, equals the visitor's page; on timeout
 * fails with the first lines that differ.
 */
export async function expectMirrorEquals(visitor, agent, session, step, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await bothSides(visitor, agent, session);
    if (last.page === last.mirror) return last.page;
    if (Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  const a = last.page.split("\n");
  const b = last.mirror.split("\n");
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const around = (lines) => lines.slice(Math.max(0, i - 3), i + 6).join("\n");
  throw new Error(
    `after "${step}" the mirror differs from the visitor's page at line ${i + 1}:\n--- visitor ---\n${around(a)}\n--- mirror ---\n${around(b)}`,
  );
}

// ------------------------------------------------------------------ what the visitor's page sends

/**
 * Every WebSocket frame `page` sends from now on, read through CDP
 * (Network.webSocketFrameSent): {at, binary, kind, type} where kind is a
 * page frame's kind byte (1 keyframe, 2 delta) and type a JSON frame's type.
 */
export async function recordSentFrames(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const sent = [];
  cdp.on("Network.webSocketFrameSent", (e) => {
    const r = e.response;
    if (r.opcode === 2) {
      const bytes = Buffer.from(r.payloadData, "base64");
      sent.push({ at: Date.now(), binary: true, kind: bytes[1] });
    } else {
      let type = null;
      try {
        type = JSON.parse(r.payloadData).type;
      } catch {}
      sent.push({ at: Date.now(), binary: false, kind: null, type });
    }
  });
  return sent;
}

export const keyframesIn = (sent) => sent.filter((f) => f.binary && f.kind === 1).length;

// ------------------------------------------------------------------ page frames built by hand

/** A binary co-browse frame (protocol/src/cobrowse.rs): header then JSON body. */
export function encodePageFrame(kind, session, epoch, seq, body) {
  const id = Buffer.from(session, "ascii");
  const head = Buffer.alloc(3 + id.length + 8);
  head[0] = 1;
  head[1] = kind === "keyframe" ? 1 : 2;
  head[2] = id.length;
  id.copy(head, 3);
  head.writeUInt32LE(epoch, 3 + id.length);
  head.writeUInt32LE(seq, 7 + id.length);
  return Buffer.concat([head, Buffer.from(JSON.stringify(body), "utf8")]);
}

/** Page-model helpers: an element and a text node. */
export const el = (i, t, a = {}, c = [], extra = {}) => ({ i, k: "e", t, a: Object.entries(a), c, ...extra });
export const txt = (i, x) => ({ i, k: "t", x });

/**
 * A visitor that is only a WebSocket: it speaks the protocol by hand and
 * sends whatever page frames a test builds, as a modified widget could.
 */
export class ScriptedVisitor {
  static async connect(server, demoOrigin) {
    const ws = new WebSocket(`${server.replace(/^http/, "ws")}/ws/visitor?site=demo`, { origin: demoOrigin });
    const v = new ScriptedVisitor(ws);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    v.send({ type: "hello", page: { url: `${demoOrigin}/lab/scripted`, title: "Scripted visitor" } });
    await v.next((f) => f.type === "welcome", "the visitor's welcome");
    return v;
  }

  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.waiters = [];
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      const f = JSON.parse(String(data));
      this.frames.push(f);
      for (const w of [...this.waiters]) {
        if (w.pred(f)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(f);
        }
      }
    });
  }

  send(frame) {
    this.ws.send(JSON.stringify({ v: 1, ...frame }));
  }

  sendPage(kind, epoch, seq, body) {
    this.ws.send(encodePageFrame(kind, this.session, epoch, seq, body));
  }

  next(pred, what, timeout = TIMEOUT) {
    const have = this.frames.find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error(`scripted visitor: timed out waiting for ${what} (frames: ${this.frames.map((f) => f.type).join(", ")})`));
        }
      }, timeout);
    });
  }

  /** Asks for help; resolves with the session id. */
  async ask(message) {
    this.send({ type: "help.request", message, client_id: `c${tag()}` });
    const f = await this.next((f) => f.type === "session", "the visitor's session");
    this.session = f.session.id;
    return this.session;
  }

  /** Count of frames of `type` received so far. */
  count(type) {
    return this.frames.filter((f) => f.type === type).length;
  }

  close() {
    this.ws.close();
  }
}

/**
 * A scripted visitor asks for help, the console accepts and asks to see the
 * screen, the visitor allows. Returns {visitor, session}. The console
 * (`agent`, signed in and online) shows "Loading" until a keyframe comes.
 */
export async function scriptedSharing(server, agent, message) {
  const visitor = await ScriptedVisitor.connect(server.server, server.demo);
  const session = await visitor.ask(message);
  const item = await visible(agent.locator(`[data-testid="queue-item"][data-session="${session}"]`), "the scripted request in the queue");
  await item.getByTestId("queue-accept").click();
  await visible(agent.locator(`[data-testid="chat"][data-session="${session}"]`), "the scripted chat");
  await (await visible(agent.getByTestId("cobrowse-request"), "the See screen button")).click();
  await visitor.next((f) => f.type === "cobrowse" && f.state === "requested", "the share request");
  visitor.send({ type: "cobrowse.start", session });
  await visitor.next((f) => f.type === "cobrowse" && f.state === "active", "sharing to be active");
  return { visitor, session };
}

export { waitUntil };
