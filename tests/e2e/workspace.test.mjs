// The agent's workspace in real Chromium: a visitor who finds nobody online
// books a call back, which rings the first agent to come online; then one
// agent juggles three visitors
// (two of them sharing their screen), answers a ringing offer from the
// keyboard, moves between chats with Alt+arrows while every mirror stays
// live, writes a private note the visitor never sees, and transfers a chat
// with a note to a colleague, whose console then holds it. The team board
// shows both agents' load and the day's figures.
//
// Screenshots land in tests/e2e/artifacts/workspace/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { consoleLogin, goOnline, identityToken, openWidget, tag, visible, waitUntil, withStack } from "./harness.mjs";
import { startSharing, waitForLive } from "./mirror_support.mjs";

const ANA = { email: "ana@northwind.test", name: "Ana Outfitter", password: "correct horse battery staple" };
const BEN = { email: "ben@northwind.test", name: "Ben Fielding", password: "another horse battery staple" };

const chatOf = (agent, session) => agent.locator(`[data-testid="chat"][data-session="${session}"]`);

/**
 * A visitor on `path` asks for help; returns the page and the message's tag.
 * With `identity`, the page first calls Tandem.identify with it.
 */
async function visitorAsks(browser, artifacts, server, label, path, identity) {
  const t = tag();
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = artifacts.watch(await ctx.newPage(), label);
  await page.goto(`${server.demo}${path}`);
  if (identity) await page.evaluate((who) => window.Tandem.identify(who), identity);
  await openWidget(page);
  await page.getByTestId("tandem-chat-input").fill(`${label} needs help (${t})`);
  await page.getByTestId("tandem-request").click();
  await visible(page.getByTestId("tandem-queue-status"), `${label}'s place in the queue`);
  return { page, t };
}

/** The ringing offer for the request tagged `t`; returns its session id. */
async function offered(agent, t) {
  const card = await visible(agent.getByTestId("offer").filter({ hasText: t }), `the offer card for ${t}`);
  return card.getAttribute("data-session");
}

test("workspace: three visitors, offers by keyboard, notes and a transfer", { timeout: 300_000 }, async () => {
  await withStack("workspace", { agents: [ANA, BEN] }, async ({ server, browser, artifacts }) => {
    // --- nobody online: a visitor books a call back -------------------------------
    const v0 = await visitorAsks(browser, artifacts, server, "v0", "/index.html");
    const away = await visible(v0.page.getByTestId("tandem-away"), "the offer to answer later");
    assert.match(await away.textContent(), /No one is available/);
    await artifacts.shot(v0.page, "nobody-online");
    await v0.page.getByTestId("tandem-away-call").click();
    await v0.page.getByTestId("tandem-callback-phone").fill("12");
    await v0.page.getByTestId("tandem-callback-send").click();
    await visible(v0.page.getByTestId("tandem-callback-error").filter({ hasText: "phone number" }), "a typo caught in the widget");
    await v0.page.getByTestId("tandem-callback-phone").fill("+33 6 12 34 56 78");
    await artifacts.shot(v0.page, "call-back-form");
    await v0.page.getByTestId("tandem-callback-send").click();
    await visible(v0.page.getByTestId("tandem-queue-status").filter({ hasText: "call you at +33 6 12 34 56 78" }), "the booked call back");
    assert.equal(await v0.page.getByTestId("tandem-away").isVisible(), false, "no more offers once booked");
    await artifacts.shot(v0.page, "call-back-booked");

    const agentCtx = await browser.newContext({ viewport: { width: 1600, height: 940 } });
    const agent = artifacts.watch(await agentCtx.newPage(), "ana");
    await consoleLogin(agent, server.server, ANA.email, ANA.password);
    await goOnline(agent);

    // The call back rings Ana first, number included; she takes it, calls, ends it.
    const callback = await offered(agent, v0.t);
    await visible(agent.getByTestId("offer").getByTestId("callback"), "the number on the offer card");
    await agent.getByTestId("offer-accept").click();
    const callbackChat = await visible(chatOf(agent, callback), "the call back's chat");
    const tel = await visible(callbackChat.getByTestId("callback-contact"), "the number to call");
    assert.equal(await tel.getAttribute("href"), "tel:+33612345678");
    await artifacts.shot(agent, "call-back-chat");
    await agent.getByTestId("end-session").click();
    await (await visible(agent.getByTestId("close-session"), "the ended call back's close button")).click();
    await waitUntil("the call back to leave the list", async () => (await agent.getByTestId("session-tab").count()) === 0);

    // --- three requests, each offered to Ana and accepted ------------------------
    // v1 is a signed-in customer of the shop: its backend signs an identity token.
    const secret = await server.siteSecret("demo");
    const ann = {
      id: "user-4711",
      name: "Ann Lee",
      email: "ann@example.com",
      attributes: { plan: "gold" },
      token: identityToken(secret, "user-4711"),
    };
    const visitors = [];
    for (const [label, path, identity] of [["v1", "/index.html", ann], ["v2", "/product.html"], ["v3", "/index.html"]]) {
      const v = await visitorAsks(browser, artifacts, server, label, path, identity);
      v.session = await offered(agent, v.t);
      const timer = await agent.getByTestId("offer-timer").textContent();
      assert.match(timer, /^\d+ s$/, `the offer counts down: ${timer}`);
      if (label === "v1") {
        await artifacts.shot(agent, "offer-card");
        // Answered from the keyboard.
        await agent.keyboard.press("Alt+KeyA");
      } else {
        await agent.getByTestId("offer-accept").click();
      }
      await visible(chatOf(agent, v.session), `${label}'s chat in the console`);
      await visible(v.page.locator('[data-testid="tandem-message"][data-kind="agent_joined"]'), `Ana joining in ${label}'s widget`);
      await waitUntil("the offer card to go", async () => (await agent.getByTestId("offer").count()) === 0);
      if (label === "v1") {
        // Screen pop: the customer panel says who this is, vouched for by the site.
        const panel = await visible(agent.getByTestId("customer-panel"), "the customer panel");
        await visible(panel.getByTestId("customer-name").filter({ hasText: "Ann Lee" }), "the customer's name");
        assert.equal(await panel.getByTestId("customer-trust").getAttribute("data-verified"), "true");
        assert.ok((await panel.textContent()).includes("gold"), "the customer's attributes");
        await visible(panel.getByTestId("customer-page").first(), "this visit's pages");
        await artifacts.shot(agent, "customer-panel");
      }
      visitors.push(v);
    }
    const [v1, v2, v3] = visitors;
    assert.equal(await agent.getByTestId("session-tab").count(), 3, "three chats side by side in the list");

    // --- two of them share their screen ----------------------------------------------
    for (const v of [v1, v2]) {
      await agent.locator(`[data-testid="session-tab"][data-session="${v.session}"]`).click();
      await visible(chatOf(agent, v.session), `${v.t}'s chat selected`);
      await startSharing(v.page, agent, v.session);
    }
    await artifacts.shot(agent, "two-mirrors");

    // --- Alt+arrows move between chats; both mirrors stay live in the background ---
    const selected = async () => agent.locator('[data-testid="chat"]').getAttribute("data-session");
    const seen = new Set();
    for (let i = 0; i < 3; i++) {
      await agent.keyboard.press("Alt+ArrowDown");
      await waitUntil("a chat after Alt+ArrowDown", async () => !seen.has(await selected()) || seen.size === 3);
      seen.add(await selected());
    }
    assert.deepEqual([...seen].sort(), [v1.session, v2.session, v3.session].sort(), "Alt+ArrowDown visits every chat");
    for (const v of [v1, v2]) {
      await agent.locator(`[data-testid="session-tab"][data-session="${v.session}"]`).click();
      await waitForLive(agent, v.session, `the mirror of ${v.t} live at once after switching`);
    }
    await agent.keyboard.press("Alt+Digit3");
    await waitUntil("Alt+3 to select the third chat", async () => (await selected()) === v3.session);

    // --- a private note in v3's chat -------------------------------------------------
    const note = `Loyal customer, offer free returns (${v3.t})`;
    await agent.getByTestId("note-mode").check();
    await agent.getByTestId("chat-input").fill(note);
    await artifacts.shot(agent, "note-mode");
    await agent.getByTestId("chat-send").click();
    await visible(agent.getByTestId("note").filter({ hasText: note }), "the note in Ana's chat");
    // A reply after it, so we know the visitor has everything sent before.
    await agent.getByTestId("note-mode").uncheck();
    const reply = `Let me ask a colleague (${v3.t})`;
    await agent.getByTestId("chat-input").fill(reply);
    await agent.getByTestId("chat-send").click();
    await visible(v3.page.locator('[data-testid="tandem-message"][data-author="agent"]', { hasText: reply }), "Ana's reply in v3's widget");
    const widgetText = await v3.page.evaluate(() => document.getElementById("tandem-widget-root").shadowRoot.textContent);
    assert.ok(!widgetText.includes("free returns"), "the private note never reaches the visitor's widget");

    // --- transfer v3 to Ben, with a note ----------------------------------------------
    const benCtx = await browser.newContext({ viewport: { width: 1500, height: 900 } });
    const ben = artifacts.watch(await benCtx.newPage(), "ben");
    await consoleLogin(ben, server.server, BEN.email, BEN.password);
    await goOnline(ben);
    await agent.getByTestId("transfer-open").click();
    const benRow = await visible(agent.getByTestId("transfer-agent").filter({ hasText: BEN.name }), "Ben in the transfer panel");
    await waitUntil("Ben to be pickable", async () => (await benRow.locator("input").isEnabled()));
    await benRow.locator("input").check();
    const handover = `Wants free returns on order 1043 (${v3.t})`;
    await agent.getByTestId("transfer-note").fill(handover);
    await artifacts.shot(agent, "transfer-panel");
    await agent.getByTestId("transfer-confirm").click();

    // Ben holds the chat, with the history, the notes and the transfer line.
    await visible(chatOf(ben, v3.session), "the transferred chat in Ben's console");
    await visible(ben.getByTestId("note").filter({ hasText: handover }), "the handover note for Ben");
    await visible(ben.getByTestId("note").filter({ hasText: note }), "Ana's earlier note for Ben");
    await visible(ben.locator('[data-testid="message"][data-author="visitor"]', { hasText: v3.t }), "the visitor's first message for Ben");
    await artifacts.shot(ben, "ben-took-over");
    // It left Ana's list; the other two stay.
    await waitUntil("v3 to leave Ana's list", async () => (await agent.locator(`[data-testid="session-tab"][data-session="${v3.session}"]`).count()) === 0);
    assert.equal(await agent.getByTestId("session-tab").count(), 2);
    // The visitor is told who they talk to now, and Ben's reply reaches them.
    await visible(v3.page.locator('[data-testid="tandem-message"][data-kind="transferred"]', { hasText: "Ben" }), "the transfer notice in the widget");
    await ben.getByTestId("chat-input").fill(`Hi, Ben here (${v3.t})`);
    await ben.getByTestId("chat-send").click();
    await visible(v3.page.locator('[data-testid="tandem-message"][data-author="agent"]', { hasText: "Ben here" }), "Ben's reply in the widget");
    await artifacts.shot(v3.page, "visitor-after-transfer");

    // --- the team board: both agents with their load, the day's figures --------------
    await agent.getByTestId("team-toggle").click();
    const board = await visible(agent.getByTestId("team-board"), "the team board");
    const row = (name) => board.getByTestId("team-agent").filter({ hasText: name });
    await waitUntil("both agents online with their load", async () =>
      (await row(ANA.name).textContent()).includes("2 / 4") && (await row(BEN.name).textContent()).includes("1 / 4"));
    assert.equal(await row(BEN.name).getAttribute("data-state"), "online");
    const answered = await board.locator('[data-figure="answered"]').textContent();
    assert.ok(answered.includes("4 / 4"), `four requests (one a call back), all answered: ${answered}`);
    await artifacts.shot(agent, "team-board");
    // Picking a chat leaves the board.
    await agent.locator(`[data-testid="session-tab"][data-session="${v1.session}"]`).click();
    await visible(chatOf(agent, v1.session), "v1's chat after leaving the board");
  });
});

test("library: canned responses from /shortcut and article suggestions from the visitor's words", { timeout: 180_000 }, async () => {
  await withStack("library", { agents: [ANA] }, async ({ server, browser, artifacts }) => {
    const agentCtx = await browser.newContext({ viewport: { width: 1500, height: 900 } });
    const agent = artifacts.watch(await agentCtx.newPage(), "ana");
    await consoleLogin(agent, server.server, ANA.email, ANA.password);
    await goOnline(agent);

    // The agent fills the library from the console.
    await agent.getByTestId("library-toggle").click();
    await visible(agent.getByTestId("library-board"), "the library board");
    const add = async (fill) => {
      const before = await agent.getByTestId("library-item").count();
      await fill();
      await agent.getByTestId("library-save").click();
      await waitUntil("the new item in the list", async () => (await agent.getByTestId("library-item").count()) === before + 1);
    };
    await add(async () => {
      await agent.getByTestId("library-shortcut").fill("thx");
      await agent.getByTestId("library-title").fill("Thanks");
      await agent.getByTestId("library-body").fill("Thanks for waiting, I'm on it!");
    });
    await add(async () => {
      await agent.getByTestId("library-kind-article").check();
      await agent.getByTestId("library-title").fill("Returns policy");
      await agent.getByTestId("library-body").fill("60-day returns, free of charge.");
      await agent.getByTestId("library-url").fill("https://northwind.test/returns");
      await agent.getByTestId("library-keywords").fill("return, refund");
    });
    // A taken shortcut is refused with the reason, nothing added.
    await agent.getByTestId("library-kind-canned").check();
    await agent.getByTestId("library-shortcut").fill("thx");
    await agent.getByTestId("library-title").fill("Again");
    await agent.getByTestId("library-body").fill("dup");
    await agent.getByTestId("library-save").click();
    await visible(agent.getByTestId("library-error").filter({ hasText: "/thx" }), "the taken-shortcut error");
    assert.equal(await agent.getByTestId("library-item").count(), 2);
    await artifacts.shot(agent, "library-board");

    // A visitor asks about a refund; the agent accepts.
    const v = await visitorAsks(browser, artifacts, server, "visitor", "/index.html");
    await v.page.getByTestId("tandem-chat-input").fill("Can I still return these boots for a refund?");
    await v.page.getByTestId("tandem-chat-input").press("Enter");
    const session = await offered(agent, v.t);
    await agent.getByTestId("offer-accept").click();
    await visible(chatOf(agent, session), "the chat");

    // The article is suggested from the visitor's words; a click inserts its link.
    const chip = await visible(agent.getByTestId("kb-suggestion").filter({ hasText: "Returns policy" }), "the suggested article");
    await chip.click();
    assert.equal(await agent.getByTestId("chat-input").inputValue(), "Returns policy: https://northwind.test/returns");
    await agent.getByTestId("chat-input").fill("");

    // `/th` offers the canned response; Tab expands it; Enter sends.
    await agent.getByTestId("chat-input").pressSequentially("/th");
    await visible(agent.locator('[data-testid="canned-suggestion"][data-shortcut="thx"]'), "the canned response for /th");
    await artifacts.shot(agent, "canned-suggestion");
    await agent.getByTestId("chat-input").press("Tab");
    assert.equal(await agent.getByTestId("chat-input").inputValue(), "Thanks for waiting, I'm on it!");
    await agent.getByTestId("chat-input").press("Enter");
    await visible(v.page.locator('[data-testid="tandem-message"][data-author="agent"]', { hasText: "Thanks for waiting, I'm on it!" }), "the expanded response in the widget");
    assert.deepEqual(artifacts.pageErrors, []);
  });
});
