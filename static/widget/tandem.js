/*! Tandem visitor widget: loader and JavaScript SDK. Documented in docs/sdk.md.
 *
 * A plain classic script on purpose (no bundler, no module): sites paste one
 * line that loads it with `async`. It finds the wasm next to itself, builds
 * `window.Tandem` on the wasm exports, then replays the calls the embed
 * snippet queued in `Tandem.q` before it arrived. The widget's logic lives in
 * Rust (widget-wasm/); this file only owns listeners and the call queue.
 */
(function () {
  "use strict";

  var T = (window.Tandem = window.Tandem || { q: [] });
  if (T.version) return; // Included twice: the first copy is in charge.
  T.version = "0.1.0";
  T.q = T.q || [];

  var METHODS = ["init", "open", "close", "identify", "requestHelp", "send", "mask", "on", "shutdown"];
  var base = scriptBase();

  // Without the embed snippet (tandem.js included directly), queue calls
  // here until the wasm is ready, exactly as the snippet's stub would.
  METHODS.forEach(function (m) {
    if (typeof T[m] !== "function") {
      T[m] = function () {
        var c = [m, arguments];
        T.q.push(c);
        if (m === "on") return unsubscribeQueued(c);
      };
    }
  });

  import(base + "/pkg/tandem_widget.js")
    .then(function (mod) {
      return mod.default({ module_or_path: base + "/pkg/tandem_widget_bg.wasm" }).then(function () {
        return mod;
      });
    })
    .then(install, function (err) {
      console.error("[Tandem] the widget could not be loaded from " + base, err);
      install(null, err);
    });

  /** The folder tandem.js was served from, without a trailing slash. */
  function scriptBase() {
    var s = document.currentScript;
    if (!s || !s.src) {
      var all = document.querySelectorAll('script[src*="tandem.js"]');
      s = all[all.length - 1];
    }
    return new URL(".", s ? s.src : location.href).href.replace(/\/$/, "");
  }

  /** Stub `on`'s unsubscribe: drops the queued call, or unsubscribes once loaded. */
  function unsubscribeQueued(c) {
    return function () {
      if (T.off) {
        var a = argsOf(c);
        T.off(a[0], a[1]);
      } else {
        var i = T.q.indexOf(c);
        if (i >= 0) T.q.splice(i, 1);
      }
    };
  }

  /** Queue entries are [name, arguments] (the snippet) or [name, ...args]. */
  function argsOf(c) {
    return c.length === 2 && Object.prototype.toString.call(c[1]) === "[object Arguments]"
      ? Array.prototype.slice.call(c[1])
      : c.slice(1);
  }

  function install(mod, loadError) {
    var listeners = {};
    // Late subscribers to these get the latest value at once.
    var sticky = {};
    var widget = null;
    // Calls made after the script loaded but before init().
    var waiting = [];

    // Called by the wasm. Delivery waits for a microtask so a listener that
    // calls back into Tandem never runs in the middle of the widget's work.
    function emit(name, data) {
      if (name === "ready" || name === "status" || name === "share") sticky[name] = data;
      Promise.resolve().then(function () {
        (listeners[name] || []).slice().forEach(function (fn) {
          deliver(fn, name, data);
        });
      });
    }

    function deliver(fn, name, data) {
      try {
        fn(data);
      } catch (e) {
        console.error("[Tandem] a listener for '" + name + "' threw", e);
      }
    }

    function call(method, args) {
      if (!widget) {
        waiting.push([method, args]);
        return;
      }
      return widget[method].apply(widget, args);
    }

    T.init = function (options) {
      if (widget) {
        console.warn("[Tandem] init() was already called; call shutdown() first to start over");
        return;
      }
      if (!mod) {
        emit("error", { code: "load_failed", message: String(loadError) });
        return;
      }
      var o = Object.assign({}, options);
      // The widget is served from <server>/widget/: default to that server.
      if (!o.server) o.server = base.replace(/\/widget$/, "");
      widget = new mod.Widget(o, emit);
      var w = waiting;
      waiting = [];
      w.forEach(function (c) {
        safely(c[0], c[1]);
      });
    };
    T.open = function () {
      call("open", []);
    };
    T.close = function () {
      call("close", []);
    };
    T.identify = function (identity) {
      call("identify", [identity || {}]);
    };
    T.requestHelp = function (request) {
      call("requestHelp", [request || {}]);
    };
    T.send = function (text) {
      call("send", [String(text == null ? "" : text)]);
    };
    T.mask = function (selector) {
      call("mask", [String(selector == null ? "" : selector)]);
    };
    T.on = function (name, fn) {
      if (typeof fn !== "function") throw new TypeError("Tandem.on(name, fn): fn must be a function");
      (listeners[name] = listeners[name] || []).push(fn);
      if (name in sticky) {
        var data = sticky[name];
        Promise.resolve().then(function () {
          if ((listeners[name] || []).indexOf(fn) >= 0) deliver(fn, name, data);
        });
      }
      return function () {
        T.off(name, fn);
      };
    };
    T.off = function (name, fn) {
      var l = listeners[name] || [];
      var i = l.indexOf(fn);
      if (i >= 0) l.splice(i, 1);
    };
    T.shutdown = function () {
      waiting = [];
      sticky = {};
      if (!widget) return;
      var w = widget;
      widget = null;
      w.shutdown();
      w.free();
    };
    // Replay what was queued, in order. A bad call is reported, not fatal.
    var q = T.q;
    T.q = [];
    q.forEach(function (c) {
      safely(c[0], argsOf(c));
    });
  }

  function safely(method, args) {
    try {
      if (typeof T[method] === "function") T[method].apply(T, args);
    } catch (e) {
      console.error("[Tandem] " + method + "() failed", e);
    }
  }
})();
