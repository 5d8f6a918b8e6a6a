// The SDK's TypeScript declarations (static/widget/tandem.d.ts) against its
// documentation (docs/sdk.md), with the TypeScript compiler (npm
// `typescript`, `--strict`). No browser: this is the one test in this folder
// that only compiles.
//
// From the documentation it reads every method (`Tandem.x(`), every init
// option with its documented type, every field of `identify`, every event
// with every field of its data; it writes a TypeScript file that calls,
// passes and reads each of them exactly as documented, and compiles it. A
// method or an option the documentation names but this file cannot express
// fails too, so new documentation cannot slip past the check. A control run
// reads a field no event has, and must fail: the check is not vacuous.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

import { ROOT } from "./harness.mjs";

const DOC = readFileSync(path.join(ROOT, "docs/sdk.md"), "utf8");
const DTS = path.join(ROOT, "static/widget/tandem.d.ts");
const TSC = path.join(ROOT, "node_modules/.bin/tsc");

/** A call of each documented method, as a user would write it. */
const CALLS = {
  init: null, // written from the options table below
  open: "Tandem.open();",
  close: "Tandem.close();",
  identify: null, // written from its heading below
  requestHelp: 'Tandem.requestHelp({ topic: "billing", message: "I can\'t complete my payment." });',
  send: 'Tandem.send("Hello");',
  mask: 'Tandem.mask("[data-account-number]");',
  on: null, // written from the events table below
  off: 'const listener = (m: Tandem.EventMap["message"]) => console.log(m.text);\nTandem.off?.("message", listener);',
  shutdown: "Tandem.shutdown();",
};

/** A value of each documented option type. */
const VALUES = {
  string: '"x"',
  boolean: "true",
  "string[]": '[".order-history", "#loyalty-number"]',
  "{id, label}[]": '[{ id: "returns", label: "Returns" }]',
};

/** A value of each documented identity field. */
const IDENTITY = {
  id: "4711",
  name: '"Ann Smith"',
  email: '"ann@example.com"',
  attributes: '{ plan: "gold", orders: 12, vip: true, referrer: null }',
  token: '"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig"',
};

/** The rows of the first Markdown table after `heading`: arrays of cells. */
function tableAfter(heading) {
  const start = DOC.indexOf(heading);
  assert.ok(start >= 0, `docs/sdk.md has "${heading}"`);
  const lines = DOC.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|").slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

const unquote = (cell) => cell.replace(/^`|`$/g, "");

/** The TypeScript file using everything docs/sdk.md documents (plus `extra`). */
function usage(extra = "") {
  const methods = [...new Set([...DOC.matchAll(/Tandem\.(\w+)\(/g)].map((m) => m[1]))];
  const out = [`/// <reference path=${JSON.stringify(DTS)} />`, "export {};"];
  for (const method of methods) {
    assert.ok(method in CALLS, `docs/sdk.md documents Tandem.${method}(), which this check does not call yet`);
  }

  const options = tableAfter("## `Tandem.init(options)`").map(([name, type]) => {
    const value = VALUES[unquote(type)] ?? VALUES[type];
    assert.ok(value, `the option ${name} has a type (${type}) this check cannot write`);
    return `  ${unquote(name)}: ${value},`;
  });
  out.push(`Tandem.init({\n${options.join("\n")}\n});`);

  const heading = DOC.match(/### `Tandem\.identify\(\{([^}]*)\}\)`/);
  assert.ok(heading, "docs/sdk.md has the identify heading");
  const fields = heading[1].split(",").map((f) => f.trim());
  for (const f of fields) assert.ok(f in IDENTITY, `identify's ${f} has no value in this check`);
  out.push(`Tandem.identify({ ${fields.map((f) => `${f}: ${IDENTITY[f]}`).join(", ")} });`);
  out.push(`Tandem.identify({ id: "u-1", hash: "0123abcd" });`);

  for (const [event, data] of tableAfter("## Events")) {
    const names = unquote(data).replace(/[{}]/g, "").split(",").map((f) => f.trim().replace(/\?$/, "")).filter(Boolean);
    const reads = names.map((f) => `  const ${f}_ = d.${f};\n  void ${f}_;`).join("\n");
    out.push(`const stop_${unquote(event)}: Tandem.Unsubscribe = Tandem.on(${JSON.stringify(unquote(event))}, (d) => {\n${reads}\n  void d;\n});\nstop_${unquote(event)}();`);
  }
  for (const [method, call] of Object.entries(CALLS)) {
    if (call) out.push(call);
    else assert.ok(methods.includes(method), `${method} is written from the documentation`);
  }
  out.push('const version: string | undefined = Tandem.version;\nvoid version;\nconst viaWindow: Tandem.Api = window.Tandem;\nvoid viaWindow;');
  out.push(extra);
  return out.join("\n\n") + "\n";
}

/** Compiles `source` with `tsc --strict`; returns {status, output}. */
function compile(source) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-sdk-types-"));
  try {
    const file = path.join(dir, "usage.ts");
    writeFileSync(file, source);
    const run = spawnSync(TSC, ["--strict", "--noEmit", "--target", "es2020", "--lib", "es2020,dom", file], {
      // Run where no node_modules/@types can be picked up: only the DOM and the SDK.
      cwd: dir,
      encoding: "utf8",
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}`, file };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the SDK's TypeScript declarations type everything docs/sdk.md documents (tsc --strict)", () => {
  const source = usage();
  const { status, output } = compile(source);
  assert.equal(status, 0, `tsc --strict refused a documented use:\n${output}\n--- usage.ts ---\n${source}`);

  // The control: a field no event has must be an error.
  const bad = compile(usage('Tandem.on("status", (d) => { const x = d.not_a_field; void x; });'));
  assert.notEqual(bad.status, 0, "an undocumented field must not type-check");
  assert.match(bad.output, /not_a_field/);
});
