// The demo shop, served by `tandem serve --demo-listen`, works on its own:
// the embed snippet points at the real server, a product goes into the cart,
// and the checkout form validates before it "places" the order.

import assert from "node:assert/strict";
import { test } from "node:test";

import { visible, waitUntil, withStack } from "./harness.mjs";

test("demo shop: snippet, cart and checkout", { timeout: 120_000 }, async () => {
  await withStack("demo_shop", {}, async ({ server, browser, artifacts }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = artifacts.watch(await context.newPage(), "shopper");

    // Every page carries the snippet with the server's URL filled in.
    for (const file of ["index.html", "product.html", "cart.html", "checkout.html", "account.html", "delivery.html"]) {
      const res = await page.request.get(`${server.demo}/${file}`);
      assert.equal(res.status(), 200, `${file} is served`);
      const html = await res.text();
      assert.ok(!html.includes("{{TANDEM_URL}}"), `${file}: placeholder replaced`);
      assert.ok(html.includes(`"${server.server}"`), `${file}: snippet points at ${server.server}`);
      assert.ok(html.includes('Tandem.init({site:"demo"'), `${file}: snippet initialises site demo`);
    }

    await page.goto(`${server.demo}/`);
    await visible(page.locator(".product-card"), "the product grid");
    assert.equal(await page.locator(".product-card").count(), 8);
    // The stub queued init before the widget (if any) loaded.
    assert.equal(await page.evaluate(() => typeof window.Tandem?.init), "function");
    await artifacts.shot(page, "home");

    await page.locator('.product-card[data-product="stormline-shell"] a.cover').click();
    await visible(page.getByTestId("product-name").filter({ hasText: "Stormline Shell Jacket" }), "the product page");
    await page.getByTestId("add-to-cart").click();
    await visible(page.locator("#size-error", { hasText: "size" }), "the size error");
    await page.locator("label.size", { hasText: /^M$/ }).click();
    await page.getByTestId("add-to-cart").click();
    await waitUntil("the cart count to be 1", async () => (await page.getByTestId("cart-count").first().textContent()) === "1");
    await artifacts.shot(page, "product");

    await page.getByTestId("cart-link").click();
    await visible(page.getByTestId("cart-line"), "the cart line");
    assert.equal(await page.getByTestId("summary-subtotal").textContent(), "$179.00");
    await page.getByTestId("go-to-checkout").click();

    // An empty form is refused field by field.
    await page.getByTestId("place-order").click();
    await visible(page.locator("#checkout-error"), "the checkout error banner");
    assert.equal(await page.locator("#card-number").getAttribute("aria-invalid"), "true");
    await artifacts.shot(page, "checkout-invalid");

    await page.fill("#email", "sam@example.com");
    await page.fill("#phone", "+1 503 555 0199");
    await page.fill("#full-name", "Sam Rivera");
    await page.fill("#street", "742 Alder Street");
    await page.fill("#city", "Portland");
    await page.fill("#postal-code", "97205");
    await page.selectOption("#country", "US");
    await page.fill("#card-number", "4242424242424242");
    await page.fill("#card-expiry", "12/39");
    await page.fill("#card-cvc", "123");
    assert.equal(await page.locator("#card-number").getAttribute("autocomplete"), "cc-number");
    await page.getByTestId("place-order").click();
    await visible(page.getByTestId("order-confirmation"), "the order confirmation");
    await artifacts.shot(page, "checkout-done");
    assert.equal(await page.getByTestId("cart-count").first().textContent(), "0");

    await page.goto(`${server.demo}/account.html`);
    await page.fill("#signin-email", "sam@example.com");
    await page.fill("#signin-password", "hunter22");
    await page.getByTestId("signin-submit").click();
    await visible(page.getByTestId("profile-form"), "the profile form");
    await visible(page.locator("#orders-list li", { hasText: "NW-" }), "the placed order in the account");
    await artifacts.shot(page, "account");

    assert.deepEqual(artifacts.pageErrors, [], "no uncaught errors on the shop's pages");
    await context.close();
  });
});
