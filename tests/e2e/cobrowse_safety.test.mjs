// Co-browsing safety in real Chromium (docs/security.md: the mirror runs none of the page's code): a hostile
// page shared with the agent runs nothing in the agent's console.
//
// static/demo/lab/hostile.html carries inline and SVG scripts, onerror and
// other handlers, javascript: and data: links, srcdoc frames, plugins, a
// meta refresh, a <base>, CSS script URLs, autofocus and forms aimed at the
// console's own logout. Each payload acts only when its origin is the Tandem
// server's — that is, only if it ran inside the console — and then sets
// window.top.pwned, the console's title and localStorage, fetches
// /pwned-…, opens an alert and navigates the console. The test asserts none
// of that happened, the console's URL never changed, and the mirror's DOM
// holds no live code.
//
// The first test shares the page through the real widget (which already
// leaves script bodies out; the page's meta refresh sits in a sandboxed
// same-origin frame, since Chrome would honour it on the page itself); the second sends, from a scripted visitor,
// frames a modified widget could send (script text, handlers, refresh
// pragmas, then deltas adding more), since the mirror must not trust the
// visitor's side at all.

import assert from "node:assert/strict";
import { test } from "node:test";

import { consoleLogin, goOnline, tag, visible, waitUntil, withStack } from "./harness.mjs";
import { AGENT, el, mirrorFrame, scriptedSharing, startChat, startSharing, txt, waitForLive } from "./mirror_support.mjs";

/** Watches the console page for every effect a payload could have. */
function watchConsole(agent) {
  const seen = { dialogs: [], requests: [], navigations: [] };
  agent.on("dialog", (d) => {
    seen.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  agent.on("request", (r) => {
    if (/pwned/i.test(r.url())) seen.requests.push(r.url());
  });
  agent.on("framenavigated", (f) => {
    if (f === agent.mainFrame()) seen.navigations.push(f.url());
  });
  return seen;
}

/**
 * Everything in the mirror that could be live code, through shadow roots and
 * frames. Runs in the console page.
 */
function liveCodeInMirror(session) {
  const found = [];
  const frame = document.querySelector(`[data-testid="mirror-frame"][data-session="${session}"]`);
  if (!frame || frame.getAttribute("sandbox") !== "allow-same-origin") found.push(`mirror sandbox: ${frame && frame.getAttribute("sandbox")}`);
  const scriptUrl = /^\s*(javascript|vbscript):/i;
  const visit = (root, where) => {
    for (const e of root.querySelectorAll("*")) {
      const tag = e.localName;
      if (tag === "script") found.push(`${where}: a <script>`);
      if (["object", "embed", "applet", "base"].includes(tag)) found.push(`${where}: <${tag}>`);
      if (tag === "meta" && e.hasAttribute("http-equiv")) found.push(`${where}: meta http-equiv`);
      for (const a of e.attributes) {
        const n = a.name.toLowerCase();
        if (n.startsWith("on")) found.push(`${where}: ${tag}[${n}]`);
        if (n === "srcdoc") found.push(`${where}: ${tag}[srcdoc]`);
        if (["href", "src", "action", "formaction", "xlink:href", "data", "to", "values"].includes(n) && scriptUrl.test(a.value)) {
          found.push(`${where}: ${tag}[${n}=${a.value.slice(0, 40)}]`);
        }
        if (n === "href" && /^\s*data:text\/html/i.test(a.value)) found.push(`${where}: ${tag}[href=data:text/html]`);
        if (n === "autofocus") found.push(`${where}: ${tag}[autofocus]`);
      }
      if (tag === "iframe") {
        if (e.getAttribute("sandbox") !== "allow-same-origin") found.push(`${where}: iframe sandbox=${e.getAttribute("sandbox")}`);
        if (e.hasAttribute("src")) found.push(`${where}: iframe[src]`);
        if (e.contentDocument?.documentElement) visit(e.contentDocument, `${where} > iframe`);
      }
      if (e.shadowRoot) visit(e.shadowRoot, `${where} > #shadow(${tag})`);
      const style = e.getAttribute("style") || "";
      if (/javascript:|expression\(/i.test(style)) found.push(`${where}: ${tag}[style=${style.slice(0, 60)}]`);
    }
    for (const sheet of root.adoptedStyleSheets || []) {
      for (const rule of sheet.cssRules) if (/javascript:|expression\(/i.test(rule.cssText)) found.push(`${where}: rule ${rule.cssText.slice(0, 60)}`);
    }
  };
  const doc = frame?.contentDocument;
  if (doc) visit(doc, "mirror");
  return found;
}

/** Tries what a careless agent (or a bug) could do in the mirror: follow links, submit forms, focus fields. */
function pokeMirror(session) {
  const doc = document.querySelector(`[data-testid="mirror-frame"][data-session="${session}"]`).contentDocument;
  const all = (root, sel) => {
    const out = [...root.querySelectorAll(sel)];
    for (const e of root.querySelectorAll("*")) if (e.shadowRoot) out.push(...all(e.shadowRoot, sel));
    for (const f of root.querySelectorAll("iframe")) if (f.contentDocument) out.push(...all(f.contentDocument, sel));
    return out;
  };
  let poked = 0;
  for (const a of all(doc, "a")) {
    a.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }));
    poked++;
  }
  for (const f of all(doc, "form")) {
    try {
      f.requestSubmit();
    } catch {}
    poked++;
  }
  for (const b of all(doc, "button")) {
    b.click();
    poked++;
  }
  for (const i of all(doc, "input")) {
    i.focus();
    poked++;
  }
  return poked;
}

/** Autofocus in the mirror must not take the agent's keyboard (checked before the test itself focuses fields). */
async function assertFocusKept(agent) {
  const focused = await agent.evaluate(() => document.activeElement?.localName ?? null);
  assert.notEqual(focused, "iframe", "focus never moved into the mirror");
}

/** Asserts the console shows no trace of a payload having run. */
async function assertUntouched(agent, seen, consoleUrl, session) {
  const state = await agent.evaluate(() => ({
    pwned: window.pwned ?? null,
    title: document.title,
    stored: localStorage.getItem("pwned"),
    url: location.href,
  }));
  assert.equal(state.pwned, null, "no payload set window.top.pwned in the console");
  assert.ok(!/pwned/i.test(state.title), `the console's title is its own: ${state.title}`);
  assert.equal(state.stored, null, "no payload wrote the console's localStorage");
  assert.equal(state.url, consoleUrl, "the console's URL did not change");
  assert.deepEqual(seen.dialogs, [], "no dialog opened");
  assert.deepEqual(seen.requests, [], "no request from the console to a payload's URL");
  assert.deepEqual(seen.navigations, [], "the console never navigated");
  const me = await agent.evaluate(async () => (await fetch("/api/v1/me")).status);
  assert.equal(me, 200, "the agent is still signed in (no form reached the console's logout)");
  assert.deepEqual(await agent.evaluate(liveCodeInMirror, session), [], "the mirror holds no live code");
}

test("co-browse safety: a hostile page shared through the widget runs nothing in the console", { timeout: 240_000 }, async () => {
  await withStack("cobrowse_safety", { agents: [AGENT] }, async (stack) => {
    const { artifacts } = stack;
    const { visitor, agent, session, visitorCtx, agentCtx } = await startChat(stack, "/lab/hostile.html");
    const seen = watchConsole(agent);
    const consoleUrl = agent.url();
    await startSharing(visitor, agent, session);
    // Let load-time handlers (image errors, details toggles, autofocus, SVG
    // animations) have their chance.
    await agent.waitForTimeout(2500);
    await artifacts.shot(agent, "hostile-mirror");
    await assertFocusKept(agent);

    // The agent clicks the javascript: link in the mirror: that highlights it
    // for the visitor (the overlay takes the click), nothing else.
    const link = await mirrorFrame(agent, session).evaluate((f) => {
      const r = f.contentDocument.getElementById("js-link").getBoundingClientRect();
      const s = f.getBoundingClientRect().width / f.offsetWidth;
      const box = f.getBoundingClientRect();
      return { x: box.left + (r.left + r.width / 2) * s, y: box.top + (r.top + r.height / 2) * s };
    });
    await agent.mouse.click(link.x, link.y);
    await visible(visitor.getByTestId("tandem-highlight"), "the highlight on the visitor's page");

    const poked = await agent.evaluate(pokeMirror, session);
    assert.ok(poked >= 8, `links, forms, buttons and fields were tried (${poked})`);
    await agent.waitForTimeout(1500);
    await assertUntouched(agent, seen, consoleUrl, session);

    // The console still works: a message reaches the visitor.
    const t = tag();
    await agent.getByTestId("chat-input").fill(`Still here (${t})`);
    await agent.getByTestId("chat-send").click();
    await visible(visitor.locator('[data-testid="tandem-message"][data-author="agent"]', { hasText: t }), "the agent's message in the widget");
    await artifacts.shot(agent, "console-after");
    await visitorCtx.close();
    await agentCtx.close();
  });
});

test("co-browse safety: frames a modified widget could send run nothing either", { timeout: 180_000 }, async () => {
  await withStack("cobrowse_safety_frames", { agents: [AGENT] }, async ({ server, browser, artifacts }) => {
    const agentCtx = await browser.newContext({ viewport: { width: 1600, height: 940 } });
    const agent = artifacts.watch(await agentCtx.newPage(), "agent");
    await consoleLogin(agent, server.server, AGENT.email, AGENT.password);
    await goOnline(agent);
    const seen = watchConsole(agent);
    const consoleUrl = agent.url();
    const { visitor, session } = await scriptedSharing(server, agent, `Hostile frames (${tag()})`);

    const T = server.server;
    const P = (t) =>
      `if(self.origin===${JSON.stringify(T)}){try{top.pwned=(top.pwned||'')+'${t};'}catch(e){}try{top.document.title='PWNED'}catch(e){}` +
      `try{localStorage.setItem('pwned','${t}')}catch(e){}try{fetch('${T}/pwned-${t}')}catch(e){}try{alert('${t}')}catch(e){}` +
      `try{top.location='${T}/agent#pwned-${t}'}catch(e){}}`;
    let id = 100;
    const n = () => ++id;
    const keyframe = {
      url: `${server.demo}/lab/hostile-frames`,
      title: "PWNED title",
      vw: 1200,
      vh: 760,
      doctype: "html",
      root: el(1, "html", { onload: P("html-onload") }, [
        el(2, "head", {}, [
          el(3, "meta", { "http-equiv": "refresh", content: `0;url=${T}/agent#pwned-refresh` }),
          el(4, "base", { href: `${T}/agent/`, target: "_top" }),
          el(5, "script", {}, [txt(6, P("head-script"))]),
          el(7, "SCRIPT", { src: `${T}/pwned-script-src` }),
          el(8, "style", {}, [], { css: `@import url("javascript:${P("import")}"); body{background:url("javascript:${P("css")}")} p{width:expression(alert(1))}` }),
          el(9, "link", { rel: "stylesheet", href: `${T}/pwned-link` }, [], { css: "h1{color:rgb(150,0,0)}" }),
          el(10, "link", { rel: "prefetch", href: `${T}/pwned-prefetch` }),
        ]),
        el(11, "body", { onload: P("body-onload") }, [
          el(12, "h1", {}, [txt(13, "Hostile frames")]),
          el(14, "img", { src: "data:,", onerror: P("img") }),
          el(15, "a", { id: "js", href: `javascript:${P("link")}` }, [txt(16, "js link")]),
          el(17, "a", { href: ` \tjava\nscript:${P("link2")}` }, [txt(18, "obfuscated link")]),
          el(19, "a", { href: `data:text/html,<script>${P("data")}</script>` }, [txt(20, "data link")]),
          el(21, "form", { action: `javascript:${P("form")}` }, [el(22, "button", { formaction: `javascript:${P("fa")}` }, [txt(23, "go")])]),
          el(24, "iframe", { srcdoc: `<script>${P("srcdoc")}</script>`, src: `${T}/pwned-iframe`, sandbox: "allow-scripts allow-same-origin" }, [], {
            d: el(25, "html", {}, [el(26, "body", { onload: P("frame-body") }, [el(27, "script", {}, [txt(28, P("frame-script"))]), el(29, "img", { src: "data:,", onerror: P("frame-img") })])]),
          }),
          el(30, "object", { data: `data:text/html,<script>${P("object")}</script>`, width: "120", height: "40" }),
          el(31, "embed", { src: `data:text/html,<script>${P("embed")}</script>`, width: "120", height: "40" }),
          el(32, "svg", { onload: P("svg") }, [
            el(33, "script", {}, [txt(34, P("svg-script"))], { ns: "svg" }),
            el(35, "a", { "xlink:href": `javascript:${P("xlink")}` }, [el(36, "text", { x: "5", y: "15" }, [txt(37, "x")], { ns: "svg" })], { ns: "svg" }),
            el(38, "set", { attributeName: "href", to: `javascript:${P("set")}` }, [], { ns: "svg" }),
            el(39, "handler", { type: "application/ecmascript" }, [txt(40, P("handler"))], { ns: "svg" }),
          ], { ns: "svg" }),
          el(41, "details", { open: "", ontoggle: P("toggle") }, [el(42, "summary", {}, [txt(43, "d")])]),
          el(44, "input", { autofocus: "", onfocus: P("focus") }),
          el(45, "div", { style: `background:url("javascript:${P("style")}");width:expression(alert(1))` }, [txt(46, "styled")]),
          el(47, "evil-host", {}, [], { s: [el(48, "script", {}, [txt(49, P("shadow-script"))]), el(50, "img", { src: "data:,", onerror: P("shadow-img") })] }),
          el(51, "scr<ipt", {}, [txt(52, "bad tag name")]),
          el(53, "canvas", { width: "10", height: "10" }),
          el(54, "p", { id: "target" }, [txt(55, "target")]),
        ]),
      ]),
    };
    visitor.sendPage("keyframe", 1, 0, keyframe);
    await waitForLive(agent, session);

    // Deltas trying to add what the keyframe could not.
    visitor.sendPage("delta", 1, 1, {
      ops: [
        { o: "attr", i: 54, n: "onclick", v: P("attr-onclick") },
        { o: "attr", i: 14, n: "onerror", v: P("attr-onerror") },
        { o: "attr", i: 14, n: "src", v: "data:,x" },
        { o: "attr", i: 54, n: "style", v: `background:url(javascript:${P("attr-style")})` },
        { o: "attr", i: 3, n: "content", v: `0;url=${T}/agent#pwned-refresh2` },
        { o: "attr", i: 15, n: "href", v: "https://example.com/safe" },
        { o: "attr", i: 15, n: "href", v: `javascript:${P("attr-href")}` },
        { o: "add", p: 11, n: el(n(), "script", {}, [txt(n(), P("added-script"))]) },
        { o: "add", p: 11, n: el(n(), "img", { src: "data:,", onerror: P("added-img") }) },
        { o: "add", p: 2, n: el(n(), "meta", { "http-equiv": "refresh", content: `0;url=${T}/agent#pwned-added-refresh` }) },
        { o: "add", p: 11, n: el(n(), "iframe", { srcdoc: `<script>${P("added-srcdoc")}</script>` }) },
        { o: "txt", i: 6, x: P("txt-script") },
        { o: "css", i: 8, css: `@import url("javascript:${P("css-op")}"); p{background-image:url("javascript:${P("css-op2")}")}` },
        { o: "adopt", i: 0, sheets: [`body{background:url("javascript:${P("adopt")}")}`] },
        { o: "canvas", i: 53, d: `data:text/html,<script>${P("canvas")}</script>` },
        { o: "val", i: 44, v: `<img src=x onerror=${P("val")}>` },
      ],
    });
    await waitUntil("the hostile delta in the mirror", () =>
      mirrorFrame(agent, session).evaluate((f) => f.contentDocument.querySelectorAll("img").length >= 2),
    );
    await agent.waitForTimeout(2000);
    await artifacts.shot(agent, "hostile-frames");
    await assertFocusKept(agent);

    const poked = await agent.evaluate(pokeMirror, session);
    assert.ok(poked >= 5, `links, forms, buttons and fields were tried (${poked})`);
    await agent.waitForTimeout(1500);
    await assertUntouched(agent, seen, consoleUrl, session);
    // The stylesheet arrived as text: its rules apply without loading the link.
    const h1 = await mirrorFrame(agent, session).evaluate((f) => getComputedStyle(f.contentDocument.querySelector("h1")).color);
    assert.equal(h1, "rgb(150, 0, 0)");

    visitor.close();
    await agentCtx.close();
  });
});
