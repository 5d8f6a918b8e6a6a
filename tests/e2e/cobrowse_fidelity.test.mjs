// Co-browsing, the agent's side, in real Chromium: the console's mirror
// follows the visitor's page exactly. A lab page (static/demo/lab/fidelity.html)
// changes one thing at a time — list insert/remove/reorder, text, attributes
// and classes, a rule added with insertRule, an open shadow root, a
// same-origin frame, form values, a scrolled box, then a link to a second
// page, then every page of the demo shop — and after each step the mirror's
// DOM, normalised by the same function in both pages (mirror_support.mjs),
// must equal the visitor's.
//
// A second test drives the mirror with frames built by hand to check its
// integrity rules: a gap in the sequence or an op naming an unknown node
// makes it discard the page and ask the server for a replay, never show a
// silently wrong page.
//
// Screenshots land in tests/e2e/artifacts/cobrowse_fidelity*/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { goOnline, consoleLogin, tag, visible, waitUntil, withStack } from "./harness.mjs";
import {
  AGENT,
  el,
  expectMirrorEquals,
  mirrorFrame,
  mirrorPoint,
  recordSentFrames,
  scriptedSharing,
  startChat,
  startSharing,
  txt,
  shot,
  waitForLive,
} from "./mirror_support.mjs";

test("co-browse fidelity: the mirror equals the visitor's page after every change", { timeout: 300_000 }, async () => {
  await withStack("cobrowse_fidelity", { agents: [AGENT] }, async (stack) => {
    const { artifacts } = stack;
    const { visitor, agent, session, visitorCtx, agentCtx } = await startChat(stack, "/lab/fidelity.html");
    await startSharing(visitor, agent, session);
    await expectMirrorEquals(visitor, agent, session, "the first keyframe");
    // The page's picture and CSS background come from the visitor's origin:
    // the mirror document's own policy lets them load (the console's would not).
    await waitUntil("the visitor's image to load in the mirror", () =>
      mirrorFrame(agent, session).evaluate((f) => {
        const img = f.contentDocument.getElementById("photo");
        return img?.complete && img.naturalWidth === 120;
      }),
    );
    await shot(artifacts, agent, "mirror-live");

    const steps = [
      ["insert a list item", () => visitor.evaluate(() => lab.insertItem())],
      ["remove a list item", () => visitor.evaluate(() => lab.removeItem())],
      ["reorder the list", () => visitor.evaluate(() => lab.reorder())],
      ["edit text", () => visitor.evaluate(() => lab.editText())],
      ["change attributes and classes", () => visitor.evaluate(() => lab.changeAttributes())],
      ["add a rule with insertRule", () => visitor.evaluate(() => lab.insertRule())],
      ["change the shadow root", () => visitor.evaluate(() => lab.changeShadow())],
      ["change the shadow root's top level", async () => {
        // Marks the mirror's host: a delta that adds into its shadow root
        // keeps it; resending the host whole would drop the mark.
        await mirrorFrame(agent, session).evaluate((f) => { f.contentDocument.getElementById("card").keptByDelta = true; });
        await visitor.evaluate(() => lab.changeShadowTop());
      }],
      ["change the same-origin frame", () => visitor.evaluate(() => lab.changeFrame())],
      ["type into a text field", () => visitor.locator("#name").pressSequentially(" Rivera", { delay: 20 })],
      ["replace a textarea's text", () => visitor.locator("#notes").fill("Ring twice, then wait")],
      ["choose an option", () => visitor.locator("#size").selectOption("l")],
      ["tick a checkbox", () => visitor.locator("#gift").check()],
      ["pick a radio button", () => visitor.locator("#ship-exp").check()],
      ["scroll a scrollable box", () => visitor.evaluate(() => lab.scrollBox())],
      ["scroll the page", () => visitor.evaluate(() => window.scrollTo(0, 420))],
    ];
    for (const [name, step] of steps) {
      await step();
      await expectMirrorEquals(visitor, agent, session, name);
    }
    assert.equal(
      await mirrorFrame(agent, session).evaluate((f) => f.contentDocument.getElementById("card").keptByDelta),
      true,
      "the shadow host stayed in place: its shadow root's changes came as adds and removes",
    );
    await shot(artifacts, agent, "mirror-after-steps");
    await shot(artifacts, visitor, "visitor-after-steps");

    // The rule added with insertRule reached the mirror (also part of the
    // normalised DOM, via the probe's computed style): check it plainly too.
    const colour = await mirrorFrame(agent, session).evaluate(
      (f) => getComputedStyle(f.contentDocument.getElementById("probe")).color,
    );
    assert.equal(colour, "rgb(200, 30, 30)");

    // Navigation: the visitor follows a link; sharing and the mirror follow.
    await visitor.evaluate(() => window.scrollTo(0, 0));
    await visitor.locator("#next").click();
    await visitor.waitForURL(/fidelity2\.html$/);
    await waitUntil("the mirror to show page two", async () =>
      mirrorFrame(agent, session).evaluate((f) => f.contentDocument?.title === "Fidelity lab — page two"),
    );
    await expectMirrorEquals(visitor, agent, session, "navigation to page two");
    await shot(artifacts, agent, "mirror-page-two");

    // Back on page one: the same-origin frame's own stylesheet applies in the
    // mirror too (the widget must send the CSS of a <style> inside a frame).
    await visitor.goBack();
    await visitor.waitForURL(/fidelity\.html$/);
    await expectMirrorEquals(visitor, agent, session, "back to page one");
    const wanted = await visitor.evaluate(
      () => getComputedStyle(document.getElementById("frame").contentDocument.getElementById("frame-text")).color,
    );
    const shown = await mirrorFrame(agent, session).evaluate(
      (f) => getComputedStyle(f.contentDocument.getElementById("frame").contentDocument.getElementById("frame-text")).color,
    );
    assert.equal(shown, wanted, "the frame's <style> applies in the mirror");

    // The demo shop's pages, built by its own scripts, mirrored as they are.
    for (const path of ["/index.html", "/product.html?id=stormline-shell", "/cart.html", "/checkout.html", "/account.html"]) {
      await visitor.goto(`${stack.server.demo}${path}`);
      const file = path.slice(1).split("?")[0];
      await waitUntil(`the mirror to show ${file}`, async () => (await agent.locator(".mirror-url").textContent()).includes(file));
      await expectMirrorEquals(visitor, agent, session, `the demo shop's ${file}`);
    }

    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors in the widget or the console");
    await visitorCtx.close();
    await agentCtx.close();
  });
});

test("co-browse integrity: a gap or an unknown node resynchronises the mirror", { timeout: 180_000 }, async () => {
  await withStack("cobrowse_integrity", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const agentCtx = await browser.newContext({ viewport: { width: 1600, height: 940 } });
    const agent = artifacts.watch(await agentCtx.newPage(), "agent");
    // The console's socket runs through the test, which can lose a page frame
    // on its way to the console, as a congested connection would.
    const sent = [];
    let dropNextDelta = false;
    await agent.routeWebSocket(/\/ws\/agent$/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((m) => {
        if (typeof m === "string") sent.push(JSON.parse(m));
        upstream.send(m);
      });
      upstream.onMessage((m) => {
        if (typeof m !== "string" && dropNextDelta && m[1] === 2) {
          dropNextDelta = false;
          return;
        }
        ws.send(m);
      });
    });
    await consoleLogin(agent, server.server, AGENT.email, AGENT.password);
    await goOnline(agent);
    const { visitor, session } = await scriptedSharing(server, agent, `Scripted frames (${tag()})`);
    const subscribes = () => sent.filter((f) => f.type === "cobrowse.subscribe" && f.session === session).length;
    const stage = agent.locator(`.mirror-stage[data-session="${session}"]`);
    const mirrorText = () =>
      mirrorFrame(agent, session).evaluate((f) => f.contentDocument?.body?.innerText.replace(/\s+/g, " ").trim() ?? "");

    // The console asked for the page when sharing began; nothing is shown yet.
    await waitUntil("a subscribe from the console", () => subscribes() >= 1);
    await visible(stage.locator(".mirror-veil"), "the loading veil");

    const page = (words) => ({
      url: `${server.demo}/lab/scripted`,
      title: "Scripted",
      vw: 1024,
      vh: 640,
      doctype: "html",
      root: el(1, "html", {}, [
        el(2, "head", {}, [el(3, "title", {}, [txt(4, "Scripted")])]),
        el(5, "body", {}, [el(6, "p", { id: "p" }, [txt(7, words)]), el(8, "ul", { id: "list" }, [])]),
      ]),
    });
    visitor.sendPage("keyframe", 1, 0, page("first page"));
    await waitForLive(agent, session);
    assert.equal(await mirrorText(), "first page");

    // In order: applied.
    visitor.sendPage("delta", 1, 1, { ops: [{ o: "txt", i: 7, x: "second words" }] });
    visitor.sendPage("delta", 1, 2, { ops: [{ o: "add", p: 8, n: el(9, "li", {}, [txt(10, "one")]) }] });
    await waitUntil("the deltas in the mirror", async () => (await mirrorText()) === "second words one");

    // A delta lost on the way (seq 3): seq 4 must not be applied on top of
    // the gap; the console asks for a replay and ends up with both.
    const before = subscribes();
    dropNextDelta = true;
    visitor.sendPage("delta", 1, 3, { ops: [{ o: "add", p: 8, n: el(11, "li", {}, [txt(12, "two")]) }] });
    visitor.sendPage("delta", 1, 4, { ops: [{ o: "txt", i: 7, x: "after the gap" }] });
    await waitUntil("a resubscribe after the gap", () => subscribes() > before);
    await waitUntil("the replayed page with the lost delta", async () => (await mirrorText()) === "after the gap one two");
    await waitForLive(agent, session, "the mirror live after the replay");

    // An op naming a node the mirror does not have: the delta stops there,
    // the page is discarded and asked for again. The server's log holds the
    // same bad delta, so the replay fails the same way: the mirror says it is
    // resynchronising and waits for a fresh keyframe, without hammering.
    const before2 = subscribes();
    visitor.sendPage("delta", 1, 5, {
      ops: [
        { o: "txt", i: 7, x: "partly applied" },
        { o: "attr", i: 4242, n: "class", v: "x" },
        { o: "add", p: 8, n: el(13, "li", {}, [txt(14, "never")]) },
      ],
    });
    await waitUntil("a resubscribe after an unknown node", () => subscribes() > before2);
    await visible(stage.locator(".mirror-veil"), "the resynchronising veil");
    assert.match(await stage.locator(".mirror-veil").textContent(), /Resynchronising/);
    assert.equal(await stage.getAttribute("data-status"), "resync");
    assert.ok(!(await mirrorText()).includes("never"), "ops after the unknown node are not applied");
    await shot(artifacts, agent, "resynchronising");

    // Deltas while waiting are ignored, without a request for each.
    await agent.waitForTimeout(500);
    const before3 = subscribes();
    visitor.sendPage("delta", 1, 6, { ops: [{ o: "txt", i: 7, x: "ignored" }] });
    visitor.sendPage("delta", 1, 7, { ops: [{ o: "txt", i: 7, x: "ignored too" }] });
    await agent.waitForTimeout(800);
    assert.equal(subscribes(), before3, "no request per ignored delta");
    assert.ok(!(await mirrorText()).includes("ignored"));

    // The widget's next keyframe brings the mirror back.
    visitor.sendPage("keyframe", 2, 0, page("fresh page"));
    await waitForLive(agent, session, "the mirror live after a fresh keyframe");
    assert.equal(await mirrorText(), "fresh page");
    visitor.sendPage("delta", 2, 1, { ops: [{ o: "txt", i: 7, x: "and it moves on" }] });
    await waitUntil("deltas of the new keyframe", async () => (await mirrorText()) === "and it moves on");

    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors in the console");
    visitor.close();
    await agentCtx.close();
  });
});

test("co-browse tools on the demo shop: pointer, highlight with a label, the visitor's cursor and selection, stop and restart", { timeout: 240_000 }, async () => {
  await withStack("cobrowse_tools", { agents: [AGENT] }, async (stack) => {
    const { artifacts } = stack;
    const { visitor, agent, session, visitorCtx, agentCtx } = await startChat(stack, "/index.html");
    await startSharing(visitor, agent, session);
    await expectMirrorEquals(visitor, agent, session, "the demo shop's first keyframe");
    await shot(artifacts, agent, "shop-mirror");

    // The agent's pointer: hovering the mirror moves a pointer on the visitor's page.
    const cta = ".hero-actions .btn-primary";
    const at = await mirrorPoint(agent, session, cta);
    await agent.mouse.move(at.x - 20, at.y, { steps: 4 });
    await agent.mouse.move(at.x, at.y, { steps: 4 });
    await visible(visitor.getByTestId("tandem-agent-pointer"), "the agent's pointer on the visitor's page");
    await visible(agent.locator(`.mirror-stage[data-session="${session}"] .mirror-hover`), "the hover box in the mirror");
    // A screen reader hears it: the pointer is drawn for the eye only.
    const said = visitor.getByTestId("tandem-overlay-said");
    const ctaText = (await visitor.locator(cta).textContent()).trim().replace(/\s+/g, " ");
    await waitUntil("the pointer to be said", async () => (await said.textContent()) === `${AGENT.name} is pointing at: ${ctaText}`);

    // Pointer frames are throttled: at most 20 a second however fast the mouse moves.
    const agentSent = await recordSentFrames(agent);
    const t0 = Date.now();
    for (let k = 0; k < 60; k++) {
      await agent.mouse.move(at.x - 120 + k * 4, at.y + (k % 2), { steps: 1 });
      await agent.waitForTimeout(10);
    }
    const elapsed = (Date.now() - t0) / 1000;
    await agent.waitForTimeout(200);
    const pointers = agentSent.filter((f) => f.type === "pointer").length;
    assert.ok(pointers >= 3, `pointer frames were sent while moving (${pointers})`);
    assert.ok(pointers <= Math.ceil(elapsed * 20) + 2, `at most 20 pointer frames a second: ${pointers} in ${elapsed.toFixed(2)} s`);
    await agent.mouse.move(at.x, at.y, { steps: 2 });
    await shot(artifacts, agent, "shop-mirror-hover");

    // A click highlights the element for the visitor, with the label typed beside the mirror.
    await agent.getByTestId("highlight-label").fill("Start here");
    await agent.mouse.click(at.x, at.y);
    const hl = await visible(visitor.getByTestId("tandem-highlight"), "the highlight on the visitor's page");
    assert.match(await hl.textContent(), /Start here/);
    await waitUntil("the highlight to be said", async () => (await said.textContent()) === `${AGENT.name} highlighted: Start here`);
    await visible(agent.locator(".mirror-hl-label", { hasText: "Start here" }), "the highlight in the mirror");
    await visible(agent.locator('[data-testid="message"]', { hasText: "Start here" }), "the highlight in the chat's audit trail");
    assert.equal(await agent.getByTestId("highlight-label").inputValue(), "", "the label is used once");

    // The visitor's own cursor, click and text selection show in the mirror.
    await visitor.mouse.move(400, 300, { steps: 5 });
    await visitor.evaluate(() => {
      const h1 = document.querySelector(".hero h1");
      const range = document.createRange();
      range.selectNodeContents(h1);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    });
    const stage = agent.locator(`.mirror-stage[data-session="${session}"]`);
    await visible(stage.locator(".mirror-cursor:not(.off)"), "the visitor's cursor in the mirror");
    await visible(stage.locator(".mirror-sel"), "the visitor's selection in the mirror");
    await agent.mouse.move(at.x, at.y);
    await shot(artifacts, agent, "shop-mirror-highlight");
    await shot(artifacts, visitor, "shop-visitor-highlight");

    // Leaving the mirror hides the pointer; Clear highlights removes them.
    await agent.mouse.move(5, 5, { steps: 3 });
    await waitUntil("the agent's pointer to go", async () => !(await visitor.getByTestId("tandem-agent-pointer").first().isVisible()));
    await agent.getByTestId("highlight-clear").click();
    await waitUntil("the highlight to go", async () => (await visitor.getByTestId("tandem-highlight").count()) === 0);
    assert.equal(await stage.locator(".mirror-hl").count(), 0, "no highlight left in the mirror");

    // The agent stops sharing; the visitor can start it again on their own.
    await agent.getByTestId("cobrowse-stop").click();
    await visible(agent.getByTestId("cobrowse-request"), "the See screen button again");
    await visible(agent.locator('[data-testid="message"]', { hasText: "You stopped screen sharing" }), "the stop in the chat");
    assert.equal(await agent.getByTestId("mirror-frame").count(), 0, "the mirror is gone");
    await waitUntil("the share banner to go", async () => !(await visitor.getByTestId("tandem-share-banner").first().isVisible()));
    await (await visible(visitor.getByTestId("tandem-share-start"), "the widget's own share button")).click();
    await waitForLive(agent, session, "the mirror after the visitor shared on their own");
    await expectMirrorEquals(visitor, agent, session, "sharing started by the visitor");

    // Stopped by the visitor, asked again and declined.
    await visitor.getByTestId("tandem-share-stop").click();
    await visible(agent.getByTestId("cobrowse-request"), "the See screen button after the visitor stopped");
    await visible(agent.locator('[data-testid="message"]', { hasText: "The visitor stopped sharing" }), "the visitor's stop in the chat");
    await agent.getByTestId("cobrowse-request").click();
    await visible(agent.locator('[data-testid="cobrowse-state"][data-state="requested"]'), "the waiting state");
    await shot(artifacts, agent, "waiting-for-visitor");
    await (await visible(visitor.getByTestId("tandem-share-deny"), "the visitor's Deny button")).click();
    await visible(agent.locator('[data-testid="message"]', { hasText: "declined" }), "the refusal in the chat");
    await visible(agent.getByTestId("cobrowse-request"), "the See screen button after a refusal");

    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors");
    await visitorCtx.close();
    await agentCtx.close();
  });
});

test("co-browse with two visitors: the hidden mirror keeps up and switching is instant", { timeout: 180_000 }, async () => {
  await withStack("cobrowse_two_mirrors", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const agentCtx = await browser.newContext({ viewport: { width: 1600, height: 940 } });
    const agent = artifacts.watch(await agentCtx.newPage(), "agent");
    const sent = [];
    agent.on("websocket", (ws) => ws.on("framesent", (f) => typeof f.payload === "string" && sent.push(JSON.parse(f.payload))));
    await consoleLogin(agent, server.server, AGENT.email, AGENT.password);
    await goOnline(agent);
    const page = (name, vw, vh) => ({
      url: `${server.demo}/lab/${name}`,
      title: name,
      vw,
      vh,
      doctype: "html",
      root: el(1, "html", {}, [el(2, "head", {}, []), el(3, "body", {}, [el(4, "h1", {}, [txt(5, `Page of ${name}`)])])]),
    });
    const a = await scriptedSharing(server, agent, `First visitor (${tag()})`);
    a.visitor.sendPage("keyframe", 1, 0, page("first", 1280, 800));
    await waitForLive(agent, a.session);
    const b = await scriptedSharing(server, agent, `Second visitor (${tag()})`);
    b.visitor.sendPage("keyframe", 1, 0, page("second", 390, 844));
    await waitForLive(agent, b.session);
    const heading = (session) => mirrorFrame(agent, session).evaluate((f) => f.contentDocument.querySelector("h1").textContent);

    // The second chat is on screen; the first visitor's page changes meanwhile.
    assert.equal(await agent.locator(`[data-testid="session-tab"][data-session="${b.session}"]`).getAttribute("class").then((c) => c.includes("selected")), true);
    a.visitor.sendPage("delta", 1, 1, { ops: [{ o: "txt", i: 5, x: "Changed while hidden" }] });
    await waitUntil("the hidden mirror to apply the delta", async () => (await heading(a.session)) === "Changed while hidden");
    await shot(artifacts, agent, "second-visitor-phone");

    // Switching shows it at once, fitted to its own viewport, without asking the server again.
    const subscribes = () => sent.filter((f) => f.type === "cobrowse.subscribe").length;
    const before = subscribes();
    await agent.locator(`[data-testid="session-tab"][data-session="${a.session}"]`).click();
    const stage = agent.locator(`.mirror-stage[data-session="${a.session}"]`);
    await visible(stage.and(agent.locator(".mirror-stage.current")), "the first visitor's mirror");
    await visible(agent.locator('[data-testid="cobrowse-state"][data-state="live"]'), "the live state of the first mirror");
    const size = await stage.locator(".mirror-viewport").evaluate((v) => ({ w: v.offsetWidth, h: v.offsetHeight, area: v.closest(".mirror-area").clientWidth }));
    assert.ok(size.w > 200 && size.w <= size.area, `fitted to the area: ${JSON.stringify(size)}`);
    assert.ok(Math.abs(size.w / size.h - 1280 / 800) < 0.02, `keeps the visitor's aspect: ${JSON.stringify(size)}`);
    assert.equal(subscribes(), before, "no replay needed to switch");
    await shot(artifacts, agent, "first-visitor");

    a.visitor.close();
    b.visitor.close();
    await agentCtx.close();
  });
});
