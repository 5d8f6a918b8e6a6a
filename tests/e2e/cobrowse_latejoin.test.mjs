// Late join in real Chromium (the server replays its page log, docs/protocol.md): an agent tab opened
// after sharing started, and after the page changed, shows the current page
// at once from the server's keyframe + delta log, without the visitor's
// page sending a new keyframe. The visitor's outgoing frames are read
// through CDP (Network.webSocketFrameSent); a page frame's second byte is
// its kind (1 keyframe, 2 delta).
//
// Screenshots land in tests/e2e/artifacts/cobrowse_latejoin/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { withStack } from "./harness.mjs";
import {
  AGENT,
  expectMirrorEquals,
  keyframesIn,
  recordSentFrames,
  startChat,
  startSharing,
  shot,
  waitForLive,
} from "./mirror_support.mjs";

test("co-browse late join: a second agent tab catches up from the server's log", { timeout: 240_000 }, async () => {
  await withStack("cobrowse_latejoin", { agents: [AGENT] }, async (stack) => {
    const { browser, server, artifacts } = stack;
    const { visitor, agent, session, visitorCtx, agentCtx } = await startChat(stack, "/lab/fidelity.html");
    const sent = await recordSentFrames(visitor);
    await startSharing(visitor, agent, session);
    await expectMirrorEquals(visitor, agent, session, "sharing started");

    // The page changes while only the first tab watches: these reach the
    // server's log as deltas after the keyframe.
    await visitor.evaluate(() => lab.insertItem());
    await visitor.evaluate(() => lab.editText());
    await visitor.evaluate(() => lab.changeAttributes());
    await visitor.locator("#name").fill("Late Joiner");
    await visitor.locator("#gift").check();
    await visitor.evaluate(() => lab.scrollBox());
    await expectMirrorEquals(visitor, agent, session, "the changes, in the first tab");
    const keyframesBefore = keyframesIn(sent);
    assert.ok(keyframesBefore >= 1, "the visitor sent the keyframe that started sharing");
    assert.ok(sent.some((f) => f.binary && f.kind === 2), "and deltas after it");

    // A second tab of the same agent (its own browser context, the same
    // sign-in cookie) opens the console now.
    const joinedAt = Date.now();
    const lateCtx = await browser.newContext({
      viewport: { width: 1600, height: 940 },
      storageState: await agentCtx.storageState(),
    });
    const late = artifacts.watch(await lateCtx.newPage(), "agent-late");
    await late.goto(`${server.server}/agent`);
    await waitForLive(late, session, "the late tab's mirror to be live");
    await expectMirrorEquals(visitor, late, session, "the late tab's first look");
    await shot(artifacts, late, "late-tab");
    // Give a keyframe request, had there been one, time to be answered.
    await late.waitForTimeout(1500);
    assert.equal(keyframesIn(sent), keyframesBefore, "the visitor's page sent no keyframe for the late tab");
    assert.ok(!sent.some((f) => f.binary && f.kind === 1 && f.at >= joinedAt), "no keyframe after the join");

    // From then on both tabs follow live changes.
    await visitor.evaluate(() => lab.removeItem());
    await visitor.evaluate(() => lab.changeShadow());
    await expectMirrorEquals(visitor, late, session, "a change after the join, in the late tab");
    await expectMirrorEquals(visitor, agent, session, "a change after the join, in the first tab");

    // A reloaded console catches up the same way.
    await agent.reload();
    await waitForLive(agent, session, "the reloaded tab's mirror to be live");
    await expectMirrorEquals(visitor, agent, session, "the reloaded tab");
    await late.waitForTimeout(1000);
    assert.equal(keyframesIn(sent), keyframesBefore, "no keyframe for a reloaded console either");
    await shot(artifacts, agent, "reloaded-tab");

    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors");
    await lateCtx.close();
    await visitorCtx.close();
    await agentCtx.close();
  });
});
