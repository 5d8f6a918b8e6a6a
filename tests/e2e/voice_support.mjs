// Helpers for the voice-call tests and the call set-up benchmark: a test-only
// hook on RTCPeerConnection (installed with addInitScript before the widget
// or the console load, so the product ships no test code), audio statistics
// from getStats(), and the steps to a visitor and an agent in one chat.

import { consoleLogin, goOnline, openWidget, visible } from "./harness.mjs";

/**
 * Runs in the page before its scripts. Every RTCPeerConnection the page makes
 * is kept in `window.__tandemPeers`. `relay` forces iceTransportPolicy
 * "relay" (only TURN paths); `badTurn` spoils every TURN password, as a
 * misconfigured server would. `window.__tandemCollisions` counts offers the
 * page accepted while it had its own offer out (the polite side's rollback).
 */
export function peerHook({ relay = false, badTurn = false } = {}) {
  const Native = window.RTCPeerConnection;
  const adjust = (config) => {
    const c = { ...(config || {}) };
    if (relay) c.iceTransportPolicy = "relay";
    if (badTurn) c.iceServers = (c.iceServers || []).map((s) => (s.credential ? { ...s, credential: s.credential + "x" } : s));
    return c;
  };
  window.__tandemPeers = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config, ...rest) {
      super(adjust(config), ...rest);
      window.__tandemPeers.push(this);
    }
    setConfiguration(config) {
      return super.setConfiguration(adjust(config));
    }
    // Counts offers that arrive while this side has its own offer out: a
    // collision that perfect negotiation has to settle.
    setRemoteDescription(description, ...rest) {
      if (description?.type === "offer" && this.signalingState === "have-local-offer") window.__tandemCollisions++;
      return super.setRemoteDescription(description, ...rest);
    }
  };
  window.__tandemCollisions = 0;
  // `__tandemHold(true)` keeps incoming WebSocket messages back (in order)
  // until `__tandemHold(false)`, so a test can make both sides' offers cross.
  const NativeSocket = window.WebSocket;
  let holding = false;
  const held = [];
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      // Registered before the page's own listeners, so it can stop them.
      this.addEventListener("message", (e) => {
        if (holding && !e.__released) {
          e.stopImmediatePropagation();
          held.push([this, e.data]);
        }
      });
    }
  };
  window.__tandemHold = (on) => {
    holding = on;
    if (!on) {
      for (const [socket, data] of held.splice(0)) {
        const e = new MessageEvent("message", { data });
        e.__released = true;
        socket.dispatchEvent(e);
      }
    }
  };
}

/**
 * The newest peer connection of the page: its states, audio packets in and
 * out, and the candidate types of the selected pair.
 */
export function audioStats(page) {
  return page.evaluate(async () => {
    const pc = (window.__tandemPeers || []).at(-1);
    if (!pc) return null;
    const out = {
      peers: window.__tandemPeers.length,
      connection: pc.connectionState,
      ice: pc.iceConnectionState,
      signaling: pc.signalingState,
      received: 0,
      sent: 0,
      local: null,
      remote: null,
    };
    if (pc.signalingState === "closed") return out;
    const report = await pc.getStats();
    let pair = null;
    report.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "audio") out.received += s.packetsReceived || 0;
      if (s.type === "outbound-rtp" && s.kind === "audio") out.sent += s.packetsSent || 0;
      if (s.type === "transport" && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    if (pair) {
      out.local = report.get(pair.localCandidateId)?.candidateType ?? null;
      out.remote = report.get(pair.remoteCandidateId)?.candidateType ?? null;
    }
    return out;
  });
}

/**
 * A visitor on the demo shop asks for help and `agent` (logged in as
 * `account`) accepts it in the console. Both pages end on the open chat.
 */
export async function chatting(server, visitor, agentPage, account, text) {
  await visitor.goto(`${server.demo}/index.html`);
  await openWidget(visitor);
  await visitor.getByTestId("tandem-chat-input").fill(text);
  await visitor.getByTestId("tandem-request").click();
  await visible(visitor.getByTestId("tandem-queue-status"), "the visitor's queue status");
  await consoleLogin(agentPage, server.server, account.email, account.password);
  await goOnline(agentPage);
  const item = await visible(agentPage.getByTestId("queue-item").filter({ hasText: text }), "the request in the queue");
  await item.getByTestId("queue-accept").click();
  await visible(agentPage.getByTestId("call-start"), "the console's Call button");
  await visible(visitor.getByTestId("tandem-end"), "the widget's active chat");
}
