// Northwind Outfitters — the demo shop's only script.
//
// A small, believable shop for trying Tandem on: a catalogue with drawn (SVG)
// product images, a cart kept in localStorage, a checkout form with client-side
// validation and a fake account. Nothing here talks to a server; the Tandem
// widget is loaded separately by the embed snippet at the end of every page.
"use strict";

(function () {
  // ---------------------------------------------------------------- catalogue

  const PRODUCTS = [
    {
      id: "ridgeline-daypack", name: "Ridgeline 28L Daypack", category: "Packs", price: 8900,
      rating: 4.8, reviews: 214, art: "pack", badge: "Best seller",
      colors: [["Spruce", "#2f5d46"], ["Ember", "#c8612d"], ["Slate", "#4a5563"]],
      sizes: null,
      blurb: "A do-everything daypack with a weatherproof roll of ripstop, a padded laptop sleeve and a hip belt that actually carries the load.",
      features: ["28 litres, 1.1 kg", "Recycled 420D ripstop with PFC-free finish", "Padded 16\" laptop sleeve", "Stowable hip belt and sternum strap", "Lifetime repairs"],
    },
    {
      id: "stormline-shell", name: "Stormline Shell Jacket", category: "Apparel", price: 17900,
      rating: 4.7, reviews: 168, art: "jacket", badge: "New",
      colors: [["Glacier", "#3d7ea6"], ["Moss", "#5b6b3a"], ["Carbon", "#2d2f33"]],
      sizes: ["XS", "S", "M", "L", "XL"],
      blurb: "Three-layer waterproof shell that breathes on the climb and packs into its own chest pocket for the descent.",
      features: ["20,000 mm waterproof, 15,000 g breathability", "Helmet-compatible hood", "Pit zips and two hand pockets", "Packs into chest pocket", "410 g (size M)"],
    },
    {
      id: "basecamp-tent", name: "Basecamp 2P Tent", category: "Camp", price: 24900,
      rating: 4.9, reviews: 92, art: "tent", badge: null,
      colors: [["Sunset", "#d9822b"], ["Forest", "#3f6b4b"]],
      sizes: null,
      blurb: "A freestanding two-person tent that pitches in four minutes, sheds wind from any side and still has room for your boots.",
      features: ["2.1 kg trail weight", "Two doors, two vestibules", "Colour-coded clips for fast pitching", "Footprint included", "Seam-taped 68D polyester fly"],
    },
    {
      id: "switchback-boots", name: "Switchback Hiking Boots", category: "Footwear", price: 15900,
      rating: 4.6, reviews: 305, art: "boot", badge: null,
      colors: [["Walnut", "#7a4e2d"], ["Graphite", "#3b3f45"]],
      sizes: ["7", "8", "9", "10", "11", "12"],
      blurb: "Full-grain leather mids with a waterproof membrane and a grippy lugged sole. Broken in by the second trail, not the tenth.",
      features: ["Waterproof, breathable membrane", "Vibram-style 5 mm lugs", "Resoleable construction", "Half sizes on request", "640 g per boot (size 9)"],
    },
    {
      id: "canyon-bottle", name: "Canyon Insulated Bottle 750 ml", category: "Accessories", price: 3200,
      rating: 4.9, reviews: 512, art: "bottle", badge: null,
      colors: [["Sage", "#8fa68e"], ["Sand", "#cdb58c"], ["Lake", "#3b6e8f"]],
      sizes: null,
      blurb: "Double-wall steel keeps coffee hot for 12 hours and water cold for 24. Dishwasher-safe, dent-forgiving, and it never tastes of metal.",
      features: ["750 ml", "Hot 12 h, cold 24 h", "Leak-proof loop cap", "Powder-coated grip", "BPA-free"],
    },
    {
      id: "harbor-beanie", name: "Harbor Merino Beanie", category: "Apparel", price: 2800,
      rating: 4.8, reviews: 141, art: "beanie", badge: null,
      colors: [["Rust", "#b5532f"], ["Heather", "#8a8f99"], ["Navy", "#26344f"]],
      sizes: null,
      blurb: "A soft rib-knit merino beanie with a fold-up cuff. Warm when wet, never itchy, and just the right amount of slouch.",
      features: ["100% responsibly sourced merino", "Fold-up cuff", "One size fits most", "Hand wash cold"],
    },
    {
      id: "lumen-headlamp", name: "Lumen 400 Headlamp", category: "Accessories", price: 4500,
      rating: 4.5, reviews: 88, art: "headlamp", badge: null,
      colors: [["Signal", "#e0b12b"], ["Night", "#2b2b2b"]],
      sizes: null,
      blurb: "400 lumens, a red night mode and USB-C charging. Tilts 60° and stays put on a run.",
      features: ["400 lumen max, 60 h on low", "Red light mode", "USB-C rechargeable", "IPX4 splash-proof", "82 g with battery"],
    },
    {
      id: "aurora-bag", name: "Aurora 20° Sleeping Bag", category: "Camp", price: 19900,
      rating: 4.7, reviews: 76, art: "bag", badge: "Sale",
      colors: [["Aurora", "#5a4fa0"], ["Pine", "#2f5d46"]],
      sizes: ["Regular", "Long"],
      blurb: "650-fill responsibly sourced down in a roomy mummy cut, rated comfortable to 20 °F / −7 °C.",
      features: ["650-fill RDS down", "Comfort 20 °F / −7 °C", "Draft collar and anti-snag zip", "Compression sack included", "1.05 kg (Regular)"],
    },
  ];

  const byId = (id) => PRODUCTS.find((p) => p.id === id);

  // ---------------------------------------------------------------- drawing

  // Mix a #rrggbb colour towards black (amount < 0) or white (amount > 0).
  function shade(hex, amount) {
    const n = parseInt(hex.slice(1), 16);
    const mix = (c) => Math.round(amount < 0 ? c * (1 + amount) : c + (255 - c) * amount);
    const r = mix(n >> 16), g = mix((n >> 8) & 255), b = mix(n & 255);
    return "#" + ((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1);
  }

  // Inline SVG for a product in a colour. Simple flat shapes, drawn on a
  // 240×240 canvas, so every product has an image without any asset files.
  function productArt(product, colorHex, label) {
    const c = colorHex || product.colors[0][1];
    const d = shade(c, -0.3);
    const l = shade(c, 0.35);
    const shadow = (w) => `<ellipse cx="120" cy="214" rx="${w}" ry="9" fill="#1c2421" opacity=".09"/>`;
    let body = "";
    switch (product.art) {
      case "pack":
        body = shadow(64) +
          `<path d="M88 66q0-34 32-34t32 34" fill="none" stroke="${d}" stroke-width="9" stroke-linecap="round"/>` +
          `<rect x="62" y="58" width="116" height="150" rx="32" fill="${c}"/>` +
          `<path d="M62 104q58-30 116 0v-14q0-32-32-32h-52q-32 0-32 32z" fill="${d}"/>` +
          `<rect x="106" y="88" width="28" height="40" rx="7" fill="${d}"/>` +
          `<rect x="110" y="116" width="20" height="10" rx="2" fill="#ece6d8"/>` +
          `<rect x="80" y="138" width="80" height="56" rx="16" fill="${l}"/>` +
          `<path d="M86 154h68" stroke="${d}" stroke-width="3"/>` +
          `<circle cx="148" cy="154" r="4.5" fill="#ece6d8"/>` +
          `<path d="M62 128h-6q-6 0-6 8v36q0 8 6 8h6M178 128h6q6 0 6 8v36q0 8-6 8h-6" fill="${d}"/>`;
        break;
      case "jacket":
        body = shadow(70) +
          `<path d="M90 40l30 14 30-14 38 20 22 92-26 8-16-52v102H72V108l-16 52-26-8 22-92z" fill="${c}"/>` +
          `<path d="M90 40q30-26 60 0l-30 22z" fill="${d}"/>` +
          `<path d="M120 60v148" stroke="${d}" stroke-width="4"/>` +
          `<path d="M84 136h24M132 136h24" stroke="${d}" stroke-width="4" stroke-linecap="round"/>` +
          `<path d="M72 196h96" stroke="${d}" stroke-width="6"/>` +
          `<path d="M132 80h18" stroke="${l}" stroke-width="4" stroke-linecap="round"/>`;
        break;
      case "tent":
        body = shadow(100) +
          `<path d="M22 202Q120-40 218 202z" fill="${c}"/>` +
          `<path d="M120 82Q76 130 66 202M120 82q44 48 54 120" stroke="${d}" stroke-width="4" fill="none"/>` +
          `<path d="M120 112q-24 50-28 90h56q-4-40-28-90z" fill="${d}"/>` +
          `<path d="M120 114v88" stroke="${l}" stroke-width="3"/>` +
          `<path d="M22 202 6 212M218 202l16 10" stroke="#8b8170" stroke-width="3" stroke-linecap="round"/>` +
          `<circle cx="120" cy="81" r="5" fill="${d}"/>`;
        break;
      case "boot":
        body = shadow(92) +
          `<path d="M64 34h70l4 88q56 8 70 40 6 14 0 24H50q-10 0-8-12l12-62z" fill="${c}"/>` +
          `<path d="M150 126q48 8 58 40l-2 20h-40q-2-34-16-60z" fill="${d}"/>` +
          `<path d="M64 34h70v16H64z" fill="${d}"/>` +
          `<path d="M40 184h176q4 16-10 18H52q-14 0-12-18z" fill="#3a2f27"/>` +
          `<path d="M50 196h150" stroke="#5a4a3c" stroke-width="3" stroke-dasharray="8 6"/>` +
          `<path d="M96 62l34 6M94 80l36 6M92 98l38 6M96 68l34-6M94 86l36-6M92 104l38-6" stroke="${l}" stroke-width="3" stroke-linecap="round"/>`;
        break;
      case "bottle":
        body = shadow(50) +
          `<rect x="92" y="22" width="56" height="28" rx="9" fill="#2e3338"/>` +
          `<path d="M104 22q16-16 32 0" stroke="#2e3338" stroke-width="6" fill="none"/>` +
          `<rect x="98" y="46" width="44" height="16" fill="${d}"/>` +
          `<rect x="74" y="58" width="92" height="152" rx="28" fill="${c}"/>` +
          `<rect x="88" y="80" width="10" height="104" rx="5" fill="#fff" opacity=".25"/>` +
          `<circle cx="124" cy="138" r="20" fill="none" stroke="${l}" stroke-width="4"/>` +
          `<path d="M110 146l9-12 6 7 4-5 7 10z" fill="${l}"/>`;
        break;
      case "beanie":
        body = shadow(76) +
          `<path d="M50 164q0-106 70-106t70 106z" fill="${c}"/>` +
          `<path d="M78 80q-10 36-10 82M100 64q-6 40-6 98M120 58v104M140 64q6 40 6 98M162 80q10 36 10 82" stroke="${d}" stroke-width="3" fill="none" opacity=".5"/>` +
          `<circle cx="120" cy="46" r="22" fill="${l}"/>` +
          `<rect x="42" y="150" width="156" height="50" rx="14" fill="${d}"/>` +
          `<path d="M58 156v38M74 156v38M90 156v38M150 156v38M166 156v38M182 156v38" stroke="${c}" stroke-width="3" opacity=".6"/>` +
          `<rect x="104" y="162" width="32" height="24" rx="4" fill="#efe7d6"/>` +
          `<path d="M112 178l8-9 8 9" stroke="${d}" stroke-width="2.5" fill="none"/>`;
        break;
      case "headlamp":
        body = shadow(80) +
          `<path d="M164 124 240 82v84z" fill="#ffe7a1" opacity=".55"/>` +
          `<ellipse cx="100" cy="124" rx="78" ry="52" fill="none" stroke="#2e3338" stroke-width="14"/>` +
          `<ellipse cx="100" cy="124" rx="78" ry="52" fill="none" stroke="#4a5058" stroke-width="4" stroke-dasharray="2 10"/>` +
          `<rect x="120" y="94" width="68" height="60" rx="18" fill="${c}"/>` +
          `<circle cx="164" cy="124" r="19" fill="#fff8d8" stroke="${d}" stroke-width="5"/>` +
          `<circle cx="164" cy="124" r="8" fill="#ffe7a1"/>` +
          `<rect x="130" y="86" width="20" height="10" rx="3" fill="${d}"/>`;
        break;
      case "bag":
        body = shadow(56) +
          `<path d="M120 20q54 0 58 58 4 64-16 130-42 14-84 0-20-66-16-130 4-58 58-58z" fill="${c}"/>` +
          `<ellipse cx="120" cy="66" rx="34" ry="28" fill="${d}"/>` +
          `<ellipse cx="120" cy="70" rx="22" ry="17" fill="#1d1d22" opacity=".55"/>` +
          `<path d="M68 112q52 14 104 0M68 142q52 14 104 0M72 172q48 14 96 0" stroke="${d}" stroke-width="3" fill="none" opacity=".7"/>` +
          `<path d="M152 94q12 56 2 110" stroke="${l}" stroke-width="3" stroke-dasharray="5 4" fill="none"/>`;
        break;
    }
    const title = label || product.name;
    return `<svg viewBox="0 0 240 240" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
  }

  // A soft tinted background behind product art, derived from its colour.
  const tint = (hex) => `background: radial-gradient(circle at 50% 42%, ${shade(hex, 0.86)} 0%, ${shade(hex, 0.93)} 62%, #fbfaf7 100%)`;

  // ---------------------------------------------------------------- helpers

  function esc(s) {
    return String(s).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch]));
  }
  const money = (cents) => "$" + (cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const stars = (rating) => `<span class="stars" aria-hidden="true"><span style="width:${(rating / 5) * 100}%"></span></span>`;

  function load(key, fallback) {
    try {
      const raw = localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (_) {
      return fallback;
    }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (_) { /* private mode: the cart just won't persist */ }
  }

  function toast(html) {
    let region = $(".toast-region");
    if (!region) {
      region = document.createElement("div");
      region.className = "toast-region";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    const el = document.createElement("div");
    el.className = "toast";
    el.innerHTML = html;
    region.appendChild(el);
    setTimeout(() => el.remove(), 4200);
  }

  // Calls into the Tandem SDK (the stub queues calls until the widget loads).
  function tandem(method, ...args) {
    const T = window.Tandem;
    if (T && typeof T[method] === "function") return T[method](...args);
    return undefined;
  }

  // ---------------------------------------------------------------- cart

  const CART_KEY = "nw-cart";
  const PROMO_KEY = "nw-promo";
  const ORDERS_KEY = "nw-orders";
  const ACCOUNT_KEY = "nw-account";
  const PROMOS = { TRAIL10: 0.1 };
  const FREE_SHIPPING_FROM = 10000;

  const cart = {
    lines() { return load(CART_KEY, []).filter((l) => byId(l.id)); },
    set(lines) { save(CART_KEY, lines); updateCartCount(); },
    add(id, color, size, qty) {
      const lines = cart.lines();
      const same = lines.find((l) => l.id === id && l.color === color && l.size === size);
      if (same) same.qty = Math.min(99, same.qty + qty);
      else lines.push({ id, color, size, qty });
      cart.set(lines);
    },
    count() { return cart.lines().reduce((n, l) => n + l.qty, 0); },
  };

  function colorHex(product, name) {
    const found = product.colors.find((c) => c[0] === name);
    return (found || product.colors[0])[1];
  }

  // Totals for the cart, with the shipping method chosen at checkout.
  function totals(lines, shipping = "standard") {
    const subtotal = lines.reduce((s, l) => s + byId(l.id).price * l.qty, 0);
    const promo = load(PROMO_KEY, null);
    const discount = promo && PROMOS[promo] ? Math.round(subtotal * PROMOS[promo]) : 0;
    let ship = 0;
    if (subtotal > 0) {
      if (shipping === "express") ship = 1995;
      else ship = subtotal - discount >= FREE_SHIPPING_FROM ? 0 : 795;
    }
    const tax = Math.round((subtotal - discount) * 0.08);
    return { subtotal, discount, promo, ship, tax, total: subtotal - discount + ship + tax };
  }

  function updateCartCount() {
    const n = cart.count();
    $$("[data-cart-count]").forEach((el) => {
      el.textContent = String(n);
    });
    $$(".cart-link").forEach((a) => a.setAttribute("aria-label", `Cart, ${n} item${n === 1 ? "" : "s"}`));
  }

  function summaryHtml(t, { showShipping = true } = {}) {
    return `<dl>
      <dt>Subtotal</dt><dd data-testid="summary-subtotal">${money(t.subtotal)}</dd>
      ${t.discount ? `<dt class="discount">Promo ${esc(t.promo)}</dt><dd class="discount">−${money(t.discount)}</dd>` : ""}
      ${showShipping ? `<dt>Shipping</dt><dd>${t.ship === 0 ? (t.subtotal ? "Free" : "—") : money(t.ship)}</dd>` : ""}
      <dt>Estimated tax</dt><dd>${money(t.tax)}</dd>
      <dt class="total">Total</dt><dd class="total" data-testid="summary-total">${money(t.total)}</dd>
    </dl>`;
  }

  // ---------------------------------------------------------------- pages

  function productCard(p) {
    const hex = p.colors[0][1];
    return `<article class="product-card" data-category="${esc(p.category)}" data-product="${esc(p.id)}">
      <a class="cover" href="product.html?id=${encodeURIComponent(p.id)}" aria-label="${esc(p.name)}"></a>
      ${p.badge ? `<span class="badge">${esc(p.badge)}</span>` : ""}
      <div class="product-media" style="${tint(hex)}">${productArt(p, hex)}</div>
      <div class="product-body">
        <span class="cat">${esc(p.category)}</span>
        <h3>${esc(p.name)}</h3>
        <div class="rating">${stars(p.rating)} ${p.rating.toFixed(1)} (${p.reviews})</div>
        <div class="row">
          <span class="price">${money(p.price)}</span>
          <span class="swatches-mini">${p.colors.map((c) => `<i style="background:${c[1]}" title="${esc(c[0])}"></i>`).join("")}</span>
        </div>
      </div>
    </article>`;
  }

  function initHome() {
    const grid = $("#product-grid");
    if (!grid) return;
    const render = (category) => {
      grid.innerHTML = PRODUCTS.filter((p) => category === "All" || p.category === category).map(productCard).join("");
    };
    render("All");
    $$(".filters .chip").forEach((chip) => {
      chip.addEventListener("click", () => {
        $$(".filters .chip").forEach((c) => c.setAttribute("aria-pressed", String(c === chip)));
        render(chip.dataset.filter);
      });
    });
    const news = $("#newsletter-form");
    if (news) {
      news.addEventListener("submit", (e) => {
        e.preventDefault();
        const email = $("#newsletter-email").value.trim();
        const note = $("#newsletter-note");
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
          note.textContent = "Please enter a valid email address.";
          return;
        }
        note.textContent = `Thanks! Trail notes are on their way to ${email}.`;
        news.reset();
      });
    }
  }

  function initProduct() {
    const root = $("#product-root");
    if (!root) return;
    const id = new URLSearchParams(location.search).get("id");
    const p = byId(id) || (id ? null : PRODUCTS[0]);
    if (!p) {
      root.innerHTML = `<div class="card empty-state" style="margin:2rem 0">
        <h1>We couldn't find that product</h1>
        <p>It may have sold out for the season. Have a look at what's on the shelves instead.</p>
        <a class="btn btn-dark" href="index.html">Back to the shop</a></div>`;
      return;
    }
    document.title = `${p.name} — Northwind Outfitters`;
    $("#crumb-category").textContent = p.category;
    $("#crumb-name").textContent = p.name;

    let color = p.colors[0][0];
    root.innerHTML = `
      <div class="gallery">
        <div class="gallery-main" id="gallery-main" style="${tint(p.colors[0][1])}">${productArt(p, p.colors[0][1])}</div>
        <div class="gallery-thumbs" role="group" aria-label="Colours">
          ${p.colors.map((c, i) => `<button type="button" data-color="${esc(c[0])}" aria-pressed="${i === 0}" style="${tint(c[1])}" aria-label="${esc(c[0])}">${productArt(p, c[1], c[0])}</button>`).join("")}
        </div>
      </div>
      <div class="product-info">
        <span class="cat">${esc(p.category)}</span>
        <h1 data-testid="product-name">${esc(p.name)}</h1>
        <div class="rating">${stars(p.rating)} <span>${p.rating.toFixed(1)} · ${p.reviews} reviews</span></div>
        <span class="price" data-testid="product-price">${money(p.price)}</span>
        <p class="desc">${esc(p.blurb)}</p>
        <form id="buy-form" novalidate>
          <fieldset class="option-group">
            <legend>Colour <output id="color-name">${esc(color)}</output></legend>
            <div class="swatches">
              ${p.colors.map((c, i) => `<label class="swatch" title="${esc(c[0])}"><input type="radio" name="color" value="${esc(c[0])}" ${i === 0 ? "checked" : ""} aria-label="${esc(c[0])}"><span style="background:${c[1]}"></span></label>`).join("")}
            </div>
          </fieldset>
          ${p.sizes ? `<fieldset class="option-group">
            <legend>Size <output id="size-name">Choose a size</output></legend>
            <div class="sizes">
              ${p.sizes.map((s) => `<label class="size"><input type="radio" name="size" value="${esc(s)}"><span>${esc(s)}</span></label>`).join("")}
            </div>
            <div class="field-error" id="size-error" role="alert"></div>
          </fieldset>` : ""}
          <div class="buy-row">
            <div class="qty">
              <button type="button" data-step="-1" aria-label="Decrease quantity">−</button>
              <input type="number" id="qty" name="qty" value="1" min="1" max="99" inputmode="numeric" aria-label="Quantity">
              <button type="button" data-step="1" aria-label="Increase quantity">+</button>
            </div>
            <button type="submit" class="btn btn-primary" data-testid="add-to-cart">Add to cart · <span id="buy-price">${money(p.price)}</span></button>
          </div>
        </form>
        <div class="assurances">
          <div>${icon("truck")} Free shipping on orders over $100 — ships in 1–2 business days</div>
          <div>${icon("return")} 60-day returns, even if it's been on a trail</div>
          <div>${icon("wrench")} Lifetime repairs on everything we make</div>
        </div>
        <details class="more" open><summary>Details</summary><ul>${p.features.map((f) => `<li>${esc(f)}</li>`).join("")}</ul></details>
        <details class="more"><summary>Shipping &amp; returns</summary><p>Standard shipping is free over $100 and $7.95 otherwise; express (1–2 days) is $19.95. Returns are free within 60 days — start one from your account.</p></details>
        <div class="help-callout">
          ${icon("chat")}
          <p><strong>Not sure about fit or specs?</strong><br>Our outfitters answer in minutes.</p>
          <button type="button" class="btn btn-dark" data-tandem-open>Ask an outfitter</button>
        </div>
      </div>`;

    const setColor = (name) => {
      color = name;
      const hex = colorHex(p, name);
      const main = $("#gallery-main");
      main.innerHTML = productArt(p, hex);
      main.setAttribute("style", tint(hex));
      $("#color-name").textContent = name;
      $$(".gallery-thumbs button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.color === name)));
      const radio = $$('input[name="color"]').find((r) => r.value === name);
      if (radio) radio.checked = true;
    };
    $$('input[name="color"]').forEach((r) => r.addEventListener("change", () => setColor(r.value)));
    $$(".gallery-thumbs button").forEach((b) => b.addEventListener("click", () => setColor(b.dataset.color)));
    $$('input[name="size"]').forEach((r) => r.addEventListener("change", () => {
      $("#size-name").textContent = r.value;
      $("#size-error").textContent = "";
    }));

    const qty = $("#qty");
    const clampQty = () => {
      const n = Math.max(1, Math.min(99, parseInt(qty.value, 10) || 1));
      qty.value = String(n);
      $("#buy-price").textContent = money(p.price * n);
      return n;
    };
    $$(".buy-row .qty button").forEach((b) => b.addEventListener("click", () => {
      qty.value = String((parseInt(qty.value, 10) || 1) + Number(b.dataset.step));
      clampQty();
    }));
    qty.addEventListener("change", clampQty);

    $("#buy-form").addEventListener("submit", (e) => {
      e.preventDefault();
      let size = null;
      if (p.sizes) {
        const picked = $('input[name="size"]:checked');
        if (!picked) {
          $("#size-error").textContent = "Please choose a size.";
          return;
        }
        size = picked.value;
      }
      const n = clampQty();
      cart.add(p.id, color, size, n);
      toast(`Added ${n} × ${esc(p.name)} to your cart. <a href="cart.html">View cart</a>`);
    });

    const related = $("#related-grid");
    if (related) {
      related.innerHTML = PRODUCTS.filter((x) => x.id !== p.id)
        .sort((a, b) => (b.category === p.category) - (a.category === p.category))
        .slice(0, 4).map(productCard).join("");
    }
  }

  function initCart() {
    const root = $("#cart-root");
    if (!root) return;

    const render = () => {
      const lines = cart.lines();
      if (!lines.length) {
        root.innerHTML = `<div class="card empty-state" data-testid="cart-empty">
          ${emptyCartArt()}
          <h2>Your cart is empty</h2>
          <p>Nothing here yet — the trail is waiting.</p>
          <a class="btn btn-primary" href="index.html">Continue shopping</a></div>`;
        return;
      }
      const t = totals(lines);
      const toFree = FREE_SHIPPING_FROM - (t.subtotal - t.discount);
      root.innerHTML = `<div class="cart-layout">
        <ul class="cart-items">
          ${lines.map((l, i) => {
            const p = byId(l.id);
            const hex = colorHex(p, l.color);
            return `<li class="cart-item" data-testid="cart-line" data-index="${i}">
              <div class="cart-thumb" style="${tint(hex)}">${productArt(p, hex)}</div>
              <div>
                <h3><a href="product.html?id=${encodeURIComponent(p.id)}">${esc(p.name)}</a></h3>
                <div class="meta">${esc(l.color)}${l.size ? ` · Size ${esc(l.size)}` : ""}</div>
                <div class="controls">
                  <div class="qty">
                    <button type="button" data-step="-1" aria-label="Decrease quantity">−</button>
                    <input type="number" value="${l.qty}" min="1" max="99" aria-label="Quantity for ${esc(p.name)}">
                    <button type="button" data-step="1" aria-label="Increase quantity">+</button>
                  </div>
                  <button type="button" class="link-btn small" data-remove>Remove</button>
                </div>
              </div>
              <div class="line-total">${money(p.price * l.qty)}<span class="unit">${money(p.price)} each</span></div>
            </li>`;
          }).join("")}
        </ul>
        <aside class="card summary" aria-label="Order summary">
          <h2>Order summary</h2>
          ${summaryHtml(t)}
          <form class="promo" id="promo-form">
            <label class="visually-hidden" for="promo-code">Promo code</label>
            <input type="text" id="promo-code" placeholder="Promo code" value="${esc(t.promo || "")}" autocomplete="off">
            <button class="btn btn-ghost" type="submit">Apply</button>
          </form>
          <div class="promo-msg" id="promo-msg"></div>
          <a class="btn btn-primary btn-block" href="checkout.html" data-testid="go-to-checkout">Proceed to checkout</a>
          <p class="note">${toFree > 0 ? `Add ${money(toFree)} more for free standard shipping.` : "Your order ships free."} Taxes are estimated.</p>
        </aside>
      </div>`;

      $$(".cart-item").forEach((li) => {
        const i = Number(li.dataset.index);
        const setQty = (n) => {
          const all = cart.lines();
          all[i].qty = Math.max(1, Math.min(99, n || 1));
          cart.set(all);
          render();
        };
        li.querySelectorAll(".qty button").forEach((b) => b.addEventListener("click", () => setQty(cart.lines()[i].qty + Number(b.dataset.step))));
        li.querySelector(".qty input").addEventListener("change", (e) => setQty(parseInt(e.target.value, 10)));
        li.querySelector("[data-remove]").addEventListener("click", () => {
          const rest = cart.lines();
          rest.splice(i, 1);
          cart.set(rest);
          render();
        });
      });
      $("#promo-form").addEventListener("submit", (e) => {
        e.preventDefault();
        const code = $("#promo-code").value.trim().toUpperCase();
        if (!code) {
          save(PROMO_KEY, null);
          render();
          return;
        }
        if (PROMOS[code]) {
          save(PROMO_KEY, code);
          render();
          $("#promo-msg").textContent = `${code} applied: ${PROMOS[code] * 100}% off.`;
        } else {
          $("#promo-msg").textContent = "That code isn't valid. Try TRAIL10.";
        }
      });
    };
    render();
  }

  // ---------------------------------------------------------------- checkout

  function luhn(digits) {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return sum % 10 === 0;
  }

  // Each rule returns an error message, or "" when the value is fine.
  const RULES = {
    "full-name": (v) => (v.trim().length >= 2 ? "" : "Enter the name of the person receiving the order."),
    email: (v) => (/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(v.trim()) ? "" : "Enter a valid email address, like you@example.com."),
    phone: (v) => (v.replace(/[^\d]/g, "").length >= 7 ? "" : "Enter a phone number so the courier can reach you."),
    street: (v) => (v.trim().length >= 4 ? "" : "Enter your street address."),
    city: (v) => (v.trim().length >= 2 ? "" : "Enter your city."),
    "postal-code": (v) => (/^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/.test(v.trim()) ? "" : "Enter a valid postal code."),
    country: (v) => (v ? "" : "Choose a country."),
    "card-number": (v) => {
      const d = v.replace(/[\s-]/g, "");
      if (!/^\d{13,19}$/.test(d)) return "Enter the 13–19 digit number on your card.";
      return luhn(d) ? "" : "That card number doesn't look right.";
    },
    "card-expiry": (v) => {
      const m = /^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/.exec(v.trim());
      if (!m) return "Use the format MM/YY.";
      const month = Number(m[1]);
      const year = m[2].length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
      if (month < 1 || month > 12) return "Use the format MM/YY.";
      const now = new Date();
      if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1)) return "This card has expired.";
      return "";
    },
    "card-cvc": (v) => (/^\d{3,4}$/.test(v.trim()) ? "" : "Enter the 3 or 4 digit security code."),
  };

  function validateField(input) {
    const rule = RULES[input.id];
    if (!rule) return true;
    const msg = rule(input.value);
    const err = document.getElementById(input.id + "-error");
    if (err) err.textContent = msg;
    input.setAttribute("aria-invalid", msg ? "true" : "false");
    return !msg;
  }

  function initCheckout() {
    const form = $("#checkout-form");
    if (!form) return;
    const summary = $("#checkout-summary");

    const shipping = () => ($('input[name="shipping"]:checked') || {}).value || "standard";
    const renderSummary = (lines = cart.lines(), placed = false) => {
      const t = totals(lines, shipping());
      summary.innerHTML = `<h2>${placed ? "Your order" : "Order summary"}</h2>
        ${lines.length ? `<ul class="mini-lines">${lines.map((l) => {
          const p = byId(l.id);
          const hex = colorHex(p, l.color);
          return `<li><div class="cart-thumb" style="${tint(hex)}">${productArt(p, hex)}<b>${l.qty}</b></div>
            <div>${esc(p.name)}<small>${esc(l.color)}${l.size ? ` · ${esc(l.size)}` : ""}</small></div><span>${money(p.price * l.qty)}</span></li>`;
        }).join("")}</ul>` : `<p class="small">Your cart is empty. <a href="index.html">Browse the shop</a>.</p>`}
        ${summaryHtml(t)}
        ${placed ? "" : `<p class="note"><a href="cart.html">Edit cart</a></p>`}`;
    };
    renderSummary();
    $$('input[name="shipping"]').forEach((r) => r.addEventListener("change", () => renderSummary()));

    // Prefill contact details for a signed-in customer (the fake account page).
    const account = load(ACCOUNT_KEY, null);
    if (account) {
      if (!form.email.value) form.email.value = account.email || "";
      if (!form["full-name"].value) form["full-name"].value = account.name || "";
      if (!form.phone.value) form.phone.value = account.phone || "";
    }

    // Light formatting that keeps the caret usable: group card digits by four.
    const cardInput = $("#card-number");
    cardInput.addEventListener("input", () => {
      const digits = cardInput.value.replace(/\D/g, "").slice(0, 19);
      const grouped = digits.replace(/(\d{4})(?=\d)/g, "$1 ");
      if (grouped !== cardInput.value) cardInput.value = grouped;
    });
    const expiry = $("#card-expiry");
    expiry.addEventListener("input", (e) => {
      if (e.inputType && e.inputType.startsWith("delete")) return;
      const d = expiry.value.replace(/\D/g, "").slice(0, 4);
      expiry.value = d.length > 2 ? d.slice(0, 2) + "/" + d.slice(2) : d;
    });

    $$("input, select", form).forEach((el) => {
      el.addEventListener("blur", () => {
        if (el.value || el.getAttribute("aria-invalid") === "true") validateField(el);
      });
      el.addEventListener("input", () => {
        if (el.getAttribute("aria-invalid") === "true") validateField(el);
      });
    });

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const banner = $("#checkout-error");
      const bad = $$("input, select", form).filter((el) => !validateField(el));
      if (bad.length) {
        banner.textContent = `Please fix ${bad.length} field${bad.length === 1 ? "" : "s"} to place your order.`;
        banner.hidden = false;
        bad[0].focus();
        return;
      }
      const lines = cart.lines();
      if (!lines.length) {
        banner.textContent = "Your cart is empty — add something before placing an order.";
        banner.hidden = false;
        return;
      }
      banner.hidden = true;
      const t = totals(lines, shipping());
      const number = "NW-" + String(Date.now()).slice(-6);
      // Only what the account page needs; never the card.
      const orders = load(ORDERS_KEY, []);
      orders.unshift({ number, at: new Date().toISOString(), total: t.total, items: lines.reduce((n, l) => n + l.qty, 0) });
      save(ORDERS_KEY, orders.slice(0, 20));
      renderSummary(lines, true);
      save(PROMO_KEY, null);
      cart.set([]);
      const name = form["full-name"].value.trim().split(/\s+/)[0];
      $("#checkout-main").innerHTML = `<div class="card confirmation" data-testid="order-confirmation">
        ${icon("check-circle", 84)}
        <h1>Thank you, ${esc(name)}!</h1>
        <p>Your order <span class="order-no">${number}</span> is confirmed. A receipt is on its way to <strong>${esc(form.email.value.trim())}</strong>.</p>
        <p>Total charged: <strong>${money(t.total)}</strong></p>
        <a class="btn btn-dark" href="index.html">Keep shopping</a></div>`;
      window.scrollTo(0, 0);
    });
  }

  // ---------------------------------------------------------------- account

  function initAccount() {
    const root = $("#account-root");
    if (!root) return;

    const render = () => {
      const account = load(ACCOUNT_KEY, null);
      $("#signin-view").hidden = !!account;
      $("#signin-aside").hidden = !!account;
      $("#profile-view").hidden = !account;
      $("#profile-edit").hidden = !account;
      root.classList.toggle("signed-in", !!account);
      if (!account) return;
      $("#profile-avatar").textContent = (account.name || account.email || "?").trim().charAt(0).toUpperCase();
      $("#profile-greeting").textContent = account.name || account.email;
      $("#profile-since").textContent = `Member since ${account.since}`;
      const f = $("#profile-form");
      f["profile-name"].value = account.name || "";
      f["profile-email"].value = account.email || "";
      f["profile-phone"].value = account.phone || "";
      f["profile-birthday"].value = account.birthday || "";
      f["profile-activity"].value = account.activity || "hiking";
      f["profile-member"].value = account.member || "";
      f["profile-newsletter"].checked = !!account.newsletter;
      const orders = load(ORDERS_KEY, []);
      $("#orders-list").innerHTML = orders.length
        ? orders.map((o) => `<li><span><strong>${esc(o.number)}</strong><br><small>${new Date(o.at).toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric" })} · ${o.items} item${o.items === 1 ? "" : "s"}</small></span><span style="text-align:right">${money(o.total)}<br><span class="status">Processing</span></span></li>`).join("")
        : `<li><span class="small">No orders yet. <a href="index.html">Find something good</a>.</span></li>`;
    };

    const identify = (account) => tandem("identify", { email: account.email, name: account.name });

    $("#signin-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const email = $("#signin-email").value.trim();
      const password = $("#signin-password").value;
      const err = $("#signin-error");
      if (RULES.email(email)) {
        err.textContent = "Enter the email address you signed up with.";
        err.hidden = false;
        return;
      }
      if (password.length < 6) {
        err.textContent = "That email and password don't match. Passwords have at least 6 characters.";
        err.hidden = false;
        return;
      }
      err.hidden = true;
      const local = email.split("@")[0].replace(/[._-]+/g, " ");
      const existing = load(ACCOUNT_KEY, null);
      const account = existing && existing.email === email ? existing : {
        email,
        name: local.replace(/\b\w/g, (ch) => ch.toUpperCase()),
        phone: "",
        birthday: "",
        activity: "hiking",
        newsletter: true,
        member: "NW" + String(Math.floor(10000000 + Math.random() * 89999999)),
        since: new Date().getFullYear(),
      };
      save(ACCOUNT_KEY, account);
      $("#signin-form").reset();
      identify(account);
      render();
      toast(`Signed in as ${esc(account.email)}.`);
    });

    $("#profile-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const f = e.target;
      const err = $("#profile-error");
      const email = f["profile-email"].value.trim();
      if (f["profile-name"].value.trim().length < 2 || RULES.email(email)) {
        err.textContent = "A name and a valid email address are required.";
        err.hidden = false;
        return;
      }
      err.hidden = true;
      const account = Object.assign(load(ACCOUNT_KEY, {}), {
        name: f["profile-name"].value.trim(),
        email,
        phone: f["profile-phone"].value.trim(),
        birthday: f["profile-birthday"].value,
        activity: f["profile-activity"].value,
        newsletter: f["profile-newsletter"].checked,
      });
      save(ACCOUNT_KEY, account);
      identify(account);
      render();
      toast("Profile saved.");
    });

    $("#signout").addEventListener("click", () => {
      save(ACCOUNT_KEY, null);
      render();
      toast("You're signed out.");
    });

    render();
  }

  // ---------------------------------------------------------------- icons

  function icon(name, size = 28) {
    const paths = {
      truck: '<path d="M3 6h11v9H3zM14 9h4l3 3v3h-7z"/><circle cx="7" cy="17" r="2"/><circle cx="17" cy="17" r="2"/>',
      return: '<path d="M9 14 4 9l5-5"/><path d="M4 9h10a6 6 0 0 1 0 12h-3"/>',
      wrench: '<path d="M14.7 6.3a4 4 0 0 0-5.4 5.1L3 17.7 6.3 21l6.3-6.3a4 4 0 0 0 5.1-5.4l-2.6 2.6-2.5-.6-.6-2.5z"/>',
      chat: '<path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/><path d="M8.5 11h.01M12 11h.01M15.5 11h.01"/>',
      "check-circle": '<circle cx="12" cy="12" r="10"/><path d="m7.5 12.5 3 3 6-6.5"/>',
    };
    return `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" style="width:${size}px;height:${size}px;flex:none;color:var(--forest-2)">${paths[name] || ""}</svg>`;
  }

  function emptyCartArt() {
    return `<svg viewBox="0 0 160 120" aria-hidden="true"><ellipse cx="80" cy="108" rx="60" ry="6" fill="#1c2421" opacity=".08"/>
      <path d="M30 30h14l14 56h60l12-40H52" fill="none" stroke="#2c5641" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>
      <circle cx="64" cy="100" r="7" fill="#d9822b"/><circle cx="112" cy="100" r="7" fill="#d9822b"/>
      <path d="M74 62l10-12 8 9 6-6 12 13" fill="none" stroke="#9db3a3" stroke-width="4" stroke-linejoin="round"/></svg>`;
  }

  // ---------------------------------------------------------------- start

  function initCommon() {
    updateCartCount();
    // Any element with data-tandem-open opens the Tandem widget.
    document.addEventListener("click", (e) => {
      const opener = e.target.closest && e.target.closest("[data-tandem-open]");
      if (opener) {
        e.preventDefault();
        tandem("open");
      }
    });
    // Another tab changed the cart.
    window.addEventListener("storage", (e) => {
      if (e.key === CART_KEY) updateCartCount();
    });
    const year = $("#year");
    if (year) year.textContent = String(new Date().getFullYear());
  }

  function start() {
    initCommon();
    initHome();
    initProduct();
    initCart();
    initCheckout();
    initAccount();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  // A small, read-only window into the shop for tests and the console.
  window.NorthwindShop = { products: PRODUCTS.map((p) => ({ id: p.id, name: p.name, price: p.price })), cartCount: () => cart.count() };
})();
