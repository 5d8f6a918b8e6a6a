// Helpers for the visitor-side co-browse tests: an agent driven over its
// WebSocket (so these tests do not depend on the console's mirror UI), the
// binary page-frame format, and every frame a page sends, read through CDP.

import WebSocket from "ws";

import { TIMEOUT } from "./harness.mjs";

/** Logs an agent in over REST and returns its bearer token. */
export async function agentToken(server, email, password) {
  const r = await fetch(`${server}/api/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (r.status !== 200) throw new Error(`login as ${email}: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()).token;
}

/**
 * Parses a binary co-browse frame (protocol/src/cobrowse.rs):
 * format, kind (1 keyframe, 2 delta, 3 pointer), session id, epoch, seq, JSON body.
 */
export function decodePageFrame(buf) {
  const b = Buffer.from(buf);
  if (b[0] !== 1) throw new Error(`page frame format ${b[0]}`);
  const kind = ["", "keyframe", "delta", "pointer"][b[1]] ?? `kind${b[1]}`;
  const len = b[2];
  const session = b.subarray(3, 3 + len).toString("ascii");
  const epoch = b.readUInt32LE(3 + len);
  const seq = b.readUInt32LE(7 + len);
  const body = JSON.parse(b.subarray(11 + len).toString("utf8"));
  return { kind, session, epoch, seq, body };
}

/** An agent's WebSocket: JSON frames in `frames`, decoded page frames in `pages`. */
export class AgentSocket {
  static async connect(server, token) {
    const ws = new WebSocket(`${server.replace(/^http/, "ws")}/ws/agent`);
    const a = new AgentSocket(ws);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    a.send({ type: "hello", token });
    await a.next((f) => f.type === "welcome", "the agent's welcome");
    return a;
  }

  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.pages = [];
    this.waiters = [];
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        const p = decodePageFrame(data);
        this.pages.push(p);
        this.wake({ page: p });
      } else {
        const f = JSON.parse(String(data));
        this.frames.push(f);
        this.wake(f);
      }
    });
  }

  send(frame) {
    this.ws.send(JSON.stringify({ v: 1, ...frame }));
  }

  wake(item) {
    for (const w of [...this.waiters]) {
      if (w.pred(item)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(item);
      }
    }
  }

  /** The first JSON frame (or `{page}` item) matching `pred`, already received or coming. */
  next(pred, what, timeout = TIMEOUT) {
    const have = [...this.frames, ...this.pages.map((p) => ({ page: p }))].find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          const types = this.frames.map((f) => f.type).join(", ");
          reject(new Error(`agent: timed out waiting for ${what} (frames so far: ${types}; page frames: ${this.pages.length})`));
        }
      }, timeout);
    });
  }

  /** How many page frames arrived so far: pass it to `pageSince` before acting. */
  mark() {
    return this.pages.length;
  }

  /** The first page frame matching `pred` among those received after `mark()` returned `from`. */
  pageSince(from, pred, what, timeout = TIMEOUT) {
    const fresh = (item) => item.page && this.pages.indexOf(item.page) >= from && pred(item.page);
    return this.next(fresh, what, timeout).then((x) => x.page);
  }

  /** Goes online and accepts the first waiting request whose message contains `text`. */
  async acceptRequest(text) {
    this.send({ type: "presence.set", presence: "online" });
    const queue = await this.next(
      (f) => f.type === "queue" && f.items.some((i) => i.first_message.includes(text)),
      `a queue item with "${text}"`,
    );
    const session = queue.items.find((i) => i.first_message.includes(text)).session;
    this.send({ type: "queue.accept", session });
    await this.next((f) => f.type === "session" && f.session.id === session && f.session.state === "active", "the accepted session");
    return session;
  }

  close() {
    this.ws.close();
  }
}

/** Every WebSocket frame `page` sends from now on, through CDP, as {binary, data: Buffer}. */
export async function recordSentFrames(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const sent = [];
  cdp.on("Network.webSocketFrameSent", (e) => {
    const r = e.response;
    const binary = r.opcode === 2;
    sent.push({ binary, data: binary ? Buffer.from(r.payloadData, "base64") : Buffer.from(r.payloadData, "utf8") });
  });
  return sent;
}

/** The forms a secret could take in a frame: as typed, JSON-escaped, URL-encoded. */
export function secretForms(secret) {
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])];
}

/** The first node in a keyframe's tree (children, shadow roots, iframe documents) matching `pred`. */
export function findNode(node, pred) {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop();
    if (pred(n)) return n;
    for (const k of [...(n.c || []), ...(n.s || [])]) stack.push(k);
    if (n.d) stack.push(n.d);
  }
  return null;
}

/** An element's attribute in the page model, or undefined. */
export const attrOf = (n, name) => (n.a || []).find(([k]) => k === name)?.[1];

/** The node carrying `id="…"` in a keyframe. */
export const byDomId = (keyframe, id) => findNode(keyframe.root, (n) => n.k === "e" && attrOf(n, "id") === id);

/**
 * The agent's view of the page, rebuilt from keyframes and deltas the way a
 * mirror would, but strict: every op must name nodes it has, deltas must
 * follow without gaps. `errors` lists what a mirror would have to resync for.
 */
export class PageModel {
  constructor() {
    this.nodes = new Map();
    this.errors = [];
    this.root = null;
    this.epoch = null;
    this.seq = 0;
    this.values = new Map();
    this.css = new Map();
  }

  apply(frame) {
    if (frame.kind === "pointer") {
      // The visitor's pointer alone, outside the sequence: no page state.
      const other = frame.body.ops.filter((op) => op.o !== "mouse" && op.o !== "click");
      if (other.length) this.errors.push(`pointer frame with ${JSON.stringify(other).slice(0, 200)}`);
      return;
    }
    if (frame.kind === "keyframe") {
      this.nodes = new Map();
      this.values = new Map();
      this.css = new Map();
      this.root = structuredClone(frame.body.root);
      this.index(this.root, null);
      this.epoch = frame.epoch;
      this.seq = 0;
      return;
    }
    if (frame.epoch !== this.epoch || frame.seq !== this.seq + 1) {
      this.errors.push(`delta ${frame.epoch}/${frame.seq} after ${this.epoch}/${this.seq}`);
    }
    this.seq = frame.seq;
    for (const op of frame.body.ops) this.op(op);
  }

  index(n, parent) {
    if (this.nodes.has(n.i)) this.errors.push(`node ${n.i} added twice`);
    this.nodes.set(n.i, { n, parent });
    if (n.css !== undefined) this.css.set(n.i, n.css);
    for (const c of n.c || []) this.index(c, n);
    for (const c of n.s || []) this.index(c, n);
    if (n.d) this.index(n.d, n);
  }

  unindex(n) {
    this.nodes.delete(n.i);
    for (const c of [...(n.c || []), ...(n.s || [])]) this.unindex(c);
    if (n.d) this.unindex(n.d);
  }

  need(i, op) {
    const e = this.nodes.get(i);
    if (!e) this.errors.push(`${op.o} names unknown node ${i}: ${JSON.stringify(op).slice(0, 200)}`);
    return e;
  }

  op(op) {
    switch (op.o) {
      case "add": {
        const p = this.need(op.p, op);
        if (!p) return;
        // `s`: into the parent's shadow root (its top level), else its children.
        const kids = op.s ? (p.n.s = p.n.s || []) : (p.n.c = p.n.c || []);
        let at = kids.length;
        if (op.b != null) {
          at = kids.findIndex((k) => k.i === op.b);
          if (at < 0) {
            this.errors.push(`add before ${op.b}, not a child of ${op.p}`);
            at = kids.length;
          }
        }
        const n = structuredClone(op.n);
        kids.splice(at, 0, n);
        this.index(n, p.n);
        break;
      }
      case "rm": {
        const e = this.need(op.i, op);
        if (!e) return;
        for (const list of [e.parent?.c, e.parent?.s]) {
          const k = list ? list.indexOf(e.n) : -1;
          if (k >= 0) list.splice(k, 1);
        }
        if (e.parent?.d === e.n) delete e.parent.d;
        this.unindex(e.n);
        break;
      }
      case "txt": {
        const e = this.need(op.i, op);
        if (e) e.n.x = op.x;
        break;
      }
      case "attr": {
        const e = this.need(op.i, op);
        if (!e) return;
        const a = (e.n.a = (e.n.a || []).filter(([k]) => k !== op.n));
        if (op.v != null) a.push([op.n, op.v]);
        break;
      }
      case "val":
      case "chk":
        if (this.need(op.i, op)) this.values.set(op.i, op.o === "val" ? op.v : op.c);
        break;
      case "css":
        if (this.need(op.i, op)) this.css.set(op.i, op.css);
        break;
      case "scroll":
      case "canvas":
      case "adopt":
        if (op.i !== 0) this.need(op.i, op);
        break;
      default:
        break;
    }
  }

  /** The element with DOM id `id`, normalised like `normaliseInPage`. */
  shape(id) {
    const n = [...this.nodes.values()].map((e) => e.n).find((n) => n.k === "e" && attrOf(n, "id") === id);
    return n ? normalise(n) : null;
  }
}

/** Tag, sorted attributes, children and shadow children, texts: what must match. */
function normalise(n) {
  if (n.k === "t") return n.x;
  const attrs = [...(n.a || [])].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
  const out = { t: n.t, a: attrs, c: (n.c || []).map(normalise) };
  if (n.s) out.s = n.s.map(normalise);
  return out;
}

/** The same shape computed from the live DOM in the page (skips comments, scripts' text, the widget). */
export function normaliseInPage(id) {
  const el = document.getElementById(id);
  if (!el) return null;
  const walk = (n) => {
    if (n.nodeType === 3) return n.data;
    const attrs = [...n.attributes].map((a) => [a.name, a.value]).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
    const kids = (parent) =>
      [...parent.childNodes].filter((c) => c.nodeType === 1 || c.nodeType === 3).map(walk);
    const out = { t: n.localName, a: attrs, c: n.localName === "style" || n.localName === "script" ? [] : kids(n) };
    if (n.shadowRoot) out.s = kids(n.shadowRoot);
    return out;
  };
  return walk(el);
}
