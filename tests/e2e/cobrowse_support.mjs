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
 * format, kind (1 keyframe, 2 delta), session id, epoch, seq, JSON body.
 */
export function decodePageFrame(buf) {
  const b = Buffer.from(buf);
  if (b[0] !== 1) throw new Error(`page frame format ${b[0]}`);
  const kind = b[1] === 1 ? "keyframe" : b[1] === 2 ? "delta" : `kind${b[1]}`;
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

  /** The next page frame matching `pred` received after this call. */
  nextPage(pred, what, timeout = TIMEOUT) {
    const from = this.pages.length;
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
