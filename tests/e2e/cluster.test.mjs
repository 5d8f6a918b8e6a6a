// A cluster in real Chromium: two `tandem` nodes on Postgres and Redis behind
// HAProxy (cluster_support.mjs), the widget's socket on node A and the
// console on node B. Sharing, the mirror and a form push cross the nodes;
// then node A — the widget's node, and the core, since it started first —
// is killed with SIGKILL mid-share: the widget reconnects through the
// balancer to B, which takes the core over, and the mirror comes back
// without the visitor being asked again.
//
// Screenshots land in tests/e2e/artifacts/cluster/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Artifacts, launchBrowser, visible, waitUntil } from "./harness.mjs";
import { AgentSocket, agentToken } from "./cobrowse_support.mjs";
import { AGENT, expectMirrorEquals, shot, startChat, startSharing, waitForLive } from "./mirror_support.mjs";
import { startCluster } from "./cluster_support.mjs";

test("cluster: widget and console on different nodes; the widget's node dies mid-share and the mirror resumes without a new consent", { timeout: 240_000 }, async () => {
  const artifacts = new Artifacts("cluster");
  const server = await startCluster({ agents: [AGENT] });
  const browser = await launchBrowser();
  try {
    const stack = { server, browser, artifacts };
    const { visitor, agent, session, visitorCtx, agentCtx } = await startChat(stack, "/lab/fidelity.html");
    await startSharing(visitor, agent, session);
    await expectMirrorEquals(visitor, agent, session, "sharing across two nodes");
    await shot(artifacts, agent, "mirror-across-nodes");

    // A form push from a second socket of the agent's (through the
    // balancer, to node B), accepted in the widget on node A.
    const socket = await AgentSocket.connect(server.server, await agentToken(server.server, AGENT.email, AGENT.password));
    socket.send({ type: "form.fields.request", session });
    const listing = await socket.next((f) => f.type === "form.fields", "the form fields");
    const field = listing.fields.find((f) => f.name === "name");
    assert.ok(field, `a name field among ${listing.fields.map((f) => f.name).join(", ")}`);
    socket.send({ type: "form.push", session, url: listing.url, fields: [{ node: field.node, name: "name", value: "Ann Lee" }] });
    await (await visible(visitor.getByTestId("tandem-form-accept-all"), "the visitor's Accept all")).click();
    await waitUntil("the pushed value on the visitor's page", async () => (await visitor.locator('[name="name"]').inputValue()) === "Ann Lee");
    socket.close();

    // Node A dies: the widget's node, and the core.
    const killed = Date.now();
    await server.kill("a");
    await waitUntil("node b to take the core over", () => server.ready("b"), 15_000);
    // The widget comes back through the balancer and shares again by
    // itself (sharing is read back from the session's log): a fresh
    // keyframe reaches the console's mirror, which goes live again.
    await visitor.locator('[name="name"]').fill("Ann Lee-Smith");
    await waitForLive(agent, session, "the mirror to be live again after node A died");
    await expectMirrorEquals(visitor, agent, session, "the page after node A died");
    console.log(`mirror live again ${Date.now() - killed} ms after SIGKILL of the widget's node`);
    assert.equal(await visitor.getByTestId("tandem-share-allow").isVisible(), false, "the visitor was not asked again");
    await shot(artifacts, visitor, "visitor-after-failover");
    await shot(artifacts, agent, "mirror-after-failover");

    // The conversation goes on.
    await (await visible(agent.getByTestId("chat-input"), "the agent's composer")).fill("Still with you after the failover");
    await agent.getByTestId("chat-send").click();
    await visible(visitor.locator('[data-testid="tandem-message"]').filter({ hasText: "Still with you after the failover" }), "the agent's message in the widget");
    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors");
    await visitorCtx.close();
    await agentCtx.close();
  } catch (e) {
    for (const [label, page] of artifacts.pages) {
      if (!page.isClosed()) await artifacts.shot(page, `FAILED-${label}`, { check: false });
    }
    e.message += `\n--- cluster log (last lines) ---\n${server.tail(80)}\n(artifacts: ${artifacts.dir})`;
    throw e;
  } finally {
    artifacts.save(server);
    await browser.close().catch(() => {});
    await server.stop();
  }
});
