//! The widget's stylesheet. It lives inside the shadow root, so nothing here
//! reaches the page and the page's CSS does not reach in (`:host { all:
//! initial }` also stops inherited fonts and colours at the boundary).
//!
//! Layout per state is driven by `data-phase` (idle, queued, active, ended)
//! and `data-open` on the `.tw` container; the view only flips those.

use web_sys::{CssStyleSheet, Document, ShadowRoot};

/// Puts the stylesheet in the shadow root: a constructed sheet where the
/// browser has them (not subject to a page's `style-src` CSP), else a
/// `<style>` element.
pub fn install(doc: &Document, shadow: &ShadowRoot) {
    if let Ok(sheet) = CssStyleSheet::new()
        && sheet.replace_sync(CSS).is_ok()
    {
        shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
        return;
    }
    let style = crate::view::dom::el(doc, "style", "");
    style.set_text_content(Some(CSS));
    let _ = shadow.append_child(&style);
}

/// The stylesheet as shipped: `SOURCE` without comments and needless
/// whitespace, minified at compile time (it is most of the widget's data).
pub const CSS: &str = match std::str::from_utf8(&MINIFIED) {
    Ok(css) => css,
    Err(_) => panic!("minifying keeps the stylesheet UTF-8"),
};
const MINIFIED_LEN: usize = minify(SOURCE.as_bytes(), &mut []);
static MINIFIED: [u8; MINIFIED_LEN] = {
    let mut out = [0u8; MINIFIED_LEN];
    minify(SOURCE.as_bytes(), &mut out);
    out
};

/// Writes `css` without comments, without whitespace next to `{};,>` or
/// after `:`, other runs of whitespace as one space, and without the `;`
/// before a `}`; quoted strings are kept as they are. Returns the length,
/// writing only what fits in `out` (so `&mut []` measures).
const fn minify(css: &[u8], out: &mut [u8]) -> usize {
    const fn put(out: &mut [u8], n: usize, b: u8) -> usize {
        if n < out.len() {
            out[n] = b;
        }
        n + 1
    }
    const fn tight_after(b: u8) -> bool {
        matches!(b, b'{' | b'}' | b';' | b',' | b'>' | b':')
    }
    const fn tight_before(b: u8) -> bool {
        matches!(b, b'{' | b'}' | b';' | b',' | b'>')
    }
    let (mut i, mut n, mut last, mut space) = (0, 0, 0u8, false);
    while i < css.len() {
        let c = css[i];
        if c == b'/' && i + 1 < css.len() && css[i + 1] == b'*' {
            i += 2;
            while i + 1 < css.len() && !(css[i] == b'*' && css[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            space = true;
            continue;
        }
        if c.is_ascii_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        if space && n > 0 && !tight_after(last) && !tight_before(c) {
            n = put(out, n, b' ');
        }
        space = false;
        if c == b'}' && last == b';' {
            n -= 1;
        }
        n = put(out, n, c);
        last = c;
        i += 1;
        if c == b'"' || c == b'\'' {
            while i < css.len() && css[i] != c {
                if css[i] == b'\\' && i + 1 < css.len() {
                    n = put(out, n, css[i]);
                    i += 1;
                }
                n = put(out, n, css[i]);
                i += 1;
            }
            if i < css.len() {
                n = put(out, n, c);
                i += 1;
            }
        }
    }
    n
}

/// The stylesheet as written.
const SOURCE: &str = r#"
:host { all: initial; }
.tw {
  --tw-accent: #4f46e5;
  --tw-on-accent: #ffffff;
  --tw-ink: #1d2130;
  /* 4.5:1 or more on every surface it sits on (a notice's grey included). */
  --tw-muted: #5b6275;
  --tw-line: #e3e6ee;
  --tw-soft: #f5f6fa;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px;
  line-height: 1.45;
  color: var(--tw-ink);
  -webkit-font-smoothing: antialiased;
  text-align: left;
}
.tw *, .tw *::before, .tw *::after { box-sizing: border-box; }
/* Zero specificity: a reset that any class rule below overrides. */
:where(.tw) :where(button, select, textarea) { font: inherit; color: inherit; margin: 0; }
.tw button { cursor: pointer; }
.tw :focus-visible { outline: 2px solid var(--tw-accent); outline-offset: 2px; }
.sr {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
[hidden] { display: none !important; }

/* Launcher */
.launcher {
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  display: inline-flex; align-items: center; gap: 8px;
  height: 52px; padding: 0 22px 0 17px;
  border: 0; border-radius: 26px;
  background: var(--tw-accent); color: var(--tw-on-accent);
  font-size: 15px; font-weight: 600; letter-spacing: .01em;
  box-shadow: 0 8px 24px rgba(17, 24, 39, .22), 0 2px 6px rgba(17, 24, 39, .12);
  transition: transform .15s ease, box-shadow .15s ease;
}
.launcher:hover { transform: translateY(-2px); box-shadow: 0 12px 28px rgba(17, 24, 39, .26), 0 3px 8px rgba(17, 24, 39, .14); }
.launcher:active { transform: none; }
.tw .launcher:focus-visible { outline: 3px solid var(--tw-accent); outline-offset: 3px; }
.launcher-icon { display: inline-flex; }
.badge {
  position: absolute; top: -6px; right: -4px;
  min-width: 22px; height: 22px; padding: 0 6px; border-radius: 11px;
  background: #e5484d; color: #fff; font-size: 12px; font-weight: 700; line-height: 22px; text-align: center;
  box-shadow: 0 0 0 2px #fff;
}

/* Panel */
.panel {
  position: fixed; right: 20px; bottom: 86px; z-index: 2147483000;
  width: 360px; height: 520px; max-height: calc(100vh - 106px);
  display: flex; flex-direction: column;
  background: #fff; border-radius: 16px; overflow: hidden;
  box-shadow: 0 16px 48px rgba(17, 24, 39, .22), 0 2px 8px rgba(17, 24, 39, .08);
  opacity: 0; visibility: hidden; transform: translateY(16px) scale(.98); transform-origin: bottom right;
  transition: opacity .2s ease, transform .2s ease, visibility 0s linear .2s;
}
.tw[data-open="true"] .panel { opacity: 1; visibility: visible; transform: none; transition: opacity .2s ease, transform .2s ease; }
.tw--instant .panel { transition: none !important; }

/* Header */
.head {
  flex: none; display: flex; align-items: center; gap: 12px;
  padding: 14px 10px 14px 16px;
  background: var(--tw-accent); color: var(--tw-on-accent);
}
.avatar {
  flex: none; width: 38px; height: 38px; border-radius: 50%;
  display: grid; place-items: center;
  background: rgba(255, 255, 255, .2); font-weight: 700; font-size: 16px;
}
.avatar svg { width: 20px; height: 20px; }
.titles { flex: 1; min-width: 0; }
.title { margin: 0; font-size: 16px; font-weight: 650; line-height: 1.25; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.subtitle { margin: 2px 0 0; font-size: 12.5px; opacity: .88; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tw[data-phase="active"] .subtitle::before {
  content: ""; display: inline-block; width: 7px; height: 7px; margin: 0 6px 1px 0; border-radius: 50%;
  background: #3ddc84; box-shadow: 0 0 0 2px rgba(255, 255, 255, .35);
}
.end {
  flex: none; display: none; align-items: center; height: 30px; padding: 0 12px;
  border: 1px solid rgba(255, 255, 255, .5); border-radius: 15px;
  background: transparent; color: inherit; font-size: 12.5px; font-weight: 600; white-space: nowrap;
}
.end:hover { background: rgba(255, 255, 255, .15); }
.tw[data-phase="active"] .end { display: inline-flex; }
.icon-btn {
  flex: none; display: grid; place-items: center; width: 34px; height: 34px;
  border: 0; border-radius: 10px; background: transparent; color: inherit;
}
.icon-btn:hover { background: rgba(255, 255, 255, .16); }
.tw .head :focus-visible { outline-color: #fff; }

/* Body */
.body {
  flex: 1; min-height: 0; overflow-y: auto; overscroll-behavior: contain;
  padding: 16px 16px 10px; background: var(--tw-soft);
  display: flex; flex-direction: column;
}

/* Start form */
.intro {
  display: none; background: #fff; border: 1px solid var(--tw-line); border-radius: 14px;
  padding: 18px 16px 16px; box-shadow: 0 1px 2px rgba(17, 24, 39, .04);
}
.tw[data-phase="idle"] .intro { display: block; }
.greeting { margin: 0 0 4px; font-size: 19px; font-weight: 700; }
.lead { margin: 0 0 16px; color: var(--tw-muted); }
.field { margin: 0 0 14px; }
.label { display: block; margin: 0 0 6px; font-size: 13px; font-weight: 600; }
.select-wrap { position: relative; }
.select {
  width: 100%; height: 40px; padding: 0 36px 0 12px;
  border: 1px solid var(--tw-line); border-radius: 10px; background: #fff;
  appearance: none; -webkit-appearance: none;
}
.select-chevron { position: absolute; right: 12px; top: 13px; color: var(--tw-muted); pointer-events: none; }
.select:focus { border-color: var(--tw-accent); }
.primary {
  display: block; width: 100%; height: 44px; margin-top: 14px;
  border: 0; border-radius: 12px; background: var(--tw-accent); color: var(--tw-on-accent);
  font-size: 15px; font-weight: 650;
  transition: filter .15s ease;
}
.primary:hover { filter: brightness(.93); }

/* Waiting */
.queue {
  display: none; position: sticky; top: -16px; z-index: 1;
  margin: -16px -16px 12px; padding: 14px 16px;
  background: #fff; border-bottom: 1px solid var(--tw-line);
  gap: 12px; align-items: flex-start;
}
.tw[data-phase="queued"] .queue { display: flex; }
.spinner {
  flex: none; width: 22px; height: 22px; margin-top: 1px; border-radius: 50%;
  border: 3px solid color-mix(in srgb, var(--tw-accent) 20%, transparent); border-top-color: var(--tw-accent);
  animation: tw-spin .9s linear infinite;
}
@keyframes tw-spin { to { transform: rotate(360deg); } }
.queue-text { margin: 0; font-weight: 600; }
.queue-hint { margin: 2px 0 0; color: var(--tw-muted); font-size: 12.5px; }
.tw[data-booked] .spinner, .tw[data-booked] .queue-hint { display: none; }
/* Nobody can answer soon: email or call back instead */
.away { margin-top: 10px; padding-top: 10px; border-top: 1px dashed var(--tw-line); }
.away-text { margin: 0 0 8px; font-size: 13px; }
.away-choices { display: flex; flex-wrap: wrap; gap: 8px; }
.chip {
  height: 32px; padding: 0 14px; border: 1px solid var(--tw-accent); border-radius: 16px;
  background: #fff; color: var(--tw-accent); font-size: 13px; font-weight: 600;
}
.chip:hover { background: color-mix(in srgb, var(--tw-accent) 8%, #fff); }
.away-form { margin-top: 10px; }
.away-field { display: block; margin: 0 0 10px; }
.away-input {
  width: 100%; height: 38px; padding: 0 10px; box-sizing: border-box;
  border: 1px solid var(--tw-line); border-radius: 10px; background: #fff; font: inherit;
}
.away-input:focus { border-color: var(--tw-accent); }
.away-error { margin: 0; color: #b42318; font-size: 12.5px; }
.away-error:empty { display: none; }
.away-form .primary { margin-top: 8px; height: 40px; }
.link {
  margin-top: 6px; padding: 0; border: 0; background: none;
  color: var(--tw-accent); font-size: 13px; font-weight: 600;
  text-decoration: underline; text-underline-offset: 2px;
}

/* Transcript */
.log { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; }
.tw[data-phase="idle"] .log { display: none; }
.msg { display: flex; flex-direction: column; max-width: 82%; margin-top: 3px; }
.msg--first { margin-top: 12px; }
.log > :first-child { margin-top: 0; }
.msg--visitor { align-self: flex-end; align-items: flex-end; }
.msg--agent { align-self: flex-start; align-items: flex-start; }
.who { margin: 0 0 3px 4px; font-size: 12px; font-weight: 600; color: var(--tw-muted); }
.bubble { padding: 9px 13px; border-radius: 18px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg--visitor .bubble { background: var(--tw-accent); color: var(--tw-on-accent); border-bottom-right-radius: 6px; }
.msg--agent .bubble { background: #fff; border: 1px solid var(--tw-line); border-bottom-left-radius: 6px; }
/* Sending and failed read from the status line under the bubble and an
   outline, never from fading the text below its contrast. */
.msg[data-status="failed"] .bubble { outline: 2px dashed #b42318; outline-offset: 2px; }
.meta { display: flex; gap: 6px; margin: 3px 6px 0; font-size: 11px; color: var(--tw-muted); }
.status { letter-spacing: -.12em; }
.status--read, .status--sending, .status--failed { letter-spacing: normal; }
.status--delivered, .status--read { color: var(--tw-accent); font-weight: 600; }
.status--failed { color: #c0392b; }
.notice {
  align-self: center; margin: 14px 0 4px; padding: 4px 12px; border-radius: 12px;
  background: rgba(17, 24, 39, .05); color: var(--tw-muted); font-size: 12px; text-align: center;
}
.typing { display: flex; align-items: center; gap: 8px; margin: 10px 0 2px; color: var(--tw-muted); font-size: 12.5px; }
.dots { display: inline-flex; gap: 3px; padding: 9px 11px; background: #fff; border: 1px solid var(--tw-line); border-radius: 14px; }
.dots i { width: 6px; height: 6px; border-radius: 50%; background: #9aa0b2; animation: tw-bounce 1.2s infinite ease-in-out; }
.dots i:nth-child(2) { animation-delay: .15s; }
.dots i:nth-child(3) { animation-delay: .3s; }
@keyframes tw-bounce { 0%, 60%, 100% { transform: translateY(0); opacity: .5; } 30% { transform: translateY(-4px); opacity: 1; } }

/* Footer */
/* Prompts (share, call, form and page pushes) sit above the message box;
   when they are taller than the panel allows, they scroll and the box
   stays in view. */
.foot {
  flex: 0 1 auto; min-height: 0; display: flex; flex-direction: column;
  padding: 10px 12px 12px; background: #fff; border-top: 1px solid var(--tw-line);
}
.foot > * { flex: none; }
.foot > .consent { flex: 0 1 auto; min-height: 96px; overflow-y: auto; }
.tw[data-phase="idle"] .foot { padding: 0 12px; border-top: 0; background: var(--tw-soft); }
.banner { margin: 0 0 8px; padding: 8px 12px; border-radius: 10px; background: #fff4e5; color: #7a4300; font-size: 13px; }
.tw[data-phase="idle"] .banner { margin: 0 0 12px; }
.compose-row {
  display: flex; align-items: flex-end; gap: 8px;
  padding: 5px 5px 5px 12px; border: 1px solid var(--tw-line); border-radius: 14px; background: #fff;
  transition: border-color .15s ease, box-shadow .15s ease;
}
.compose-row:focus-within { border-color: var(--tw-accent); box-shadow: 0 0 0 3px color-mix(in srgb, var(--tw-accent) 16%, transparent); }
.input {
  flex: 1; display: block; min-height: 36px; max-height: 120px; padding: 8px 0;
  border: 0; background: transparent; resize: none; line-height: 1.4;
}
.tw .input:focus, .tw .input:focus-visible { outline: none; }
.input::placeholder { color: #6e7589; }
.send {
  flex: none; display: grid; place-items: center; width: 36px; height: 36px;
  border: 0; border-radius: 10px; background: var(--tw-accent); color: var(--tw-on-accent);
  transition: filter .15s ease;
}
.send:hover { filter: brightness(.93); }
.send svg { width: 18px; height: 18px; }
.tw[data-phase="idle"] .send { display: none; }
.tw[data-phase="idle"] .compose-row { padding: 4px 12px; border-radius: 10px; }
.tw[data-phase="idle"] .input { min-height: 88px; }
.tw:not([data-phase="idle"]) .compose-label {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.tw[data-phase="ended"] .compose { display: none; }
.ended { display: none; text-align: center; padding: 4px 4px 0; }
.tw[data-phase="ended"] .ended { display: block; }
.ended-title { margin: 0; font-weight: 700; font-size: 15px; }
.ended-text { margin: 2px 0 0; color: var(--tw-muted); font-size: 13px; }
.ended .primary { margin-top: 12px; }

/* Screen sharing: the request, the visitor's own button */
.consent {
  margin: 0 0 10px; padding: 14px 14px 12px; border-radius: 12px;
  background: color-mix(in srgb, var(--tw-accent) 7%, #fff);
  border: 1px solid color-mix(in srgb, var(--tw-accent) 30%, transparent);
}
.consent-head { display: flex; align-items: center; gap: 10px; }
.consent-icon {
  flex: none; display: grid; place-items: center; width: 32px; height: 32px; border-radius: 9px;
  background: var(--tw-accent); color: var(--tw-on-accent);
}
.consent-title { margin: 0; font-size: 15px; font-weight: 700; }
.consent-text { margin: 8px 0 0; }
.consent-fine { margin: 6px 0 0; color: var(--tw-muted); font-size: 12.5px; }
.consent-actions { display: flex; gap: 8px; margin-top: 12px; }
.consent-actions button { flex: 1; height: 38px; border-radius: 10px; font-weight: 650; }
.btn-accent { border: 0; background: var(--tw-accent); color: var(--tw-on-accent); }
.btn-accent:hover { filter: brightness(.93); }
.btn-secondary { border: 1px solid var(--tw-line); background: #fff; }
.btn-secondary:hover { background: var(--tw-soft); }
.share-start {
  display: inline-flex; align-items: center; gap: 6px; margin: 0 0 8px; padding: 4px 8px 4px 6px;
  border: 0; border-radius: 8px; background: transparent; color: var(--tw-accent);
  font-size: 13px; font-weight: 600;
}
.share-start:hover { background: color-mix(in srgb, var(--tw-accent) 8%, transparent); }
.share-start-icon { display: inline-flex; }

/* The agent's proposals: values for fields, a page to open */
.proposal-list { list-style: none; margin: 8px 0; padding: 0; display: grid; gap: 6px; max-height: 220px; overflow-y: auto; }
.proposal { display: flex; align-items: center; gap: 6px; padding: 6px 8px; border: 1px solid #e3e6ea; border-radius: 8px; background: #fff; }
.proposal-text { flex: 1; min-width: 0; display: grid; }
.proposal-label { font-size: 12px; color: #5f6b7a; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.proposal-value, .proposal-url { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.proposal-url { margin: 8px 0; }
.proposal-state { font-size: 12px; color: #5f6b7a; }
.proposal[data-decision="accepted"] .proposal-state { color: #0b7a3c; }
.proposal .icon-btn { display: inline-grid; place-items: center; width: 28px; height: 28px; border: 1px solid #cfd4db; border-radius: 6px; background: #fff; color: #5f6b7a; cursor: pointer; }
.proposal .icon-btn:hover { background: #f0f2f5; color: #1f2328; }
.proposal .icon-btn.ok { color: #fff; background: var(--tw-accent); border-color: var(--tw-accent); }

/* The page banner while shared: on the page, not in the panel */
.share-banner {
  position: fixed; top: 12px; left: 50%; transform: translateX(-50%); z-index: 2147483001;
  display: flex; align-items: center; gap: 10px; max-width: calc(100vw - 24px);
  padding: 6px 6px 6px 14px; border-radius: 22px;
  background: #1d2130; color: #fff; font-size: 13.5px; font-weight: 600;
  box-shadow: 0 8px 24px rgba(17, 24, 39, .28);
}
/* The pulse animates transform and opacity only: the compositor draws it, so
   the visitor's page is not repainted every frame while it is shared
   (a box-shadow pulse cost 2-17 ms of paint a frame on a 50,000-node page). */
.share-dot {
  position: relative; flex: none; width: 9px; height: 9px; border-radius: 50%; background: #f04438;
}
.share-dot::after {
  content: ""; position: absolute; inset: 0; border-radius: 50%; background: rgba(240, 68, 56, .55);
  animation: tw-pulse 2s infinite; will-change: transform, opacity;
}
@keyframes tw-pulse { 0% { transform: scale(1); opacity: .8; } 70% { transform: scale(2.8); opacity: 0; } 100% { transform: scale(2.8); opacity: 0; } }
.share-text { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.share-stop {
  flex: none; height: 30px; padding: 0 14px; border: 0; border-radius: 15px;
  background: #fff; color: #1d2130; font-size: 13px; font-weight: 700;
}
.share-stop:hover { background: #e9ebf1; }
.tw .share-stop:focus-visible { outline-color: #fff; }

/* Voice calls: the Call button, the bar under the header */
.call-start { display: none; gap: 6px; }
.tw[data-phase="active"] .call-start:not([hidden]) { display: inline-flex; }
.consent-icon--call { animation: tw-ring 1.2s ease-in-out infinite; }
@keyframes tw-ring { 0%, 100% { transform: none; } 10%, 30% { transform: rotate(-12deg); } 20%, 40% { transform: rotate(12deg); } 50% { transform: none; } }
.callbar {
  flex: none; display: flex; align-items: center; gap: 10px; padding: 8px 10px 8px 14px;
  background: #12372a; color: #fff; font-size: 13px;
}
.callbar[data-state="connecting"], .callbar[data-state="calling"], .callbar[data-state="reconnecting"] { background: #3b3f52; }
.callbar[data-state="ended"] { background: var(--tw-soft); color: var(--tw-ink); border-bottom: 1px solid var(--tw-line); }
.callbar-icon { flex: none; display: grid; place-items: center; width: 28px; height: 28px; border-radius: 50%; background: rgba(255, 255, 255, .14); }
.callbar[data-state="connected"] .callbar-icon { background: #2fb170; }
.callbar[data-state="ended"] .callbar-icon { background: var(--tw-line); }
.callbar-texts { flex: 1; min-width: 0; }
.callbar-line { margin: 0; display: flex; gap: 8px; font-weight: 650; }
.callbar-clock { font-variant-numeric: tabular-nums; opacity: .85; font-weight: 600; }
.callbar-note { margin: 1px 0 0; font-size: 12px; opacity: .8; }
.callbar-meters { flex: none; display: flex; flex-direction: column; gap: 4px; width: 46px; }
.meter { display: block; height: 5px; border-radius: 3px; background: rgba(255, 255, 255, .18); overflow: hidden; }
.meter i { display: block; height: 100%; width: 100%; background: #3ddc84; transform-origin: left; transform: scaleX(var(--level, 0)); transition: transform .1s linear; }
.meter--remote i { background: #9ec5ff; }
.callbar[data-muted="true"] .meter--local i { background: rgba(255, 255, 255, .45); }
.callbar-btn {
  flex: none; display: grid; place-items: center; width: 34px; height: 34px; border: 0; border-radius: 50%;
  background: rgba(255, 255, 255, .16); color: #fff;
}
.callbar-btn:hover { background: rgba(255, 255, 255, .26); }
.callbar-btn[aria-pressed="true"] { background: #fff; color: #12372a; }
.callbar-hangup { background: #e5484d; }
.callbar-hangup:hover { background: #cf3c41; }
.callbar-hangup svg { transform: rotate(135deg); }
.tw .callbar :focus-visible { outline-color: #fff; }
.tw[data-call="connected"] .launcher::after {
  content: ""; position: absolute; top: -2px; left: -2px; width: 12px; height: 12px; border-radius: 50%;
  background: #3ddc84; box-shadow: 0 0 0 2px #fff;
}

/* The agent's pointer and highlights */
.ov { position: fixed; inset: 0; z-index: 2147482999; pointer-events: none; overflow: hidden; }
.ov-pointer {
  position: absolute; left: 0; top: 0; display: flex; align-items: flex-start;
  transition: transform .12s linear; will-change: transform;
}
.ov-pointer svg { margin: -2px 0 0 -4px; filter: drop-shadow(0 1px 2px rgba(0, 0, 0, .35)); }
.ov-pointer path { fill: var(--tw-accent); stroke: #fff; stroke-width: 1.5; }
.ov-name {
  margin: 16px 0 0 -4px; padding: 2px 8px; border-radius: 10px;
  background: var(--tw-accent); color: var(--tw-on-accent); font-size: 12px; font-weight: 650; white-space: nowrap;
}
.ov-name:empty { display: none; }
.ov-hl {
  position: absolute; left: 0; top: 0; border: 3px solid var(--tw-accent); border-radius: 8px;
  background: color-mix(in srgb, var(--tw-accent) 10%, transparent);
  box-shadow: 0 0 0 4px color-mix(in srgb, var(--tw-accent) 22%, transparent);
  animation: tw-hl-in .35s ease-out;
}
@keyframes tw-hl-in { from { opacity: 0; box-shadow: 0 0 0 14px color-mix(in srgb, var(--tw-accent) 0%, transparent); } }
.ov-label {
  position: absolute; left: -3px; bottom: 100%; margin-bottom: 6px; max-width: 280px;
  padding: 4px 10px; border-radius: 8px; background: var(--tw-accent); color: var(--tw-on-accent);
  font-size: 13px; font-weight: 650; line-height: 1.3; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  box-shadow: 0 4px 12px rgba(17, 24, 39, .2);
}

.ov-hl--below .ov-label { bottom: auto; top: 100%; margin: 6px 0 0; }

/* Narrow or short (a phone, or 200 % zoom): the panel takes the screen. */
@media (max-width: 480px), (max-height: 560px) {
  .panel { right: 0; bottom: 0; width: 100vw; height: 100%; max-height: none; border-radius: 0; }
  .tw[data-open="true"] .launcher { display: none; }
}
/* Windows high contrast and other forced palettes drop backgrounds and
   shadows: whatever was drawn by a fill alone gets a border, and the
   selected or highlighted states an outline in the system's colours. */
@media (forced-colors: active) {
  .launcher, .send, .primary, .chip, .consent-actions button, .proposal .icon-btn, .end { border: 1px solid ButtonText; }
  .panel, .bubble, .notice, .consent { border: 1px solid CanvasText; }
  .ov-hl { outline: 3px solid Highlight; }
  .ov-pointer, .ov-label { forced-color-adjust: none; }
  .tw :focus-visible { outline-color: Highlight; }
}
@media (prefers-reduced-motion: reduce) {
  .panel, .launcher, .ov-pointer { transition: none; }
  .spinner, .dots i, .share-dot, .ov-hl, .consent-icon--call { animation: none; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn min(css: &str) -> String {
        let mut out = vec![0u8; minify(css.as_bytes(), &mut [])];
        minify(css.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn minifies_whitespace_comments_and_last_semicolons() {
        assert_eq!(
            min("/* a */\n.a > .b,\n.c :hover {\n  color: red;\n  margin: 0 auto;\n}\n"),
            ".a>.b,.c :hover{color:red;margin:0 auto}"
        );
        assert_eq!(
            min("@media (max-width: 480px) { .p { width: calc(100% - 8px); } }"),
            "@media (max-width:480px){.p{width:calc(100% - 8px)}}"
        );
    }

    #[test]
    fn keeps_quoted_strings() {
        assert_eq!(
            min(".f { font-family: \"Segoe UI\", a; content: ' ; } '; }"),
            ".f{font-family:\"Segoe UI\",a;content:' ; } '}"
        );
    }

    #[test]
    fn the_shipped_sheet_is_the_source_minified() {
        assert!(CSS.len() < SOURCE.len() * 9 / 10);
        assert!(CSS.starts_with(":host{all:initial}"));
        assert!(!CSS.contains("/*") && !CSS.contains("\n"));
        // Every rule survives: as many braces as in the source.
        assert_eq!(CSS.matches('{').count(), SOURCE.matches('{').count());
        assert!(CSS.contains("\"Segoe UI\""));
    }
}
