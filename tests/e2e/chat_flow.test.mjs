// The foundation flow in real Chromium, end to end: a visitor on the demo
// shop asks for help through the widget, an agent picks the request up in
// the console, they chat (typing and read state included), both reload and
// keep the conversation, the agent sees where the visitor is (on the page,
// in a background tab, gone and back), the visitor changes page, the agent
// ends it.
//
// Screenshots of every state and both consoles land in
// tests/e2e/artifacts/chat_flow/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { consoleLogin, goOnline, openWidget, pickTopic, tag, visible, waitUntil, withStack } from "./harness.mjs";

const AGENT = { email: "ana@northwind.test", name: "Ana Outfitter", password: "correct horse battery staple" };

// Locators for the two sides, by the data-testid contract (docs/testing.md).
const widgetMessage = (page, author, text) =>
  page.locator(`[data-testid="tandem-message"][data-author="${author}"]`, { hasText: text });
const consoleMessage = (page, author, text) =>
  page.locator(`[data-testid="message"][data-author="${author}"]`, { hasText: text });

/** Sends a visitor message after the first one (Enter, or the send button when there is one). */
async function visitorSend(page, text, { slowly = false } = {}) {
  const input = page.getByTestId("tandem-chat-input");
  if (slowly) await input.pressSequentially(text, { delay: 60 });
  else await input.fill(text);
  const send = page.getByTestId("tandem-chat-send");
  if (await send.first().isVisible().catch(() => false)) await send.first().click();
  else await input.press("Enter");
}

test("chat flow: widget ↔ console in Chromium", { timeout: 240_000 }, async () => {
  await withStack("chat_flow", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const t = tag();
    const first = `Hi! Does the Stormline shell run small? (${t})`;
    const reply = `Hello from Ana — it runs true to size (${t})`;
    const second = `Great, I'll take a medium then (${t})`;

    const visitorCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const agentCtx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const visitor = artifacts.watch(await visitorCtx.newPage(), "visitor");
    const agent = artifacts.watch(await agentCtx.newPage(), "agent");

    // --- the visitor asks for help -------------------------------------------------
    await visitor.goto(`${server.demo}/index.html`);
    await visible(visitor.getByTestId("tandem-launcher"), "the Tandem launcher on the demo shop");
    await artifacts.shot(visitor, "visitor-launcher");
    await openWidget(visitor);
    await artifacts.shot(visitor, "visitor-open");
    const topic = await pickTopic(visitor);
    await visitor.getByTestId("tandem-chat-input").fill(first);
    await artifacts.shot(visitor, "visitor-request-filled");
    await visitor.getByTestId("tandem-request").click();
    await visible(visitor.getByTestId("tandem-queue-status"), "the visitor's queue status");
    await artifacts.shot(visitor, "visitor-queued");

    // --- the agent logs in, goes online and accepts ------------------------------
    await consoleLogin(agent, server.server, AGENT.email, AGENT.password);
    await goOnline(agent);
    const item = await visible(agent.getByTestId("queue-item").filter({ hasText: t }), "the queue item with the first message");
    const itemText = await item.textContent();
    assert.ok(itemText.includes(first), `queue item shows the first message: ${itemText}`);
    if (topic) {
      const shown = [topic.label, topic.value].some((x) => itemText.toLowerCase().includes(x.toLowerCase()));
      assert.ok(shown, `queue item shows the topic ${JSON.stringify(topic)}: ${itemText}`);
    }
    await artifacts.shot(agent, "agent-queue");
    await item.getByTestId("queue-accept").click();
    await visible(consoleMessage(agent, "visitor", first), "the visitor's first message in the console");
    await artifacts.shot(agent, "agent-accepted");

    // --- they chat ------------------------------------------------------------------
    await agent.getByTestId("chat-input").fill(reply);
    await agent.getByTestId("chat-send").click();
    await visible(consoleMessage(agent, "agent", reply), "the agent's own reply in the console");
    await visible(widgetMessage(visitor, "agent", reply), "the agent's reply in the widget");
    await artifacts.shot(visitor, "visitor-got-reply");

    // Read state, both ways: the widget is open and shows the reply, so the
    // agent learns it was read; the console shows the visitor's message, so
    // the visitor's message turns read.
    await visible(
      consoleMessage(agent, "agent", reply).locator('[data-testid="receipt"][data-state="read"]'),
      "the read state of the agent's reply in the console",
    );
    await visible(
      visitor.locator('[data-testid="tandem-message"][data-author="visitor"][data-status="read"]', { hasText: first }),
      "the read state of the visitor's first message in the widget",
    );
    await artifacts.shot(agent, "agent-read");

    // The visitor sees the agent typing.
    await agent.getByTestId("chat-input").pressSequentially("One more thing", { delay: 60 });
    await visible(visitor.getByTestId("tandem-typing"), "the agent's typing indicator in the widget");
    await artifacts.shot(visitor, "visitor-sees-typing");
    await agent.getByTestId("chat-input").fill("");

    // Typing: the agent sees the visitor typing while they type.
    const typing = agent.getByTestId("typing-indicator");
    const typed = visitorSend(visitor, second, { slowly: true });
    await visible(typing, "the typing indicator in the console");
    await artifacts.shot(agent, "agent-sees-typing");
    await typed;
    await visible(consoleMessage(agent, "visitor", second), "the visitor's second message in the console");
    await waitUntil("the typing indicator to go away", async () => !(await typing.first().isVisible()));
    await artifacts.shot(agent, "agent-chat");
    await artifacts.shot(visitor, "visitor-chat");

    // --- both reload; the conversation comes back on both sides --------------------
    await Promise.all([visitor.reload(), agent.reload()]);
    await openWidget(visitor);
    for (const [author, text] of [["visitor", first], ["agent", reply], ["visitor", second]]) {
      await visible(widgetMessage(visitor, author, text), `"${text}" in the widget after a reload`);
      await visible(consoleMessage(agent, author, text), `"${text}" in the console after a reload`);
    }
    await artifacts.shot(visitor, "visitor-after-reload");
    await artifacts.shot(agent, "agent-after-reload");

    // --- where the visitor is: on the page, in a background tab, gone ----------------
    const presence = agent.getByTestId("visitor-presence");
    await waitUntil("the visitor on the page", async () => (await presence.getAttribute("data-presence")) === "here");
    assert.equal((await presence.textContent()).trim(), "On the page");
    // Headless Chromium keeps every tab in front: the page says it is hidden
    // the way a browser would, with the property and the event.
    const setVisibility = (state) =>
      visitor.evaluate((s) => {
        Object.defineProperty(document, "visibilityState", { value: s, configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
      }, state);
    await setVisibility("hidden");
    await waitUntil("the visitor in the background", async () => (await presence.getAttribute("data-presence")) === "background");
    assert.equal((await presence.textContent()).trim(), "Tab in the background");
    const tabMark = agent.getByTestId("tab-presence");
    assert.equal(await tabMark.getAttribute("data-presence"), "background", "the chat's tab says it too");
    await artifacts.shot(agent, "agent-visitor-in-background");
    await setVisibility("visible");
    await waitUntil("the visitor back on the page", async () => (await presence.getAttribute("data-presence")) === "here");

    // --- the visitor moves to another page of the shop ------------------------------
    await visitor.goto(`${server.demo}/product.html?id=stormline-shell`);
    await openWidget(visitor);
    await visible(widgetMessage(visitor, "agent", reply), "the conversation on the product page");
    await artifacts.shot(visitor, "visitor-other-page");

    // The visitor's last page closes: the agent sees when they left.
    await visitor.goto("about:blank");
    await waitUntil("the visitor gone", async () => (await presence.getAttribute("data-presence")) === "gone");
    assert.match((await presence.textContent()).trim(), /^Left at \d{1,2}:\d{2}/);
    await artifacts.shot(agent, "agent-visitor-left");
    await visitor.goto(`${server.demo}/product.html?id=stormline-shell`);
    await openWidget(visitor);
    await waitUntil("the visitor back", async () => (await presence.getAttribute("data-presence")) === "here");

    // --- the agent ends the session ---------------------------------------------------
    await agent.getByTestId("end-session").first().click();
    await visible(
      visitor.locator('[data-testid="tandem-message"][data-author="system"][data-kind="ended"]'),
      "the 'chat ended' notice in the widget",
    );
    await visible(visitor.getByTestId("tandem-new-chat"), "the widget's ended state (new chat button)");
    await artifacts.shot(visitor, "visitor-ended");
    await artifacts.shot(agent, "agent-ended");

    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors in the widget or the console");
    await visitorCtx.close();
    await agentCtx.close();
  });
});
