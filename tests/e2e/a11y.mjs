// The accessibility check every browser test runs at each step it records
// (Artifacts.shot): axe-core's WCAG 2.0/2.1/2.2 A and AA rules on what
// Tandem draws in the page — the widget (its host and open shadow root) on
// a site's page, the whole document on the agent console. Any violation
// fails the test, naming the rule, the element and axe's explanation.
//
// Not checked: the site's own page around the widget (not ours), and the
// mirror's iframe content in the console (the visitor's page, replayed).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The rule tags of WCAG 2.2 level AA (which includes 2.0 and 2.1, A and AA). */
export const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** The widget's host element (widget-wasm/src/view/panel.rs, HOST_ID). */
const WIDGET_HOST = "#tandem-widget-root";

/**
 * Runs axe on Tandem's part of `page`; returns its violations as
 * [{id, impact, help, nodes: [{target, summary}]}], empty when it passes
 * or when the page shows nothing of Tandem.
 */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe === "object").catch(() => false);
  // Evaluated by the debugger protocol, which a page's CSP does not govern.
  if (!loaded) await page.evaluate(AXE_SOURCE);
  // A fading element's colours are not what anyone reads: let finite
  // animations and transitions end first (the spinner's never does).
  await page.evaluate(async (host) => {
    const roots = [document, document.querySelector(host)?.shadowRoot].filter(Boolean);
    const running = roots
      .flatMap((r) => r.getAnimations())
      .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity);
    const settled = Promise.all(running.map((a) => a.finished.catch(() => {})));
    await Promise.race([settled, new Promise((r) => setTimeout(r, 2000))]);
  }, WIDGET_HOST);
  return page.evaluate(
    async ({ tags, host }) => {
      const onConsole = location.pathname.startsWith("/agent");
      const widget = document.querySelector(host);
      if (!onConsole && !widget) return [];
      const context = onConsole ? document : { include: [host] };
      const result = await window.axe.run(context, {
        runOnly: { type: "tag", values: tags },
        // The mirror is the visitor's page; axe is not loaded there.
        iframes: false,
        resultTypes: ["violations"],
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.flat().join(" >> "), summary: n.failureSummary })),
      }));
    },
    { tags: WCAG_AA, host: WIDGET_HOST },
  );
}

/** Readable lines for a failure message. */
export function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `    ${n.target}\n      ${n.summary.replace(/\n/g, "\n      ")}`)
        .join("\n");
      const more = v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : "";
      return `  [${v.impact}] ${v.id}: ${v.help}\n${nodes}${more}`;
    })
    .join("\n");
}

/** Fails with every WCAG A/AA violation in Tandem's part of `page`, at `step`. */
export async function assertAccessible(page, step) {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    throw new Error(`accessibility (axe, WCAG 2.2 AA) at "${step}" on ${page.url()}:\n${describeViolations(violations)}`);
  }
}

/**
 * The element that has the keyboard focus, looking into open shadow roots
 * (the widget's): its data-testid, else its tag name.
 */
export function focusedTestId(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a?.getAttribute("data-testid") || a?.tagName.toLowerCase() || "";
  });
}

/**
 * Presses Tab (Shift+Tab with `back`) until the element with `testid` has
 * the focus: proof that the keyboard alone reaches it. Fails after `max`.
 */
export async function tabTo(page, testid, { back = false, max = 80 } = {}) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    const now = await focusedTestId(page);
    if (now === testid) return;
    seen.push(now);
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  throw new Error(`${testid} was not reached with ${back ? "Shift+Tab" : "Tab"} in ${max} presses; focus went ${seen.slice(-15).join(" → ")}`);
}
