// Screen pop in real Chromium: the demo site names its CRM's page for a
// customer; when Ana accepts a visitor the site verified (a signed identity
// token), the console opens that page in a new tab, filled in and encoded,
// and the customer panel links to it. A visitor who only claims an identity
// opens nothing. Screenshots land in tests/e2e/artifacts/screen_pop/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { consoleLogin, goOnline, identityToken, openWidget, serveHtml, tag, visible, withStack } from "./harness.mjs";

const ANA = { email: "ana@northwind.test", name: "Ana Outfitter", password: "correct horse battery staple" };

/** A visitor with `identity` asks for help; returns the page and the message's tag. */
async function asks(browser, artifacts, server, label, identity) {
  const t = tag();
  const page = artifacts.watch(await (await browser.newContext()).newPage(), label);
  await page.goto(`${server.demo}/index.html`);
  await page.evaluate((who) => window.Tandem.identify(who), identity);
  await openWidget(page);
  await page.getByTestId("tandem-chat-input").fill(`${label} needs help (${t})`);
  await page.getByTestId("tandem-request").click();
  await visible(page.getByTestId("tandem-queue-status"), `${label}'s place in the queue`);
  return t;
}

test("screen pop: accepting a verified customer opens their CRM page", { timeout: 180_000 }, async () => {
  const crm = await serveHtml("<!doctype html><html lang=en><title>Northwind CRM</title><h1>Customer record</h1></html>");
  const template = `${crm.url}/index.html?customer={external_id}&email={email}`;
  try {
    await withStack("screen_pop", { agents: [ANA], sites: [{ id: "demo", screenPop: template }] }, async ({ server, browser, artifacts }) => {
      const agentCtx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const agent = artifacts.watch(await agentCtx.newPage(), "ana");
      await consoleLogin(agent, server.server, ANA.email, ANA.password);
      await goOnline(agent);

      const secret = await server.siteSecret("demo");
      const kim = { id: "crm 42", name: "Kim Lee", email: "kim+vip@example.com", token: identityToken(secret, "crm 42") };
      const t = await asks(browser, artifacts, server, "kim", kim);
      await visible(agent.getByTestId("offer").filter({ hasText: t }), "the offer for Kim");
      const opened = agentCtx.waitForEvent("page");
      await agent.getByTestId("offer-accept").click();
      const tab = await opened;
      await tab.waitForLoadState();
      const expected = `${crm.url}/index.html?customer=crm%2042&email=kim%2Bvip%40example.com`;
      assert.equal(tab.url(), expected, "the CRM page of this customer, encoded");
      assert.equal(await tab.evaluate(() => window.opener), null, "the CRM tab cannot reach back into the console");
      await tab.close();

      const link = await visible(agent.getByTestId("customer-crm"), "the panel's link to the CRM");
      assert.equal(await link.getAttribute("href"), expected);
      assert.equal(await link.getAttribute("target"), "_blank");
      assert.match(await link.textContent(), /Open in CRM.*opens in a new tab/);
      await artifacts.shot(agent, "panel-with-crm-link");

      // Claimed, not signed: nothing opens, and the panel has no link.
      const pages = agentCtx.pages().length;
      const claimed = await asks(browser, artifacts, server, "claimer", { id: "crm 42", email: "kim+vip@example.com" });
      await agent.getByTestId("end-session").click();
      await (await visible(agent.getByTestId("close-session"), "Kim's chat's close button")).click();
      await visible(agent.getByTestId("offer").filter({ hasText: claimed }), "the offer for the claimer");
      await agent.getByTestId("offer-accept").click();
      await visible(agent.getByTestId("customer-name").filter({ hasText: "crm 42" }).or(agent.getByTestId("customer-trust")), "the claimer's panel");
      assert.equal(agentCtx.pages().length, pages, "no tab opened for an unverified identity");
      assert.equal(await agent.getByTestId("customer-crm").count(), 0);
    });
  } finally {
    await crm.close();
  }
});
