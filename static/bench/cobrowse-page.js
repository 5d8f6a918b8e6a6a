/* In-page helpers of the co-browse benchmark (bench/cobrowse.mjs), loaded
 * by every generated page before the widget's snippet, as `window.bench`:
 *
 * - when Tandem's capture starts (`cobrowse{active}` received on the
 *   widget's socket) and when its keyframe leaves (the first binary frame
 *   of kind 1 handed to WebSocket.send), in page time and as
 *   console.timeStamp marks the benchmark finds in a Chromium trace;
 * - rrweb's record() with the same marks;
 * - a scripted, seeded mix of mutations (inserts, removes, text edits,
 *   attribute and class changes), a few per animation frame;
 * - single marked mutations for the latency measurement.
 */
(function () {
  "use strict";
  var B = (window.bench = { activeAt: null, keyframes: [], rr: [] });

  function mark(label) {
    // A TimeStamp event in the trace (devtools.timeline), on this page's main thread.
    console.timeStamp(label);
  }

  // ---------------------------------------------------------------- Tandem's socket
  var Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      // Added before the widget's own handler, so it runs first.
      this.addEventListener("message", function (e) {
        if (typeof e.data !== "string" || e.data.indexOf('"cobrowse"') < 0 || B.activeAt !== null) return;
        try {
          var f = JSON.parse(e.data);
          if (f.type === "cobrowse" && f.state === "active") {
            B.activeAt = performance.now();
            mark("cobench:active");
          }
        } catch (err) {}
      });
    }
  };
  var send = Native.prototype.send;
  Native.prototype.send = function (data) {
    if (typeof data !== "string" && data && data.byteLength > 2) {
      var bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, 2) : new Uint8Array(data, 0, 2);
      if (bytes[1] === 1) {
        B.keyframes.push({ at: performance.now(), bytes: data.byteLength });
        // A copy of the first, for its size and gzip (the view may point
        // into wasm memory that is reused); a memcpy, well under a millisecond.
        if (B.keyframes.length === 1) B.firstKeyframe = new Uint8Array(ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data.slice(0));
        mark("cobench:keyframe-sent");
      }
    }
    return send.call(this, data);
  };

  // ---------------------------------------------------------------- rrweb
  /** rrweb's record(): the full snapshot is taken inside the call. */
  B.rrwebStart = function () {
    B.rr = [];
    mark("cobench:rrweb-start");
    var t0 = performance.now();
    B.rrStop = window.rrweb.record({
      emit: function (e) {
        B.rr.push(e);
      },
      // The widget's own host is not part of the page (Tandem skips it too).
      blockSelector: "#tandem-widget-root",
    });
    var ms = performance.now() - t0;
    mark("cobench:rrweb-done");
    return { ms: ms, fullSnapshot: B.rr.some(function (e) { return e.type === 2; }) };
  };
  /** A second full snapshot in the same page (rrweb's code warm by now). */
  B.rrwebRetake = function () {
    mark("cobench:rrweb-retake");
    var t0 = performance.now();
    window.rrweb.record.takeFullSnapshot(true);
    var ms = performance.now() - t0;
    mark("cobench:rrweb-retaken");
    return { ms: ms };
  };

  /**
   * Tandem's second keyframe in the same page: a mask selector added at
   * run time (matching nothing) makes the capture resend the page.
   */
  B.tandemRetake = function () {
    B.retakeAt = performance.now();
    mark("cobench:retake");
    window.Tandem.mask(".cobench-matches-nothing");
  };

  /**
   * The JSON of rrweb's events from index `from` on whose type is in
   * `types` (2 full snapshot, 3 incremental, 4 meta), and how long
   * JSON.stringify took.
   */
  B.rrwebJson = function (from, types) {
    var events = B.rr.slice(from || 0).filter(function (e) {
      return !types || types.indexOf(e.type) >= 0;
    });
    var t0 = performance.now();
    var json = JSON.stringify(events);
    return { ms: performance.now() - t0, json: json, events: events.length };
  };

  // ---------------------------------------------------------------- mutations
  function prng(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  var WORDS = "alpine basecamp cirrus delta ember fjord glacier harbour island juniper kestrel lagoon meadow summit timber".split(" ");

  /**
   * `count` mutations, `perFrame` per animation frame, in turn: insert a
   * list item (an element with text and a bold word), remove a list item,
   * edit a paragraph's text, change an element's class or attribute.
   * Resolves with {ms, ops: {insert, remove, text, attr}}.
   */
  B.mutate = function (count, perFrame, seed) {
    var rnd = prng(seed || 7);
    var pick = function (a) { return a[Math.floor(rnd() * a.length)]; };
    var words = function (n) { var s = []; for (var i = 0; i < n; i++) s.push(pick(WORDS)); return s.join(" "); };
    var lists = Array.prototype.slice.call(document.querySelectorAll("main .list"));
    var paras = Array.prototype.slice.call(document.querySelectorAll("main p"));
    var targets = Array.prototype.slice.call(document.querySelectorAll("main .card, main td, main li"));
    var ops = { insert: 0, remove: 0, text: 0, attr: 0 };
    var done = 0;
    var t0 = performance.now();
    function one(i) {
      switch (i % 4) {
        case 0: {
          var list = pick(lists);
          var li = document.createElement("li");
          li.className = "new";
          li.appendChild(document.createTextNode(words(3) + " "));
          var b = document.createElement("b");
          b.textContent = words(1);
          li.appendChild(b);
          var before = list.children.length ? pick(list.children) : null;
          list.insertBefore(li, before);
          ops.insert++;
          break;
        }
        case 1: {
          var from = pick(lists);
          if (from.children.length > 1) {
            from.removeChild(pick(from.children));
            ops.remove++;
          }
          break;
        }
        case 2: {
          var p = pick(paras);
          var t = p.firstChild;
          if (t && t.nodeType === 3) t.data = words(8) + " ";
          else p.insertBefore(document.createTextNode(words(8)), p.firstChild);
          ops.text++;
          break;
        }
        default: {
          var el = pick(targets);
          if (rnd() < 0.5) el.classList.toggle("active");
          else el.setAttribute("data-state", rnd() < 0.5 ? "open" : "closed-" + i);
          ops.attr++;
        }
      }
    }
    return new Promise(function (resolve) {
      function frame() {
        for (var k = 0; k < perFrame && done < count; k++) one(done++);
        if (done < count) requestAnimationFrame(frame);
        else resolve({ ms: performance.now() - t0, ops: ops });
      }
      requestAnimationFrame(frame);
    });
  };

  /**
   * Latency probe `k`: one mutation that makes the token "L<k>" appear in
   * the page (a text edit, a list item inserted, an attribute, a class, in
   * turn). Returns Date.now() taken just before it: the mirror's side reads
   * the same wall clock.
   */
  B.probe = function (k) {
    var token = "L" + k;
    var at = Date.now();
    switch (k % 4) {
      case 0:
        document.getElementById("lat-text").firstChild.data = token;
        break;
      case 1: {
        var list = document.getElementById("lat-list");
        var li = document.createElement("li");
        li.setAttribute("data-lat", token);
        li.textContent = "item " + k;
        list.appendChild(li);
        if (list.children.length > 4) list.removeChild(list.firstElementChild);
        break;
      }
      case 2:
        document.getElementById("lat-attr").setAttribute("data-lat", token);
        break;
      default:
        document.getElementById("lat-attr").className = token;
    }
    return at;
  };

  /** Elements and text nodes in the document, outside the widget's host. */
  B.countNodes = function () {
    var n = 0;
    var w = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: function (x) {
        return x.id === "tandem-widget-root" ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      },
    });
    for (var x = w.currentNode; x; x = w.nextNode()) n++;
    return n;
  };
})();
