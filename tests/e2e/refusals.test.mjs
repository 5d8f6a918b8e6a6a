// What must not work: the widget embedded on an origin the site does not
// allow gets no session, and a wrong password does not open the console.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { consoleLogin, goOnline, openWidget, pickTopic, ROOT, serveHtml, tag, visible, widgetBanner, withStack } from "./harness.mjs";

const AGENT = { email: "ben@northwind.test", name: "Ben Outfitter", password: "the right password" };

test("a page on a foreign origin gets no session", { timeout: 120_000 }, async () => {
  await withStack("foreign_origin", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    // The real demo home page, same snippet and site id, but served from
    // another port: its origin is not one the site `demo` allows.
    const html = readFileSync(path.join(ROOT, "static/demo/index.html"), "utf8")
      .replaceAll("{{TANDEM_URL}}", server.server)
      .replaceAll('href="shop.css"', `href="${server.demo}/shop.css"`)
      .replaceAll('src="shop.js"', `src="${server.demo}/shop.js"`);
    const foreign = await serveHtml(html);
    try {
      const t = tag();
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const page = artifacts.watch(await ctx.newPage(), "visitor");
      // What the server answered on the visitor socket, seen from the browser.
      const sockets = { opened: 0, welcomed: 0 };
      page.on("websocket", (ws) => {
        if (!ws.url().includes("/ws/visitor")) return;
        sockets.opened += 1;
        ws.on("framereceived", (f) => {
          if (typeof f.payload === "string" && f.payload.includes('"welcome"')) sockets.welcomed += 1;
        });
      });
      await page.goto(foreign.url);

      // The widget itself loads (its files are served to any origin)...
      await openWidget(page);
      await pickTopic(page);
      await page.getByTestId("tandem-chat-input").fill(`Can anyone hear me? (${t})`);
      await page.getByTestId("tandem-request").click();
      // ...but it can't connect: it says so, and never gets a place in line.
      const banner = await visible(widgetBanner(page), "the widget's connection banner");
      await artifacts.shot(page, "visitor-refused");
      assert.notEqual((await banner.textContent()).trim(), "", "the banner says something");
      const status = (await page.getByTestId("tandem-queue-status").first().textContent()) ?? "";
      assert.ok(!/\d/.test(status), `no queue position on a refused origin: "${status}"`);
      assert.ok(sockets.opened >= 1, "the widget tried to connect");
      assert.equal(sockets.welcomed, 0, "the server never welcomed a visitor from a foreign origin");

      // And nothing reached the agents.
      const agentCtx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const agent = artifacts.watch(await agentCtx.newPage(), "agent");
      await consoleLogin(agent, server.server, AGENT.email, AGENT.password);
      await goOnline(agent);
      await agent.waitForTimeout(1500);
      assert.equal(await agent.getByTestId("queue-item").count(), 0, "the queue stays empty");
      await artifacts.shot(agent, "agent-empty-queue");
      await ctx.close();
      await agentCtx.close();
    } finally {
      await foreign.close();
    }
  });
});

test("a wrong password is refused by the console", { timeout: 60_000 }, async () => {
  await withStack("wrong_password", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = artifacts.watch(await ctx.newPage(), "agent");
    await consoleLogin(page, server.server, AGENT.email, "not the password");
    await visible(page.getByTestId("login-error"), "the console's login error");
    await artifacts.shot(page, "login-refused");
    assert.equal(await page.getByTestId("presence-toggle").count(), 0, "no console behind a failed login");
    // The API says the same thing the screen does.
    const res = await page.request.post(`${server.server}/api/v1/login`, {
      data: { email: AGENT.email, password: "not the password" },
    });
    assert.equal(res.status(), 401);
    assert.equal((await res.json()).code, "bad_credentials");
    await ctx.close();
  });
});
