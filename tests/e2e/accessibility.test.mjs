// Accessibility beyond what the per-step axe check (a11y.mjs) sees:
//
// 1. Keyboard only, both sides. The visitor reaches the launcher, opens the
//    widget, picks a topic, asks for help, chats, hears the agent's prompt
//    without losing the focus, answers it (screen share, a page push, a form
//    push, a call), and closes the widget, focus back on the launcher. The
//    agent signs in, goes online, hears the request, accepts, replies, asks
//    to see the screen, sends a page and a field's value, calls, and
//    transfers the chat to a colleague, all without the mouse. (Switching chats and the wrap-up by keyboard are in
//    workspace.test.mjs and wrapup.test.mjs.)
// 2. Forced colours (Windows high contrast), a 320 px wide phone, 200 %
//    zoom and the French locale: the widget keeps its controls visible,
//    inside the screen, and passes the axe check on the start form and on
//    the away form (no agent online) with its call-back choice.
//
// Screenshots land in tests/e2e/artifacts/keyboard/ and .../a11y_views/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { focusedTestId, tabTo } from "./a11y.mjs";
import { tag, visible, waitUntil, withStack } from "./harness.mjs";

const ANA = { email: "ana@northwind.test", name: "Ana Outfitter", password: "correct horse battery staple" };
const BO = { email: "bo@northwind.test", name: "Bo Lindqvist", password: "another fine passphrase" };

/** Signs in and goes online with the keyboard alone. */
async function keyboardLogin(page, server, who) {
  await page.goto(`${server}/agent`);
  await visible(page.getByTestId("login-email"), "the login form");
  await tabTo(page, "login-email");
  await page.keyboard.type(who.email);
  await tabTo(page, "login-password");
  await page.keyboard.type(who.password);
  await page.keyboard.press("Enter");
  const toggle = await visible(page.getByTestId("presence-toggle"), "the presence toggle");
  await activate(page, "presence-toggle");
  await waitUntil("presence online", async () => (await toggle.getAttribute("data-presence")) === "online");
}

/** Reaches `testid` with Tab (Shift+Tab with `back`) and presses Enter on it. */
async function activate(page, testid, options) {
  await tabTo(page, testid, options);
  await page.keyboard.press("Enter");
}

/** Waits until the focus is back in the widget's message box. */
function focusBackInMessageBox(visitor) {
  return waitUntil("the focus back in the message box", async () => (await focusedTestId(visitor)) === "tandem-chat-input");
}

test("keyboard only: a visitor and two agents through a whole conversation", { timeout: 240_000 }, async () => {
  await withStack("keyboard", { agents: [ANA, BO] }, async ({ server, browser, artifacts }) => {
    const t = tag();
    const visitorCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const anaCtx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const boCtx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const visitor = artifacts.watch(await visitorCtx.newPage(), "visitor");
    const ana = artifacts.watch(await anaCtx.newPage(), "ana");
    const bo = artifacts.watch(await boCtx.newPage(), "bo");
    await keyboardLogin(ana, server.server, ANA);
    await keyboardLogin(bo, server.server, BO);

    // --- the visitor: the launcher is the last stop of the page's tab order -----
    await visitor.goto(`${server.demo}/index.html`);
    await visible(visitor.getByTestId("tandem-launcher"), "the launcher");
    await activate(visitor, "tandem-launcher", { back: true });
    await visible(visitor.getByTestId("tandem-chat-input"), "the open panel");
    const topic = visitor.getByTestId("tandem-topic");
    if (await topic.first().isVisible()) {
      await tabTo(visitor, "tandem-topic");
      await visitor.keyboard.press("ArrowDown");
    }
    await tabTo(visitor, "tandem-chat-input");
    await visitor.keyboard.type(`Do you ship to Norway? (${t})`);
    await activate(visitor, "tandem-request");
    await artifacts.shot(visitor, "visitor-queued");

    // --- Ana hears the request, accepts and replies ---------------------------
    await visible(ana.getByTestId("offer"), "the offer in Ana's console");
    const offerSaid = await ana.getByTestId("offer-said").textContent();
    assert.match(offerSaid, /^Incoming chat from .*: Do you ship to Norway\? \(\w+\)\. Alt\+A accepts/, offerSaid);
    await ana.keyboard.press("Alt+KeyA");
    await visible(ana.getByTestId("chat"), "the accepted chat");
    await ana.keyboard.press("Alt+KeyR");
    assert.equal(await focusedTestId(ana), "chat-input", "Alt+R puts the focus in the reply box");
    const reply = `Yes, in 3 to 5 days (${t})`;
    await ana.keyboard.type(reply);
    await ana.keyboard.press("Enter");

    // The visitor's screen reader reads it from the transcript's live region.
    const log = visitor.locator('[role="log"]');
    await waitUntil("the reply in the widget's live region", async () => (await log.textContent()).includes(reply));
    await tabTo(visitor, "tandem-chat-input");
    await visitor.keyboard.type(`Great, thanks (${t})`);
    await visitor.keyboard.press("Enter");
    await artifacts.shot(visitor, "visitor-chat");

    // --- a prompt is said, not focused; the visitor answers it by keyboard ----
    await activate(ana, "cobrowse-request");
    const said = visitor.getByTestId("tandem-prompt-said");
    await waitUntil("the share prompt to be said", async () => /screen/i.test(await said.textContent()));
    assert.equal(await focusedTestId(visitor), "tandem-chat-input", "the prompt does not take the focus");
    await artifacts.shot(visitor, "visitor-share-prompt");
    await activate(visitor, "tandem-share-allow", { back: true });
    await visible(ana.getByTestId("mirror-frame"), "the mirror in Ana's console");
    await focusBackInMessageBox(visitor);

    // --- a page push: said, then answered from the keyboard ---------------------
    await activate(ana, "form-open");
    await tabTo(ana, "page-url");
    await ana.keyboard.type("/cart.html");
    await ana.keyboard.press("Enter");
    await waitUntil("the page prompt to be said", async () => /cart/i.test(await said.textContent()));
    await activate(visitor, "tandem-page-stay", { back: true });
    await waitUntil("the page prompt to go", async () => !(await visitor.getByTestId("tandem-page-prompt").first().isVisible()));
    await focusBackInMessageBox(visitor);

    // --- a form push: a value for the newsletter field, accepted by keyboard -----
    await tabTo(ana, "form-input");
    await ana.keyboard.type("ann@example.com");
    await activate(ana, "form-push");
    await waitUntil("the form prompt to be said", async () => /suggests values/i.test(await said.textContent()));
    assert.equal(await focusedTestId(visitor), "tandem-chat-input", "the form prompt does not take the focus");
    await activate(visitor, "tandem-form-accept-all", { back: true });
    await waitUntil("the value in the visitor's field", async () => (await visitor.locator("#newsletter-email").inputValue()) === "ann@example.com");
    await focusBackInMessageBox(visitor);

    // --- a call: said, then declined from the keyboard ---------------------------
    await activate(ana, "call-start");
    await waitUntil("the call prompt to be said", async () => /call/i.test(await said.textContent()));
    assert.equal(await focusedTestId(visitor), "tandem-chat-input", "the call prompt does not take the focus");
    await artifacts.shot(visitor, "visitor-call-prompt");
    await activate(visitor, "tandem-call-decline", { back: true });
    await waitUntil("the call prompt to go", async () => !(await visitor.getByTestId("tandem-call-prompt").first().isVisible()));
    await focusBackInMessageBox(visitor);

    // --- closing: Escape, and the focus goes back to the launcher -------------
    await tabTo(visitor, "tandem-chat-input");
    await visitor.keyboard.press("Escape");
    await waitUntil("the panel to close", async () => !(await visitor.getByTestId("tandem-chat-input").first().isVisible()));
    assert.equal(await focusedTestId(visitor), "tandem-launcher", "focus returns to the launcher");

    // --- Ana hands the chat to Bo, keyboard only -------------------------------
    await activate(ana, "transfer-open");
    await visible(ana.getByTestId("transfer-panel"), "the transfer panel");
    const boRow = ana.getByTestId("transfer-agent").filter({ hasText: BO.name });
    await waitUntil("Bo to be pickable", async () => await boRow.locator("input").isEnabled());
    // A radio group is one tab stop; Space picks the focused option.
    for (let i = 0; i < 40 && !(await boRow.locator("input").evaluate((e) => e === document.activeElement)); i++) {
      await ana.keyboard.press("Tab");
    }
    await ana.keyboard.press("Space");
    assert.ok(await boRow.locator("input").isChecked(), "Bo picked from the keyboard");
    await tabTo(ana, "transfer-note");
    await ana.keyboard.type(`Ships to Norway, asked about timing (${t})`);
    await artifacts.shot(ana, "transfer-by-keyboard");
    await activate(ana, "transfer-confirm");
    await visible(bo.getByTestId("chat"), "the chat in Bo's console");
    await bo.keyboard.press("Alt+KeyR");
    await bo.keyboard.type(`Bo here, anything else? (${t})`);
    await bo.keyboard.press("Enter");
    await waitUntil("Bo's message in the widget", async () => (await log.textContent()).includes(`Bo here, anything else? (${t})`));
    await artifacts.shot(bo, "bo-after-transfer");
  });
});

test("the widget in forced colours, on a 320 px phone, at 200 % zoom and in French", { timeout: 180_000 }, async () => {
  await withStack("a11y_views", {}, async ({ server, browser, artifacts }) => {
    const views = [
      { name: "forced-colors", viewport: { width: 1280, height: 860 }, forcedColors: "active" },
      { name: "phone-320", viewport: { width: 320, height: 640 } },
      // 200 % zoom on a 1280 × 860 window: half the CSS pixels, each twice as big.
      { name: "zoom-200", viewport: { width: 640, height: 430 }, deviceScaleFactor: 2 },
      { name: "french", viewport: { width: 1280, height: 860 }, locale: "fr-FR" },
    ];
    for (const v of views) {
      const ctx = await browser.newContext({
        viewport: v.viewport,
        deviceScaleFactor: v.deviceScaleFactor ?? 1,
        locale: v.locale ?? "en-US",
      });
      const page = artifacts.watch(await ctx.newPage(), v.name);
      if (v.forcedColors) await page.emulateMedia({ forcedColors: v.forcedColors });
      await page.goto(`${server.demo}/index.html`);
      const launcher = await visible(page.getByTestId("tandem-launcher"), "the launcher");
      if (v.forcedColors) {
        // Its fill is gone in forced colours: a border must draw it.
        const border = await launcher.evaluate((e) => getComputedStyle(e).borderTopWidth);
        assert.notEqual(border, "0px", "the launcher keeps an outline in forced colours");
      }
      await launcher.click();
      const input = await visible(page.getByTestId("tandem-chat-input"), "the message box");
      await input.fill(`hello (${tag()})`);
      const request = page.getByTestId("tandem-request");
      // Every control of the start form can be brought fully on screen (the
      // panel may scroll, as a keyboard user's Tab scrolls it), none cut off.
      for (const control of [input, request]) {
        await control.scrollIntoViewIfNeeded();
        const box = await control.boundingBox();
        assert.ok(box, `${v.name}: a box for the control`);
        assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= v.viewport.width + 1 && box.y + box.height <= v.viewport.height + 1,
          `${v.name}: control inside the ${v.viewport.width}×${v.viewport.height} view: ${JSON.stringify(box)}`);
      }
      await artifacts.shot(page, `${v.name}-open`);
      if (v.locale) assert.equal(await page.locator(".tw").getAttribute("lang"), "fr", "the widget speaks French");

      // Nobody is online: the away form and its call-back choice.
      await request.click();
      await visible(page.getByTestId("tandem-away"), "the away form");
      await artifacts.shot(page, `${v.name}-away`);
      await page.getByTestId("tandem-away-call").click();
      await visible(page.getByTestId("tandem-callback-send"), "the call-back form");
      await artifacts.shot(page, `${v.name}-call-back`);
      await ctx.close();
    }
  });
});
