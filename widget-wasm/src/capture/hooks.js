// The few things co-browse capture cannot do from Rust: wrap the page's
// prototypes so that programmatic changes (input.value = …, insertRule, …)
// are seen, and read a stylesheet's rules in one call.
//
// Wrappers are installed once per page, on the first share, and stay (cheap:
// a null check when nobody listens). Each one calls the original first and
// never lets the widget's callback throw into the page. Removing them later
// could break another library that wrapped the same property after us.

let onValue = null;
let onSheet = null;
let installed = false;

function notify(cb, x) {
  if (cb) {
    try {
      cb(x);
    } catch (e) {
      // The widget's problem, never the page's.
    }
  }
}

function wrapSetter(proto, prop, which) {
  const d = proto && Object.getOwnPropertyDescriptor(proto, prop);
  if (!d || !d.set || !d.configurable) return;
  Object.defineProperty(proto, prop, {
    configurable: true,
    enumerable: d.enumerable,
    get: d.get,
    set(v) {
      d.set.call(this, v);
      notify(which ? onSheet : onValue, this);
    },
  });
}

function wrapMethod(proto, name, sheetOf) {
  const f = proto && proto[name];
  if (typeof f !== "function") return;
  proto[name] = function () {
    const r = f.apply(this, arguments);
    const sheet = sheetOf(this);
    if (r && typeof r.then === "function") {
      r.then(() => notify(onSheet, sheet), () => {});
    } else {
      notify(onSheet, sheet);
    }
    return r;
  };
}

/** Starts reporting: `value(element)` and `sheet(styleSheet | document | shadowRoot)`. */
export function install_hooks(value, sheet) {
  onValue = value;
  onSheet = sheet;
  if (installed) return;
  installed = true;
  const w = window;
  const fields = [
    [w.HTMLInputElement, ["value", "checked"]],
    [w.HTMLTextAreaElement, ["value"]],
    [w.HTMLSelectElement, ["value", "selectedIndex"]],
    [w.HTMLOptionElement, ["selected"]],
  ];
  for (const [C, props] of fields) for (const p of props) wrapSetter(C && C.prototype, p, 0);
  for (const C of [w.Document, w.ShadowRoot]) wrapSetter(C && C.prototype, "adoptedStyleSheets", 1);
  const sheetProto = w.CSSStyleSheet && w.CSSStyleSheet.prototype;
  for (const m of ["insertRule", "deleteRule", "addRule", "removeRule", "replace", "replaceSync"]) {
    wrapMethod(sheetProto, m, (s) => s);
  }
  const groupProto = w.CSSGroupingRule && w.CSSGroupingRule.prototype;
  for (const m of ["insertRule", "deleteRule"]) wrapMethod(groupProto, m, (r) => r.parentStyleSheet);
}

/** Stops reporting (the wrappers stay, doing nothing). */
export function remove_hooks() {
  onValue = null;
  onSheet = null;
}

/** The rules of a stylesheet as CSS text, or undefined when the browser does not let us read them. */
export function sheet_text(sheet) {
  try {
    const rules = sheet.cssRules;
    let s = "";
    for (let i = 0; i < rules.length; i++) s += rules[i].cssText + "\n";
    return s;
  } catch (e) {
    return undefined;
  }
}
