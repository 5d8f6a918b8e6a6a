// Wrap-up in the real console: an agent ends a chat, the wrap-up card takes
// a disposition and a note from the keyboard alone, the card then shows the
// chosen tag, the transcript has the wrap-up row, the server stored it (REST
// transcript), the team board counts it, and the visitor sees none of it.
//
// Screenshots land in tests/e2e/artifacts/wrapup/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { consoleLogin, goOnline, openWidget, pickTopic, tag, visible, waitUntil, withStack } from "./harness.mjs";

const AGENT = { email: "wren@northwind.test", name: "Wren Agent", password: "correct horse battery staple" };

test("wrap-up: the agent tags an ended chat from the keyboard", { timeout: 180_000 }, async () => {
  await withStack("wrapup", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const t = tag();
    const note = `Call back Monday about the refund (${t})`;
    const visitorCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const agentCtx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const visitor = artifacts.watch(await visitorCtx.newPage(), "visitor");
    const agent = artifacts.watch(await agentCtx.newPage(), "agent");

    // --- a visitor asks; the agent takes the chat, then ends it ----------------------
    await visitor.goto(`${server.demo}/index.html`);
    await openWidget(visitor);
    await pickTopic(visitor);
    await visitor.getByTestId("tandem-chat-input").fill(`Where is my refund? (${t})`);
    await visitor.getByTestId("tandem-request").click();
    await consoleLogin(agent, server.server, AGENT.email, AGENT.password);
    await goOnline(agent);
    const item = await visible(agent.getByTestId("queue-item").filter({ hasText: t }), "the request in the queue");
    await item.getByTestId("queue-accept").click();
    const chat = await visible(agent.getByTestId("chat"), "the chat pane");
    const session = await chat.getAttribute("data-session");
    await agent.getByTestId("end-session").first().click();

    // --- the wrap-up card replaces the composer ----------------------------------------
    const form = await visible(agent.getByTestId("wrapup"), "the wrap-up card");
    const tags = form.getByTestId("wrapup-tag");
    const offered = await tags.evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(offered, ["resolved", "follow_up", "escalated", "sale", "no_response", "spam"], "the server's list");
    assert.ok(await agent.getByTestId("wrapup-save").isDisabled(), "Save waits for a disposition");
    await artifacts.shot(agent, "wrapup-card");

    // Keyboard only: into the group, pick, move right, Tab to the note, Enter saves.
    await tags.first().focus();
    await agent.keyboard.press("Space");
    await agent.keyboard.press("ArrowRight");
    await waitUntil("follow_up to be chosen", () =>
      form.locator('[data-testid="wrapup-tag"][value="follow_up"]').isChecked(),
    );
    await agent.keyboard.press("Tab");
    await agent.keyboard.type(note);
    await artifacts.shot(agent, "wrapup-filled");
    await agent.keyboard.press("Enter");

    const saved = await visible(agent.getByTestId("wrapup-saved"), "the saved wrap-up");
    assert.equal(await saved.getAttribute("data-disposition"), "follow_up");
    assert.ok((await saved.textContent()).includes("Follow up"), await saved.textContent());
    await visible(
      agent.locator('[data-testid="message"][data-author="system"]', { hasText: `Wrapped up as Follow up · ${note}` }),
      "the wrap-up row in the transcript",
    );
    await artifacts.shot(agent, "wrapup-saved");

    // --- stored on the server ------------------------------------------------------------
    const stored = await agent.evaluate(async (id) => {
      const res = await fetch(`/api/v1/sessions/${id}/transcript`);
      return res.json();
    }, session);
    assert.equal(stored.wrapup?.disposition, "follow_up", JSON.stringify(stored.wrapup));
    assert.equal(stored.wrapup?.note, note);
    const last = stored.events.at(-1);
    assert.deepEqual([last.kind, last.disposition, last.note], ["wrapup", "follow_up", note]);

    // --- the team board counts it --------------------------------------------------------
    await agent.getByTestId("team-toggle").click();
    const count = await visible(
      agent.locator('[data-testid="team-disposition"][data-disposition="follow_up"]'),
      "today's follow-up count",
    );
    await waitUntil("the follow-up count to be 1", async () => (await count.textContent()).includes("1"));
    await artifacts.shot(agent, "team-dispositions");

    // --- the visitor never sees it ----------------------------------------------------------
    const widgetText = await visitor.locator("body").evaluate((b) => {
      const host = [...b.querySelectorAll("*")].find((e) => e.shadowRoot);
      return (host?.shadowRoot?.textContent || "") + b.textContent;
    });
    assert.ok(!widgetText.includes(note), "the note stays with the agents");

    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors in the widget or the console");
    await visitorCtx.close();
    await agentCtx.close();
  });
});
