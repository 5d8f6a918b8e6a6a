// The pages the co-browse benchmark captures (bench/cobrowse.mjs): plain
// HTML generated here from a seed, so every run and both tools see the same
// document, parsed by the browser like a real site's. A realistic mix: a
// header with navigation, sections of nested divs (product cards), texts
// with inline elements, lists, a table, a form, a stylesheet and some
// inline styles. No whitespace between tags, so the count of nodes
// (elements and text nodes, what both tools serialise) is known exactly.
//
// The page loads static/bench/cobrowse-page.js (the mutation scripts and
// the rrweb driver), rrweb's bundle, and the Tandem widget through the
// embed snippet of docs/sdk.md, as a customer site would.

const WORDS = (
  "alpine basecamp cirrus delta ember fjord glacier harbour island juniper kestrel lagoon meadow " +
  "nordic orchard pine quartz ridge summit timber umber valley willow yonder zephyr trail jacket " +
  "boots tent pack lantern stove rope compass map bottle socks gloves scarf beanie shell fleece"
).split(" ");

/** mulberry32: a small seeded generator, the same sequence in node and in the page. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STYLESHEET = [
  "*{box-sizing:border-box}",
  "body{margin:0;font:15px/1.45 system-ui,sans-serif;color:#1d2a22;background:#f6f7f4}",
  "header{display:flex;gap:1rem;align-items:center;padding:.75rem 1.5rem;background:#1f3d2e;color:#fff}",
  "header nav ul{display:flex;gap:.75rem;list-style:none;margin:0;padding:0}",
  "header a{color:#dfe9e2;text-decoration:none}",
  "main{max-width:1100px;margin:0 auto;padding:1rem 1.5rem}",
  "section{margin:1rem 0;padding:1rem;border:1px solid #dfe3dd;border-radius:10px;background:#fff}",
  "h2{font-size:1.15rem;margin:0 0 .5rem}",
  "h3{font-size:1rem;margin:.25rem 0}",
  ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:.75rem}",
  ".card{border:1px solid #e3e6e1;border-radius:8px;padding:.6rem;background:#fbfcfa}",
  ".card.active{outline:2px solid #2f7a55}",
  ".card .price{font-weight:700;color:#2f7a55}",
  ".card .meta{font-size:.85rem;color:#5b665f}",
  ".badge{display:inline-block;padding:0 .35rem;border-radius:4px;background:#e8f3ec;font-size:.8rem}",
  ".list li{padding:.1rem 0}",
  ".list li.new{color:#7a4b2f}",
  "table{border-collapse:collapse;width:100%}",
  "th,td{border-bottom:1px solid #e6e8e4;padding:.3rem .5rem;text-align:left}",
  "tr:nth-child(even) td{background:#f8faf7}",
  "form .row{display:flex;gap:.5rem;margin:.35rem 0;align-items:center}",
  "label{min-width:8rem}",
  "input,select,textarea{font:inherit;padding:.25rem .4rem;border:1px solid #c9d0ca;border-radius:5px}",
  "button{font:inherit;padding:.35rem .8rem;border:0;border-radius:6px;background:#2f7a55;color:#fff}",
  ".nest{padding-left:.5rem;border-left:2px solid #eef1ec}",
  "footer{padding:2rem 1.5rem;color:#5b665f}",
  "[data-state=open]{background:#fffbe8}",
  "#lat{font-size:.9rem}",
].join("");

/** Escapes text for HTML (the generated words need none, but titles might). */
const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/**
 * The HTML of a page of about `nodes` nodes (elements + text nodes), from
 * `seed`. `tandemUrl`: where the widget is loaded from. Returns {html, nodes}
 * with the exact count the body and head hold.
 */
export function generatePage({ nodes, seed = 1, tandemUrl }) {
  const rnd = prng(seed);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const words = (n) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
  const title = () => {
    const w = words(int(2, 4));
    return w[0].toUpperCase() + w.slice(1);
  };
  let count = 0;
  let uid = 0;
  // Each helper returns HTML and adds what it creates to `count`.
  const el = (tag, attrs, inner) => {
    count += 1;
    const a = Object.entries(attrs || {})
      .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
      .join("");
    return `<${tag}${a}>${inner ?? ""}</${tag}>`;
  };
  const void_ = (tag, attrs) => {
    count += 1;
    const a = Object.entries(attrs || {})
      .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
      .join("");
    return `<${tag}${a}>`;
  };
  const text = (s) => {
    count += 1;
    return esc(s);
  };
  // The text of a script or a style element is not HTML: no entities.
  const raw = (s) => {
    count += 1;
    return s;
  };
  const styled = () => (rnd() < 0.08 ? { style: `margin-left:${int(0, 6)}px;color:#${int(16, 80)}3${int(10, 60)}2` } : {});

  const paragraph = () =>
    el(
      "p",
      styled(),
      text(words(int(6, 14)) + " ") +
        el("em", {}, text(words(int(1, 3)))) +
        text(" " + words(int(4, 10)) + " ") +
        el("a", { href: `/guide/${++uid}` }, text(words(2))) +
        text("."),
    );
  const card = () =>
    el(
      "div",
      { class: `card c${int(1, 6)}`, "data-sku": `SKU-${++uid}`, ...styled() },
      el(
        "div",
        { class: "card-body" },
        el("h3", {}, text(title())) +
          el("p", { class: "meta" }, text(words(int(5, 9)))) +
          el("span", { class: "price" }, text(`$${int(9, 400)}.${int(10, 99)}`)) +
          text(" ") +
          el("span", { class: "badge" }, text(pick(["new", "sale", "eco", "pro"]))),
      ),
    );
  const list = () =>
    el(
      rnd() < 0.7 ? "ul" : "ol",
      { class: "list" },
      Array.from({ length: int(4, 9) }, () =>
        el("li", {}, rnd() < 0.3 ? el("a", { href: `/item/${++uid}` }, text(title())) + text(" " + words(3)) : text(words(int(3, 7)))),
      ).join(""),
    );
  const table = () => {
    const cols = int(3, 5);
    const head = el("thead", {}, el("tr", {}, Array.from({ length: cols }, () => el("th", {}, text(title()))).join("")));
    const rows = Array.from({ length: int(4, 10) }, () =>
      el("tr", {}, Array.from({ length: cols }, (_, c) => el("td", {}, text(c === 0 ? title() : String(int(1, 999))))).join("")),
    ).join("");
    return el("table", {}, head + el("tbody", {}, rows));
  };
  const form = () => {
    const id = ++uid;
    const row = (label, field) => el("div", { class: "row" }, el("label", { for: `f${id}-${label}` }, text(label)) + field);
    return el(
      "form",
      { action: "/order", method: "post" },
      row("Name", void_("input", { id: `f${id}-Name`, name: "name", value: title() })) +
        row("Email", void_("input", { id: `f${id}-Email`, type: "email", name: "email", value: `v${id}@example.test` })) +
        row(
          "Size",
          el(
            "select",
            { id: `f${id}-Size`, name: "size" },
            ["S", "M", "L", "XL"].map((s) => el("option", { value: s }, text(s))).join(""),
          ),
        ) +
        row("Note", el("textarea", { id: `f${id}-Note`, name: "note", rows: 2 }, text(words(5)))) +
        row("Gift", void_("input", { id: `f${id}-Gift`, type: "checkbox", name: "gift" })) +
        el("button", { type: "submit" }, text("Send")),
    );
  };
  const nested = (depth) =>
    depth === 0
      ? paragraph()
      : el("div", { class: `nest d${depth}` }, nested(depth - 1) + (rnd() < 0.5 ? nested(depth - 1 - (depth > 2 ? 1 : 0)) : ""));

  const blocks = [
    () => el("div", { class: "grid" }, Array.from({ length: int(4, 8) }, card).join("")),
    list,
    table,
    () => paragraph() + paragraph(),
    () => nested(int(2, 4)),
    form,
  ];

  // Fixed parts first: head, header, the latency probe, footer.
  const head =
    el("head", {},
      void_("meta", { charset: "utf-8" }) +
      el("title", {}, text(`Bench page, ${nodes} nodes`)) +
      el("style", {}, raw(STYLESHEET)) +
      el("script", { src: "/cobrowse-page.js" }) +
      el("script", { src: "/rrweb.js" }));
  const header = el(
    "header",
    {},
    el("strong", {}, text("Northwind Outfitters")) +
      el("nav", {}, el("ul", {}, ["Shop", "Trips", "Journal", "Help"].map((s) => el("li", {}, el("a", { href: `/${s.toLowerCase()}` }, text(s)))).join(""))),
  );
  // What the latency measurement changes (a text, a list, an element's attributes).
  const lat = el(
    "section",
    { id: "lat" },
    el("span", { id: "lat-text" }, text("L-")) + el("ul", { id: "lat-list" }) + el("div", { id: "lat-attr", "data-lat": "L-" }, text("attributes")),
  );
  const footer = el("footer", {}, text(`© Northwind, page seed ${seed}`));
  // The widget's snippet: a script element and its text.
  const snippet = el(
    "script",
    {},
    raw(
      `!function(w,d,u){var T=w.Tandem=w.Tandem||{q:[]};"init open close identify requestHelp send mask on shutdown".split(" ").forEach(function(m){T[m]=T[m]||function(){var c=[m,arguments];T.q.push(c);if(m=="on")return function(){if(T.off)T.off(c[1][0],c[1][1]);else{var i=T.q.indexOf(c);i<0||T.q.splice(i,1)}}}});var s=d.createElement("script");s.async=1;s.src=u+"/widget/tandem.js";d.head.appendChild(s)}(window,document,${JSON.stringify(tandemUrl)});Tandem.init({site:"demo",server:${JSON.stringify(tandemUrl)}});`,
    ),
  );
  // html and body themselves.
  count += 2;
  const sections = [];
  while (count < nodes) {
    const parts = [];
    const inner = el("h2", {}, text(title())) + Array.from({ length: int(1, 3) }, () => pick(blocks)()).join("");
    parts.push(inner);
    sections.push(el("section", { class: `s${sections.length % 7}` }, parts.join("")));
  }
  const html = `<!doctype html><html lang="en">${head}<body>${header}<main>${lat}${sections.join("")}</main>${footer}${snippet}</body></html>`;
  return { html, nodes: count };
}
