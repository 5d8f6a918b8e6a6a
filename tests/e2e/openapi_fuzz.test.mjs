// Schemathesis (property-based API testing, from pip) against a live server:
// thousands of requests generated from /api/v1/openapi.json, every answer
// checked against the document (status, media type, schema, headers), and
// requests the schema allows must be accepted, those it forbids refused.
// Passes, so no pass can cut the branch it sits on: the integration API
// with an admin API token (all but revoking tokens: its stateful phase
// would revoke the token it runs with); subscribing webhooks; revoking, with
// random ids only; and the console's routes with an agent's sign-in (all
// but logout).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "./harness.mjs";

/**
 * Runs Schemathesis as a Python module (how preflight finds it, whatever the
 * PATH), in a scratch folder: it keeps a cache in its working directory.
 */
function schemathesis(args) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "tandem-schemathesis-"));
  return new Promise((resolve) => {
    const child = spawn("python3", ["-m", "schemathesis.cli", ...args], {
      cwd: scratch,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", (e) => resolve({ code: -1, out: `python3 did not start: ${e.message}` }));
    child.on("close", (code) => {
      rmSync(scratch, { recursive: true, force: true });
      resolve({ code, out });
    });
  });
}

const AGENT = { email: "fuzz@example.com", name: "Fuzz", password: "fuzz-password-1" };

test("Schemathesis finds no answer that is not as the OpenAPI document says", { timeout: 600_000 }, async () => {
  const stack = await startServer({ agents: [AGENT] });
  try {
    const schema = `${stack.server}/api/v1/openapi.json`;
    const admin = await stack.apiToken("admin");
    const login = await fetch(`${stack.server}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: AGENT.email, password: AGENT.password }),
    });
    assert.equal(login.status, 200);
    const agent = (await login.json()).token;
    const common = ["--checks", "all", "--max-examples", "40", "--workers", "1", "--seed", "20261207", "--warnings", "off"];
    const passes = [
      ["integration API", admin, ["--exclude-path", "/api/v1/tokens/{id}", "--exclude-path", "/api/v1/webhooks"]],
      // Whether a URL may be subscribed depends on its scheme, its host's
      // addresses and DNS, which no schema can say: every refusal is still
      // checked (400 problem details), just not counted as a wrong refusal.
      ["subscribing webhooks", admin, ["--include-path", "/api/v1/webhooks", "--exclude-checks", "positive_data_acceptance"]],
      ["revoking tokens", admin, ["--include-path", "/api/v1/tokens/{id}", "--phases", "examples,coverage,fuzzing"]],
      ["console", agent, ["--include-tag", "console", "--exclude-path", "/api/v1/logout"]],
    ];
    for (const [name, token, only] of passes) {
      const { code, out } = await schemathesis(["run", schema, "-H", `Authorization: Bearer ${token}`, ...common, ...only]);
      const summary = out.split("\n").filter((l) => /generated|passed|failed|ST\d{3}/.test(l)).join("\n");
      console.log(`schemathesis, ${name}:\n${summary}`);
      assert.equal(code, 0, `schemathesis found failures (${name}):\n${out.slice(-6000)}\n\nserver:\n${stack.tail(40)}`);
      assert.match(out, /\d+ generated/, `${name}: nothing was generated:\n${out.slice(-3000)}`);
    }
  } finally {
    await stack.stop();
  }
});
