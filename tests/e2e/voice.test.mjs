// Voice calls in real Chromium with fake media devices: the agent calls from
// the console, the visitor accepts in the widget, and audio flows both ways
// (inbound RTP packets grow on both sides, read from getStats()); muting one
// side stops its audio; hanging up closes both peer connections and leaves
// the call in both transcripts. Also: a declined call, a call over the
// embedded TURN server only, both sides restarting ICE at once (colliding
// offers, settled by perfect negotiation; the call carries on), TURN
// credentials that do not work (both sides say so within seconds), and a
// call the visitor starts where the site allows it.
//
// Screenshots land in tests/e2e/artifacts/voice*/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { tag, visible, waitUntil, withStack } from "./harness.mjs";
import { audioStats, chatting, peerHook } from "./voice_support.mjs";

const AGENT = { email: "vera@northwind.test", name: "Vera Voice", password: "correct horse battery staple" };

const widgetBar = (page) => page.getByTestId("tandem-call-bar");
const consoleBar = (page) => page.getByTestId("call-bar");
const barState = (bar) => bar.first().getAttribute("data-state");

/** Two pages, each with the peer-connection hook, in their own contexts. */
async function pages(browser, artifacts, hook = {}) {
  const visitorCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const agentCtx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await visitorCtx.addInitScript(peerHook, hook);
  await agentCtx.addInitScript(peerHook, hook);
  const visitor = artifacts.watch(await visitorCtx.newPage(), "visitor");
  const agent = artifacts.watch(await agentCtx.newPage(), "agent");
  return { visitor, agent, close: () => Promise.all([visitorCtx.close(), agentCtx.close()]) };
}

/** Waits until `page`'s inbound audio packets pass `above`; returns the count. */
async function receiving(page, who, above = 0) {
  const s = await waitUntil(`${who} to receive audio packets (more than ${above})`, async () => {
    const s = await audioStats(page);
    return s && s.received > above ? s : null;
  });
  return s.received;
}

/** The agent calls and the visitor accepts; both bars end up connected. */
async function callAndAccept(visitor, agent, artifacts) {
  await agent.getByTestId("call-start").click();
  await visible(consoleBar(agent).and(agent.locator('[data-state="calling"]')), "the console's 'calling' bar");
  const prompt = await visible(visitor.getByTestId("tandem-call-prompt"), "the incoming-call prompt in the widget");
  assert.match(await prompt.textContent(), /microphone/i, "the prompt says the microphone will be used");
  await artifacts.shot(visitor, "widget-call-prompt");
  await visitor.getByTestId("tandem-call-accept").click();
  await waitUntil("both call bars to say connected", async () =>
    (await barState(widgetBar(visitor))) === "connected" && (await barState(consoleBar(agent))) === "connected");
}

test("voice: agent calls, visitor accepts, audio both ways, mute, hang up", { timeout: 240_000 }, async () => {
  await withStack("voice", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const { visitor, agent, close } = await pages(browser, artifacts);
    await chatting(server, visitor, agent, AGENT, `Can we talk? (${tag()})`);

    await callAndAccept(visitor, agent, artifacts);
    // Audio flows both ways, and keeps flowing.
    const atAgent = await receiving(agent, "the agent");
    const atVisitor = await receiving(visitor, "the visitor");
    await receiving(agent, "the agent", atAgent);
    await receiving(visitor, "the visitor", atVisitor);
    // The meters move (the fake microphone beeps) and the clock runs.
    for (const [page, level, who] of [
      [visitor, visitor.getByTestId("tandem-call-level"), "visitor"],
      [agent, agent.getByTestId("call-level"), "agent"],
    ]) {
      await waitUntil(`the ${who}'s microphone meter to move`, async () =>
        Number(await level.first().evaluate((el) => el.style.getPropertyValue("--level") || "0")) > 0);
      await waitUntil(`the ${who}'s call clock to run`, async () =>
        /^\d+:\d\d$/.test((await page.getByTestId(page === agent ? "call-duration" : "tandem-call-duration").first().textContent()).trim()));
    }
    await visitor.waitForTimeout(1200);
    await artifacts.shot(visitor, "widget-call-bar");
    await artifacts.shot(agent, "console-call-bar");

    // The visitor mutes: nothing more reaches the agent, and the agent is told.
    await visitor.getByTestId("tandem-call-mute").click();
    await visible(agent.getByText("The visitor muted their microphone"), "the visitor's mute in the console");
    const settle = async (page) => {
      // Packets already on the way may still land: wait until the count holds.
      let last = -1;
      return waitUntil("the inbound count to stop moving", async () => {
        const now = (await audioStats(page)).received;
        const held = now === last;
        last = now;
        await page.waitForTimeout(700);
        return held ? now : null;
      });
    };
    const frozen = await settle(agent);
    await agent.waitForTimeout(1500);
    assert.equal((await audioStats(agent)).received, frozen, "no audio reaches the agent while the visitor is muted");
    const sent = (await audioStats(visitor)).sent;
    await visitor.waitForTimeout(1000);
    assert.equal((await audioStats(visitor)).sent, sent, "the muted visitor sends no audio packets");
    assert.equal(await visitor.getByTestId("tandem-call-mute").first().getAttribute("aria-pressed"), "true");
    await artifacts.shot(visitor, "widget-call-muted");
    // The agent's own audio still reaches the visitor.
    await receiving(visitor, "the visitor while muted", (await audioStats(visitor)).received);
    await visitor.getByTestId("tandem-call-mute").click();
    await receiving(agent, "the agent after the unmute", frozen);

    // The agent hangs up: both peer connections close, both bars say so.
    await agent.getByTestId("call-hangup").click();
    for (const [page, bar, who] of [[visitor, widgetBar(visitor), "widget"], [agent, consoleBar(agent), "console"]]) {
      await waitUntil(`the ${who}'s bar to say the call ended`, async () => (await barState(bar)) === "ended");
      await waitUntil(`the ${who}'s peer connection to close`, async () => (await audioStats(page)).signaling === "closed");
    }
    assert.match(await widgetBar(visitor).first().textContent(), /Call ended · \d+:\d\d/);
    assert.match(await consoleBar(agent).first().textContent(), /Call ended — \d+:\d\d/);
    await artifacts.shot(visitor, "widget-call-ended");
    // The transcript on both sides: who started it, and how long it lasted.
    await visible(
      visitor.locator('[data-testid="tandem-message"][data-kind="call"][data-action="started"]', { hasText: "started a call" }),
      "the call's start in the widget's transcript",
    );
    await visible(
      visitor.locator('[data-testid="tandem-message"][data-kind="call"][data-action="ended"]', { hasText: /Call ended · \d+:\d\d/ }),
      "the call's end with its duration in the widget's transcript",
    );
    await visible(agent.locator('[data-testid="message"][data-author="system"]', { hasText: "Call started by the agent" }), "the call's start in the console");
    await visible(agent.locator('[data-testid="message"][data-author="system"]', { hasText: /Call ended — \d+:\d\d/ }), "the call's end in the console");
    // The UI is back to idle: a new call can be started.
    await waitUntil("the Call button to be enabled again", async () => await agent.getByTestId("call-start").first().isEnabled());
    await artifacts.shot(agent, "console-after-call");

    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors in the widget or the console");
    await close();
  });
});

test("voice: the visitor declines and the agent sees it", { timeout: 180_000 }, async () => {
  await withStack("voice_declined", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const { visitor, agent, close } = await pages(browser, artifacts);
    await chatting(server, visitor, agent, AGENT, `No call please (${tag()})`);
    await agent.getByTestId("call-start").click();
    await visible(visitor.getByTestId("tandem-call-prompt"), "the incoming-call prompt");
    await visitor.getByTestId("tandem-call-decline").click();
    await waitUntil("the console's bar to say declined", async () =>
      (await consoleBar(agent).first().getAttribute("data-reason")) === "declined");
    assert.match(await consoleBar(agent).first().textContent(), /visitor declined/);
    await visible(agent.locator('[data-testid="message"][data-author="system"]', { hasText: "Call declined by the visitor" }), "the decline in the console's transcript");
    await waitUntil("the widget's prompt to go", async () => !(await visitor.getByTestId("tandem-call-prompt").first().isVisible()));
    assert.equal(await visitor.evaluate(() => window.__tandemPeers.length), 0, "no peer connection for a declined call");
    assert.equal(await agent.evaluate(() => window.__tandemPeers.length), 0, "none on the agent's side either");
    await artifacts.shot(agent, "console-declined");
    assert.deepEqual(artifacts.pageErrors, []);
    await close();
  });
});

test("voice: relayed through the embedded TURN server only", { timeout: 180_000 }, async () => {
  await withStack("voice_relay", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const { visitor, agent, close } = await pages(browser, artifacts, { relay: true });
    await chatting(server, visitor, agent, AGENT, `Call over TURN (${tag()})`);
    await callAndAccept(visitor, agent, artifacts);
    const atAgent = await receiving(agent, "the agent");
    const atVisitor = await receiving(visitor, "the visitor");
    await receiving(agent, "the agent", atAgent);
    await receiving(visitor, "the visitor", atVisitor);
    for (const page of [visitor, agent]) {
      const s = await audioStats(page);
      assert.equal(s.local, "relay", `the selected path is relayed: ${JSON.stringify(s)}`);
    }
    await visitor.getByTestId("tandem-call-hangup").click();
    await waitUntil("the console's bar to say the call ended", async () => (await barState(consoleBar(agent))) === "ended");
    assert.deepEqual(artifacts.pageErrors, []);
    await close();
  });
});

/** The ICE username fragment of `page`'s newest peer's current remote description. */
const remoteUfrag = (page) =>
  page.evaluate(() => {
    const pc = (window.__tandemPeers || []).at(-1);
    return pc?.currentRemoteDescription?.sdp.match(/a=ice-ufrag:(\S+)/)?.[1] ?? null;
  });

test("voice: both sides restart ICE at once (offers collide) and the call carries on", { timeout: 180_000 }, async () => {
  await withStack("voice_restart", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const { visitor, agent, close } = await pages(browser, artifacts);
    await chatting(server, visitor, agent, AGENT, `Call that moves networks (${tag()})`);
    await callAndAccept(visitor, agent, artifacts);
    await receiving(agent, "the agent");
    await receiving(visitor, "the visitor");
    const before = { agent: await remoteUfrag(agent), visitor: await remoteUfrag(visitor) };
    assert.ok(before.agent && before.visitor, `both sides have ICE credentials: ${JSON.stringify(before)}`);
    // What a network change makes both browsers do: restart ICE. Both at once,
    // with incoming messages held until both have their offer out, so the
    // offers cross and perfect negotiation must settle the collision (the
    // visitor, polite, rolls back and answers; the agent ignores its offer).
    for (const page of [visitor, agent]) await page.evaluate(() => window.__tandemHold(true));
    for (const page of [visitor, agent]) await page.evaluate(() => window.__tandemPeers.at(-1).restartIce());
    for (const page of [visitor, agent]) {
      await waitUntil("an ICE-restart offer out", async () => (await audioStats(page)).signaling === "have-local-offer");
    }
    for (const page of [visitor, agent]) await page.evaluate(() => window.__tandemHold(false));
    await waitUntil("new ICE credentials on both sides, signaling stable again", async () => {
      for (const [who, page] of [["agent", agent], ["visitor", visitor]]) {
        const ufrag = await remoteUfrag(page);
        const s = await audioStats(page);
        if (!ufrag || ufrag === before[who] || s.signaling !== "stable" || s.connection !== "connected") return false;
      }
      return true;
    });
    assert.equal(await visitor.evaluate(() => window.__tandemCollisions), 1, "the visitor took the agent's offer over its own");
    // Audio keeps flowing both ways over the restarted connection, on the same peers.
    const atAgent = (await audioStats(agent)).received;
    const atVisitor = (await audioStats(visitor)).received;
    await receiving(agent, "the agent after the restart", atAgent);
    await receiving(visitor, "the visitor after the restart", atVisitor);
    for (const page of [visitor, agent]) assert.equal((await audioStats(page)).peers, 1, "the same peer connection carried on");
    assert.equal(await barState(widgetBar(visitor)), "connected");
    assert.equal(await barState(consoleBar(agent)), "connected");
    await agent.getByTestId("call-hangup").click();
    await waitUntil("the widget's bar to say the call ended", async () => (await barState(widgetBar(visitor))) === "ended");
    assert.deepEqual(artifacts.pageErrors, []);
    await close();
  });
});

test("voice: TURN credentials that do not work end the call with a clear message", { timeout: 180_000 }, async () => {
  await withStack("voice_no_path", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const { visitor, agent, close } = await pages(browser, artifacts, { relay: true, badTurn: true });
    await chatting(server, visitor, agent, AGENT, `Blocked network (${tag()})`);
    await agent.getByTestId("call-start").click();
    await visible(visitor.getByTestId("tandem-call-prompt"), "the incoming-call prompt");
    await visitor.getByTestId("tandem-call-accept").click();
    // Within the harness's wait (15 s), never an endless "connecting".
    await waitUntil("the widget to say the call failed", async () => /couldn’t connect the call/.test(await widgetBar(visitor).first().textContent()));
    await waitUntil("the console to say the call failed", async () =>
      (await consoleBar(agent).first().getAttribute("data-reason")) === "failed");
    assert.match(await consoleBar(agent).first().textContent(), /no network path/);
    await visible(agent.locator('[data-testid="message"][data-author="system"]', { hasText: "Call failed: no network path" }), "the failure in the console's transcript");
    // Both sides ending the call at once is normal: no error notice for it.
    assert.equal(await agent.locator('[data-testid="toast"][data-code="no_call"]').count(), 0, "no 'no_call' toast");
    await artifacts.shot(visitor, "widget-call-failed");
    await artifacts.shot(agent, "console-call-failed");
    assert.deepEqual(artifacts.pageErrors, []);
    await close();
  });
});

/** Before the page's scripts: `Tandem.init` as the site would call it with `callButton: true`. */
function withCallButton() {
  const T = (window.Tandem = window.Tandem || { q: [] });
  T.q = T.q || [];
  T.init = function (options) {
    T.q.push(["init", Object.assign({}, options, { callButton: true })]);
  };
}

test("voice: the visitor calls where the site allows it and the agent answers", { timeout: 180_000 }, async () => {
  const sites = [{ id: "demo", voice: "both" }];
  await withStack("voice_visitor_calls", { agents: [AGENT], sites }, async ({ server, browser, artifacts }) => {
    const { visitor, agent, close } = await pages(browser, artifacts);
    await visitor.context().addInitScript(withCallButton);
    await chatting(server, visitor, agent, AGENT, `Can I call you? (${tag()})`);
    await (await visible(visitor.getByTestId("tandem-call-start"), "the widget's Call button")).click();
    await waitUntil("the widget to say it is calling", async () => (await barState(widgetBar(visitor))) === "calling");
    await visible(consoleBar(agent).and(agent.locator('[data-state="incoming"]')), "the incoming call in the console");
    await visible(agent.getByTestId("toast").filter({ hasText: "is calling you" }), "the console's notice of the call");
    await artifacts.shot(agent, "console-incoming-call");
    await agent.getByTestId("call-accept").click();
    await waitUntil("both call bars to say connected", async () =>
      (await barState(widgetBar(visitor))) === "connected" && (await barState(consoleBar(agent))) === "connected");
    await receiving(agent, "the agent");
    await receiving(visitor, "the visitor");
    await visible(agent.locator('[data-testid="message"][data-author="system"]', { hasText: "Call started by the visitor" }), "who started it, in the console");
    await visitor.getByTestId("tandem-call-hangup").click();
    await waitUntil("the console's bar to say the call ended", async () => (await barState(consoleBar(agent))) === "ended");
    await waitUntil("the agent's peer connection to close", async () => (await audioStats(agent)).signaling === "closed");
    assert.deepEqual(artifacts.pageErrors, []);
    await close();
  });
});

test("voice: where visitors may not call, the Call button goes away with a clear note", { timeout: 180_000 }, async () => {
  await withStack("voice_visitor_refused", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const { visitor, agent, close } = await pages(browser, artifacts);
    await visitor.context().addInitScript(withCallButton);
    await chatting(server, visitor, agent, AGENT, `Calls off here (${tag()})`);
    await (await visible(visitor.getByTestId("tandem-call-start"), "the widget's Call button")).click();
    await waitUntil("the widget to say calls are not available", async () =>
      /Voice calls aren’t available/.test(await visitor.getByTestId("tandem-banner").first().textContent()));
    await waitUntil("the Call button to go", async () => !(await visitor.getByTestId("tandem-call-start").first().isVisible()));
    assert.equal(await consoleBar(agent).first().isVisible(), false, "nothing rang in the console");
    await artifacts.shot(visitor, "widget-calls-refused");
    assert.deepEqual(artifacts.pageErrors, []);
    await close();
  });
});
