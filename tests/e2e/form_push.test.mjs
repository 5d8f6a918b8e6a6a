// Form push and page push in real Chromium: the agent lists the visitor's
// fields, proposes values, the visitor accepts (all, or field by field) or
// rejects; values land so that the page's own code notices (event counts on
// a plain form, rendered state on a React-controlled form); protected
// fields, vanished fields, wrong values and a page left are refused with
// nothing changed; a page push moves the visitor and the session goes on;
// the console's form panel and the audit trail.
//
// Most tests drive the agent over its WebSocket (cobrowse_support.mjs) to
// stay fast; the last one uses the real console.
//
// Screenshots land in tests/e2e/artifacts/form_*/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { openWidget, tag, visible, waitUntil, withStack } from "./harness.mjs";
import { AgentSocket, agentToken } from "./cobrowse_support.mjs";
import { AGENT, mirrorPoint, shot, startChat, startSharing } from "./mirror_support.mjs";

/** A visitor on `path` sharing their screen with an agent driven over its socket. */
async function sharing({ server, browser, artifacts }, path) {
  const t = tag();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const visitor = artifacts.watch(await ctx.newPage(), "visitor");
  await visitor.goto(`${server.demo}${path}`);
  await openWidget(visitor);
  await visitor.getByTestId("tandem-chat-input").fill(`Can you fill this in with me? (${t})`);
  await visitor.getByTestId("tandem-request").click();
  const agent = await AgentSocket.connect(server.server, await agentToken(server.server, AGENT.email, AGENT.password));
  const session = await agent.acceptRequest(t);
  agent.send({ type: "cobrowse.request", session });
  await (await visible(visitor.getByTestId("tandem-share-allow"), "the visitor's Allow button")).click();
  await agent.next((f) => f.type === "cobrowse" && f.state === "active", "sharing to start");
  await agent.next((x) => x.page?.kind === "keyframe", "the first keyframe");
  return { visitor, agent, session };
}

/** Asks for the fields and returns the fresh listing, by name. */
async function listFields(agent, session) {
  const before = agent.frames.length;
  agent.send({ type: "form.fields.request", session });
  const f = await agent.next((x) => x.type === "form.fields" && agent.frames.indexOf(x) >= before, "the form fields");
  return { url: f.url, fields: Object.fromEntries(f.fields.map((x) => [x.name, x])), raw: f };
}

/** Pushes `values` ({name: value}) and returns the push's number. */
async function push(agent, session, url, fields, values) {
  const before = agent.frames.length;
  agent.send({
    type: "form.push",
    session,
    url,
    fields: Object.entries(values).map(([name, value]) => ({ node: fields[name].node, name, value })),
  });
  const ev = await agent.next(
    (f) => f.type === "event" && f.event.kind === "form_push" && agent.frames.indexOf(f) >= before,
    "the form_push audit event",
  );
  return ev.event.push;
}

/** The audit event answering push `n`. */
async function answerOf(agent, n) {
  const f = await agent.next((x) => x.type === "event" && x.event.kind === "form_answer" && x.event.push === n, `the answer to push ${n}`);
  return f.event;
}

const fieldEvents = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.fieldEvents)));
const valueOf = (page, sel) =>
  page.locator(sel).evaluate((el) => (el.type === "checkbox" || el.type === "radio" ? el.checked : el.value));

const PLAIN = {
  "full-name": "Ann Lee",
  email: "ann@example.com",
  phone: "+1 503 555 0100",
  party: "4",
  start: "2027-06-12",
  notes: "Two dogs, one stove",
  region: "coast",
  gear: ["tent", "bag"],
  insurance: true,
  pace: "steady",
};

test("form push: every field type on a plain form, applied with input and change events", { timeout: 120_000 }, async () => {
  await withStack("form_plain", { agents: [AGENT] }, async (stack) => {
    const { visitor, agent, session } = await sharing(stack, "/lab/form.html");
    const { url, fields, raw } = await listFields(agent, session);

    // What the agent sees: kinds, labels from <label>, aria-label, placeholder, legend.
    const kinds = Object.fromEntries(Object.values(fields).map((f) => [f.name, f.kind]));
    assert.deepEqual(kinds, {
      "full-name": "text", email: "email", phone: "tel", party: "number", start: "date", notes: "textarea",
      region: "select", gear: "select_multiple", insurance: "checkbox", pace: "radio",
      password: "text", card: "text", member: "text",
    });
    assert.equal(fields.party.label, "Party size");
    assert.equal(fields.notes.label, "Anything we should know");
    assert.equal(fields.insurance.label, "Add trip insurance");
    assert.equal(fields.pace.label, "Pace");
    assert.deepEqual(fields.pace.options.map((o) => o.value), ["easy", "steady", "fast"]);
    assert.equal(fields.pace.value, "easy");
    assert.deepEqual(fields.region.options.map((o) => o.value), ["", "cascades", "coast", "desert"]);
    // Protected fields are listed without their value; hidden inputs not at all.
    assert.equal(fields.password.refused, "password");
    assert.equal(fields.card.refused, "payment");
    assert.equal(fields.member.refused, "masked");
    for (const name of ["password", "card", "member"]) assert.equal(fields[name].value, undefined, name);
    const listing = JSON.stringify(raw);
    assert.ok(!listing.includes("NW-4411") && !listing.includes("t0k3n"), "a protected value left the page");

    const n = await push(agent, session, url, fields, PLAIN);
    const prompt = await visible(visitor.getByTestId("tandem-form-prompt"), "the visitor's prompt");
    assert.equal(await prompt.getByTestId("tandem-form-field").count(), 10);
    assert.equal(await visitor.getByTestId("tandem-highlight").count(), 10, "every proposed field is outlined");
    // Once the page has scrolled to the first field, each outline sits on its
    // field: the element under its centre is a form control (or the widget,
    // where the panel covers the page).
    await waitUntil("every outline on its field", () =>
      visitor.evaluate(() => {
        const host = document.getElementById("tandem-widget-root");
        const outlines = [...host.shadowRoot.querySelectorAll('[data-testid="tandem-highlight"]')];
        return outlines.every((o) => {
          const r = o.getBoundingClientRect();
          if (r.bottom < 0 || r.top > innerHeight) return true;
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return hit === host || !!hit?.closest("input, select, textarea");
        });
      }),
    );
    // Nothing changes before the visitor says yes.
    assert.deepEqual(await fieldEvents(visitor), {});
    assert.equal(await valueOf(visitor, "#email"), "");
    await shot(stack.artifacts, visitor, "prompt");

    await visitor.getByTestId("tandem-form-accept-all").click();
    const answer = await answerOf(agent, n);
    assert.equal(answer.outcome, "accepted");
    assert.deepEqual([...answer.applied].sort(), Object.keys(PLAIN).sort());
    assert.equal(await visitor.getByTestId("tandem-form-prompt").isVisible(), false);
    assert.equal(await visitor.getByTestId("tandem-highlight").count(), 0);

    for (const id of ["full-name", "email", "phone", "party", "start", "notes", "region"]) {
      assert.equal(await valueOf(visitor, `#${id}`), PLAIN[id], id);
    }
    assert.deepEqual(
      await visitor.locator("#gear").evaluate((s) => [...s.selectedOptions].map((o) => o.value)),
      ["tent", "bag"],
    );
    assert.equal(await valueOf(visitor, "#insurance"), true);
    assert.equal(await valueOf(visitor, 'input[name="pace"][value="steady"]'), true);
    const events = await fieldEvents(visitor);
    for (const name of Object.keys(PLAIN)) {
      assert.ok(events[name]?.input >= 1 && events[name]?.change >= 1, `${name} fired input and change: ${JSON.stringify(events[name])}`);
    }
    // A refreshed listing shows the new values.
    const after = await listFields(agent, session);
    assert.equal(after.fields.email.value, "ann@example.com");
    assert.deepEqual(after.fields.gear.value, ["tent", "bag"]);
    await shot(stack.artifacts, visitor, "applied");
  });
});

test("form push: a React-controlled form's state follows, field by field", { timeout: 120_000 }, async () => {
  await withStack("form_react", { agents: [AGENT] }, async (stack) => {
    const { visitor, agent, session } = await sharing(stack, "/delivery.html");
    const state = visitor.getByTestId("delivery-state");
    await visible(state, "the React form's summary");
    const { url, fields } = await listFields(agent, session);
    const values = {
      recipient: "Ann Lee",
      email: "ann@example.com",
      phone: "+1 503 555 0100",
      floor: "3",
      date: "2027-06-12",
      instructions: "Ring twice",
      slot: "evening",
      extras: ["gift", "recycle"],
      "leave-at-door": true,
      carrier: "bike",
    };
    const n = await push(agent, session, url, fields, values);
    await visible(visitor.getByTestId("tandem-form-prompt"), "the visitor's prompt");
    await visitor.getByTestId("tandem-form-accept-all").click();
    assert.equal((await answerOf(agent, n)).outcome, "accepted");
    // React re-rendered from its own state.
    await waitUntil("React's state to show every value", async () => {
      const t = await state.textContent();
      return [
        "Ann Lee", "ann@example.com", "+1 503 555 0100", "floor 3", "2027-06-12", "evening",
        "gift+recycle", "leave at door", "bike", "Ring twice",
      ].every((s) => t.includes(s)) && t;
    });
    await shot(stack.artifacts, visitor, "react-applied");

    // Field by field: the visitor takes the recipient, turns down the slot.
    const m = await push(agent, session, url, fields, { recipient: "Bo Kim", slot: "morning" });
    const rows = visitor.getByTestId("tandem-form-field");
    await visible(rows, "the proposed fields");
    await rows.filter({ hasText: "Bo Kim" }).getByTestId("tandem-form-accept").click();
    await rows.filter({ hasText: "morning" }).getByTestId("tandem-form-reject").click();
    const answer = await answerOf(agent, m);
    assert.equal(answer.outcome, "partial");
    assert.deepEqual(answer.applied, ["recipient"]);
    assert.deepEqual(answer.rejected, ["slot"]);
    await waitUntil("the accepted value in React's state", async () => (await state.textContent()).includes("Bo Kim"));
    assert.ok((await state.textContent()).includes("evening"), "the rejected slot kept its value");
  });
});

test("form push: rejected, protected, vanished, wrong or stale pushes change nothing", { timeout: 120_000 }, async () => {
  await withStack("form_refusals", { agents: [AGENT] }, async (stack) => {
    const { visitor, agent, session } = await sharing(stack, "/lab/form.html");
    const { url, fields } = await listFields(agent, session);

    // The visitor says no.
    const n = await push(agent, session, url, fields, { email: "x@example.com", party: "2" });
    await visible(visitor.getByTestId("tandem-form-prompt"), "the prompt");
    await visitor.getByTestId("tandem-form-reject-all").click();
    const rejected = await answerOf(agent, n);
    assert.equal(rejected.outcome, "rejected");
    assert.deepEqual(rejected.rejected, ["email", "party"]);

    // Refused by the widget before anything is shown.
    await visitor.locator("#phone").evaluate((el) => el.remove());
    const cases = [
      [{ password: "hunter2" }, "password"],
      [{ card: "4111111111111111" }, "payment"],
      [{ member: "NW-0000" }, "masked"],
      [{ phone: "+1 555 0101" }, "gone"],
      [{ party: "four" }, "invalid_value"],
      [{ start: "2027-13-45" }, "invalid_value"],
      [{ region: "moon" }, "invalid_value"],
    ];
    for (const [values, reason] of cases) {
      const m = await push(agent, session, url, fields, values);
      const a = await answerOf(agent, m);
      assert.equal(a.outcome, "failed", JSON.stringify(values));
      assert.equal(a.errors[0].reason, reason, JSON.stringify(values));
      assert.deepEqual(a.applied, []);
    }
    // One bad field fails the whole push: the good one is not applied either.
    const mixed = await push(agent, session, url, fields, { email: "y@example.com", party: "x" });
    const a = await answerOf(agent, mixed);
    assert.equal(a.outcome, "failed");
    assert.deepEqual(a.errors.map((e) => e.name), ["party"]);
    // A push made for another page.
    const stale = await push(agent, session, `${url}?step=2`, fields, { email: "z@example.com" });
    assert.equal((await answerOf(agent, stale)).errors[0].reason, "left_page");

    assert.equal(await visitor.getByTestId("tandem-form-prompt").isVisible(), false, "no prompt for refused pushes");
    assert.deepEqual(await fieldEvents(visitor), {}, "the page's fields heard nothing");
    assert.equal(await valueOf(visitor, "#email"), "");
    assert.equal(await valueOf(visitor, "#password"), "");
    assert.equal(await valueOf(visitor, "#member"), "NW-4411");
  });
});

test("form push in the console: panel, mirror click, push, show me, page push across pages, audit", { timeout: 180_000 }, async () => {
  await withStack("form_console", { agents: [AGENT] }, async (stack) => {
    const { visitor, agent, session } = await startChat(stack, "/lab/form.html");
    await startSharing(visitor, agent, session);

    await agent.getByTestId("form-open").click();
    const panel = await visible(agent.getByTestId("form-panel"), "the form panel");
    const row = (name) => panel.locator(`[data-testid="form-field"][data-name="${name}"]`);
    await visible(row("email"), "the email field in the panel");
    // Protected fields are shown greyed and cannot be edited.
    assert.equal(await row("password").getAttribute("data-refused"), "password");
    assert.equal(await row("password").getByTestId("form-input").count(), 0);
    assert.equal((await row("member").getByTestId("form-current").textContent()).trim(), "protected");

    // Clicking a field in the mirror selects it in the panel.
    const at = await mirrorPoint(agent, session, "#email");
    await agent.mouse.click(at.x, at.y);
    await waitUntil("the email row to be selected", async () => (await row("email").getAttribute("class")).includes("selected"));

    await row("email").getByTestId("form-input").fill("ann@example.com");
    await row("region").getByTestId("form-input").selectOption("desert");
    await shot(stack.artifacts, agent, "console-form-panel");
    await agent.getByTestId("form-push").click();

    await visible(visitor.getByTestId("tandem-form-prompt"), "the visitor's prompt");
    await shot(stack.artifacts, visitor, "widget-prompt");
    await visitor.getByTestId("tandem-form-accept-all").click();
    await waitUntil("the values on the visitor's page", async () => (await valueOf(visitor, "#email")) === "ann@example.com");
    assert.equal(await valueOf(visitor, "#region"), "desert");
    const log = agent.locator(`[data-testid="chat"][data-session="${session}"] [data-testid="message"][data-author="system"]`);
    await visible(log.filter({ hasText: "Form push: email, region — accepted 2 of 2" }), "the audit line in the chat");

    // Show me: the visitor's page outlines the field.
    await row("notes").getByTestId("form-show").click();
    await visible(visitor.getByTestId("tandem-highlight"), "the highlight on the visitor's page");

    // A refusal reaches the agent as a clear line.
    await row("party").getByTestId("form-input").fill("four");
    await agent.getByTestId("form-push").click();
    await visible(log.filter({ hasText: "party: value does not fit the field" }), "the refusal in the chat");

    // Page push: the visitor confirms, lands on the cart, the session goes on.
    await agent.getByTestId("page-url").fill("/cart.html");
    await agent.getByTestId("page-push").click();
    await visible(visitor.getByTestId("tandem-page-prompt"), "the page prompt");
    await shot(stack.artifacts, visitor, "page-prompt");
    await visitor.getByTestId("tandem-page-open").click();
    await visitor.waitForURL(/\/cart\.html$/);
    await visible(log.filter({ hasText: "The visitor opened" }), "the page answer in the chat");
    // Still sharing on the new page: the mirror follows.
    await waitUntil("the mirror to show the cart", async () =>
      (await agent.locator(".mirror-url").first().textContent()).includes("cart.html"));
    await visible(visitor.getByTestId("tandem-share-banner"), "the sharing banner on the new page");
    // The form panel now lists the cart page's fields.
    await agent.getByTestId("form-refresh").click();
    await waitUntil("the panel to list the cart page", async () => (await row("email").count()) === 0);
    await shot(stack.artifacts, agent, "console-after-page-push");

    // The stored transcript holds the trail, names only.
    const token = await agentToken(stack.server.server, AGENT.email, AGENT.password);
    const transcript = await (await fetch(`${stack.server.server}/api/v1/sessions/${session}/transcript`, {
      headers: { authorization: `Bearer ${token}` },
    })).text();
    const kinds = JSON.parse(transcript).events.map((e) => e.kind).filter((k) => /^(form|page)_/.test(k));
    assert.deepEqual(kinds, ["form_push", "form_answer", "form_push", "form_answer", "page_push", "page_answer"]);
    assert.ok(!transcript.includes("ann@example.com"), "a pushed value reached the transcript");
  });
});
