// Co-browsing, the visitor's side, in real Chromium: consent, masking on the
// device, stopping, and what the agent's pointer and highlights look like.
//
// The agent is driven over its own WebSocket (tests/e2e/cobrowse_support.mjs)
// so these tests do not depend on the console's mirror. Every frame the
// visitor's page sends is read through CDP (Network.webSocketFrameSent;
// binary payloads arrive base64-encoded) and searched for each secret, as
// typed, JSON-escaped and URL-encoded.
//
// Screenshots land in tests/e2e/artifacts/cobrowse_*/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { openWidget, tag, visible, waitUntil, withStack } from "./harness.mjs";
import {
  AgentSocket,
  agentToken,
  attrOf,
  byDomId,
  findNode,
  recordSentFrames,
  secretForms,
} from "./cobrowse_support.mjs";

const AGENT = { email: "ana@northwind.test", name: "Ana Outfitter", password: "correct horse battery staple" };
const PAUSE = (ms) => new Promise((r) => setTimeout(r, ms));

/** A visitor on `path` of the demo site with an active chat, and the agent holding it. */
async function chatting({ server, browser, artifacts }, path) {
  const t = tag();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const visitor = artifacts.watch(await ctx.newPage(), "visitor");
  const sent = await recordSentFrames(visitor);
  await visitor.goto(`${server.demo}${path}`);
  await openWidget(visitor);
  await visitor.getByTestId("tandem-chat-input").fill(`Can you help me with my account? (${t})`);
  await visitor.getByTestId("tandem-request").click();
  const agent = await AgentSocket.connect(server.server, await agentToken(server.server, AGENT.email, AGENT.password));
  const session = await agent.acceptRequest(t);
  await visible(visitor.locator('[data-testid="tandem-message"][data-kind="agent_joined"]'), "the agent joining in the widget");
  return { ctx, visitor, sent, agent, session };
}

/** Finds which of `secrets` appear in any of the frames. */
function leaks(frames, secrets) {
  const found = [];
  for (const s of secrets) {
    for (const form of secretForms(s)) {
      const needle = Buffer.from(form, "utf8");
      const at = frames.findIndex((f) => f.data.includes(needle));
      if (at >= 0) found.push(`${s} (as ${JSON.stringify(form)}) in frame ${at}: ${frames[at].data.toString("utf8").slice(0, 300)}`);
    }
  }
  return found;
}

const pageText = (p) => JSON.stringify(p.body);

test("co-browse privacy: masked values never leave the page", { timeout: 240_000 }, async () => {
  await withStack("cobrowse_privacy", { agents: [AGENT] }, async (stack) => {
    const { server, artifacts } = stack;
    const { ctx, visitor, sent, agent, session } = await chatting(stack, "/lab/privacy.html");
    const t = tag();
    const secret = (name) => `${name}-${t}-Zq9`;
    const S = {
      password: secret("pw"),
      cardBefore: "4111111111111111",
      toggledBefore: secret("tog1"),
      toggledAfter: secret("tog2"),
      cardAfter: "5500000000000004",
      hidden: secret("csrf"),
      tax: secret("tax"),
      taxText: secret("taxtext"),
      promo: secret("promo"),
      blocked: secret("blocknote"),
      balance: secret("balance"),
      pin: "90210",
    };
    const plain = `Ann Plainfield ${t}`;
    const plainLast = `Marker ${t} done`;

    // Typed before sharing starts: the keyframe must mask them.
    await visitor.locator("#password").fill(S.password);
    await visitor.locator("#card").fill(S.cardBefore);
    await visitor.locator("#new-password").fill(S.toggledBefore);

    // The agent asks; the visitor sees the prompt and allows.
    agent.send({ type: "cobrowse.request", session });
    const prompt = await visible(visitor.getByTestId("tandem-share-prompt"), "the share prompt");
    assert.match(await prompt.textContent(), /Ana Outfitter/);
    await artifacts.shot(visitor, "prompt");
    assert.equal(sent.filter((f) => f.binary).length, 0, "no page frame before the visitor allows");
    await visitor.getByTestId("tandem-share-allow").click();
    const keyframe = await agent.nextPage((p) => p.kind === "keyframe", "the first keyframe");
    await visible(visitor.getByTestId("tandem-share-banner"), "the share banner");
    assert.equal(keyframe.session, session);
    assert.match(keyframe.body.url, /\/lab\/privacy\.html$/);
    await artifacts.shot(visitor, "sharing");

    // The keyframe's model: masked value attributes, a blocked placeholder,
    // and the masked field's text in bullets.
    const kf = keyframe.body;
    const block = findNode(kf.root, (n) => n.k === "e" && attrOf(n, "data-tandem-block") !== undefined);
    assert.ok(block, "the blocked section is a placeholder");
    assert.equal(block.t, "div");
    assert.deepEqual(block.c ?? [], [], "the placeholder has no content");
    assert.match(attrOf(block, "style"), /width:\d+px;height:\d+px/);
    assert.equal(byDomId(kf, "statement-note"), null, "nothing inside the blocked area is sent");
    const pw = byDomId(kf, "password");
    assert.ok(pw, "the password field is in the keyframe");
    const firstDelta = await agent.nextPage(() => true, "the delta after the keyframe").catch(() => null);
    const pwValue = agent.pages
      .flatMap((p) => p.body.ops || [])
      .find((o) => o.o === "val" && o.i === pw.i);
    assert.ok(pwValue, `a masked value for the password field (first delta: ${firstDelta && pageText(firstDelta).slice(0, 300)})`);
    assert.equal(pwValue.v, "•".repeat(S.password.length), "bullets of the same length");

    // Typed while sharing: deltas must mask them too.
    await visitor.locator("#plain-name").pressSequentially(plain, { delay: 15 });
    await visitor.locator("#new-password").pressSequentially("x", { delay: 15 });
    await visitor.locator("#show-password").click(); // the field becomes type=text
    assert.equal(await visitor.locator("#new-password").getAttribute("type"), "text");
    await visitor.locator("#new-password").fill("");
    await visitor.locator("#new-password").pressSequentially(S.toggledAfter, { delay: 15 });
    await visitor.locator("#card").fill("");
    await visitor.locator("#card").pressSequentially(S.cardAfter, { delay: 15 });
    await visitor.evaluate((v) => {
      document.getElementById("token").value = v; // programmatic: the value setter hook
    }, S.hidden);
    await visitor.locator("#tax-id").pressSequentially(S.tax, { delay: 15 });
    await visitor.evaluate((v) => {
      document.getElementById("tax-on-file").textContent = v;
    }, S.taxText);
    await visitor.locator("#promo").pressSequentially(S.promo, { delay: 15 });
    await visitor.locator("#statement-note").pressSequentially(S.blocked, { delay: 15 });
    await visitor.evaluate((v) => {
      document.getElementById("balance").textContent = v;
    }, S.balance);
    await visitor.locator("#plain-name").fill(plainLast);
    await agent.nextPage((p) => pageText(p).includes(plainLast), "the last plain value at the agent", 15000).catch(async (e) => {
      // It may have arrived before nextPage was called.
      if (!agent.pages.some((p) => pageText(p).includes(plainLast))) throw e;
    });
    const toggled = byDomId(kf, "new-password");
    const toggledOps = agent.pages.flatMap((p) => p.body.ops || []).filter((o) => o.i === toggled.i);
    assert.ok(toggledOps.some((o) => o.o === "attr" && o.n === "type" && o.v === "text"), "the type change is mirrored");
    assert.ok(
      toggledOps.filter((o) => o.o === "val").every((o) => /^•*$/.test(o.v)),
      `the toggled field's values stay bullets: ${JSON.stringify(toggledOps)}`,
    );
    await artifacts.shot(visitor, "typed");

    // The next page of the site: sharing continues without a new request.
    const requestsBefore = agent.frames.filter((f) => f.type === "cobrowse" && f.state === "requested").length;
    await visitor.locator("#next-page").click();
    const next = await agent.nextPage((p) => p.kind === "keyframe" && /privacy2\.html$/.test(p.body.url), "a keyframe of the next page");
    assert.ok(next.epoch > keyframe.epoch, `the epoch grows across pages (${keyframe.epoch} → ${next.epoch})`);
    await visible(visitor.getByTestId("tandem-share-banner"), "the share banner on the next page");
    const nick = `Nick ${t}`;
    await visitor.locator("#pin").pressSequentially(S.pin, { delay: 15 });
    await visitor.locator("#nickname").pressSequentially(nick, { delay: 15 });
    await waitUntil("the nickname at the agent", () => agent.pages.some((p) => pageText(p).includes(nick)));
    assert.equal(
      agent.frames.filter((f) => f.type === "cobrowse" && f.state === "requested").length,
      requestsBefore,
      "no new request to share",
    );
    await artifacts.shot(visitor, "next-page");

    // The verdict, from every frame the visitor's page sent.
    const binary = sent.filter((f) => f.binary);
    assert.ok(binary.length >= 3, `page frames were sent (${binary.length})`);
    assert.ok(
      binary.some((f) => f.data.includes(Buffer.from(plain, "utf8"))),
      "an unmasked field's value is captured (the test would pass vacuously otherwise)",
    );
    assert.deepEqual(leaks(sent, Object.values(S)), [], "no secret in any frame the page sent");
    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors on the page");
    agent.close();
    await ctx.close();
  });
});

test("co-browse consent: Deny sends nothing, Stop stops", { timeout: 180_000 }, async () => {
  await withStack("cobrowse_consent", { agents: [AGENT] }, async (stack) => {
    const { artifacts } = stack;
    const { ctx, visitor, sent, agent, session } = await chatting(stack, "/lab/privacy.html");

    // Deny: nothing leaves the page, the agent is told.
    agent.send({ type: "cobrowse.request", session });
    await visible(visitor.getByTestId("tandem-share-prompt"), "the share prompt");
    await visitor.getByTestId("tandem-share-deny").click();
    await agent.next((f) => f.type === "cobrowse" && f.state === "off", "the share state back to off");
    await visible(visitor.locator('[data-testid="tandem-message"][data-kind="share"][data-action="denied"]'), "the 'declined' notice");
    await visitor.locator("#plain-name").pressSequentially("typed after deny", { delay: 10 });
    await visitor.mouse.move(200, 200);
    await visitor.mouse.move(400, 300);
    await PAUSE(800);
    assert.equal(sent.filter((f) => f.binary).length, 0, "no page frame after Deny");
    assert.equal(agent.pages.length, 0, "the agent received no page");
    await artifacts.shot(visitor, "denied");

    // The visitor shares on their own, then stops.
    await (await visible(visitor.getByTestId("tandem-share-start"), "the 'Share my screen' button")).click();
    await agent.nextPage((p) => p.kind === "keyframe", "a keyframe after 'Share my screen'");
    await visible(visitor.getByTestId("tandem-share-banner"), "the share banner");
    await visitor.getByTestId("tandem-launcher").click(); // close the panel: the banner stays
    await visible(visitor.getByTestId("tandem-share-banner"), "the share banner with the panel closed");
    await artifacts.shot(visitor, "banner-panel-closed");
    const offs = () => agent.frames.filter((f) => f.type === "cobrowse" && f.state === "off").length;
    const offsBefore = offs();
    await visitor.getByTestId("tandem-share-stop").click();
    const atStop = sent.filter((f) => f.binary).length;
    await waitUntil("the agent to hear that sharing stopped", () => offs() > offsBefore);
    await waitUntil("the banner to go", async () => !(await visitor.getByTestId("tandem-share-banner").isVisible()));
    await visitor.locator("#plain-name").fill("typed after stop");
    await visitor.mouse.move(300, 250);
    await visitor.mouse.move(500, 350);
    await visitor.evaluate(() => window.scrollTo(0, 200));
    await PAUSE(800);
    assert.equal(sent.filter((f) => f.binary).length, atStop, "no page frame after Stop");
    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors on the page");
    agent.close();
    await ctx.close();
  });
});

test("co-browse on the demo shop: prompt, banner, the agent's pointer and highlight", { timeout: 180_000 }, async () => {
  await withStack("cobrowse_overlay", { agents: [AGENT] }, async (stack) => {
    const { artifacts } = stack;
    const { ctx, visitor, agent, session } = await chatting(stack, "/index.html");
    agent.send({ type: "cobrowse.request", session });
    await visible(visitor.getByTestId("tandem-share-prompt"), "the share prompt");
    await artifacts.shot(visitor, "shop-prompt");
    await visitor.getByTestId("tandem-share-allow").click();
    const kf = await agent.nextPage((p) => p.kind === "keyframe", "the keyframe of the shop");
    await visible(visitor.getByTestId("tandem-share-banner"), "the share banner");
    await visitor.getByTestId("tandem-launcher").click();
    await artifacts.shot(visitor, "shop-banner");

    // The agent points at the main call to action and highlights a product card lower down.
    const cta = findNode(kf.body.root, (n) => n.k === "e" && n.t === "a" && /btn-primary/.test(attrOf(n, "class") || ""));
    assert.ok(cta, "the hero button is in the keyframe");
    agent.send({ type: "pointer", session, node: cta.i, x: 0.6, y: 0.7 });
    await visible(visitor.getByTestId("tandem-agent-pointer"), "the agent's pointer");
    const card = findNode(kf.body.root, (n) => n.k === "e" && /product-card|card/.test(attrOf(n, "class") || "") && n.t !== "a")
      ?? cta;
    agent.send({ type: "highlight", session, node: card.i, label: "This one is waterproof" });
    const hl = await visible(visitor.getByTestId("tandem-highlight"), "the highlight");
    assert.match(await hl.textContent(), /This one is waterproof/);
    await PAUSE(700); // smooth scroll into view
    const inView = await hl.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    });
    assert.ok(inView, "the highlighted element was scrolled into view");
    agent.send({ type: "pointer", session, node: card.i, x: 0.8, y: 0.3 });
    await PAUSE(300);
    await artifacts.shot(visitor, "shop-highlight");
    agent.send({ type: "highlight.clear", session });
    await waitUntil("the highlight to go", async () => (await visitor.getByTestId("tandem-highlight").count()) === 0);
    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors on the page");
    agent.close();
    await ctx.close();
  });
});
