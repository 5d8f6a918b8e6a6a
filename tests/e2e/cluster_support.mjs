// A two-node cluster for the browser tests: two `tandem` processes on a
// Postgres database of their own and Redis, behind a real HAProxy that
// pins the widget's socket to node A and everything else (the console, the
// API) to node B, each failing over to the other when its node is down.
// The test then knows which node to kill; everything goes through the
// balancer as on a deployment.
//
// Environment: TANDEM_TEST_POSTGRES_URL, TANDEM_TEST_REDIS_URL (the Rust
// tests' defaults), and `haproxy` and `psql` on the PATH.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { ROOT, tandemBin, waitUntil } from "./harness.mjs";

const POSTGRES = process.env.TANDEM_TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test";
const REDIS = process.env.TANDEM_TEST_REDIS_URL || "redis://127.0.0.1:6379/";

/** A port free right now on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The same Postgres URL naming database `db`. */
function withDatabase(url, db) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Spawns a process, keeping its output lines; `name` prefixes them. */
function spawnLogged(cmd, args, lines, name) {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { NO_COLOR: "1", ...process.env } });
  const keep = (chunk) => lines.push(...String(chunk).replace(/\n$/, "").split("\n").map((l) => `[${name}] ${l}`));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  child.exited = new Promise((r) => child.once("exit", r));
  return child;
}

function haproxyConfig(p) {
  return `global
  maxconn 2000
defaults
  mode http
  option forwardfor
  option redispatch
  retries 3
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  timeout tunnel 120s
  default-server inter 300ms fall 1 rise 1
frontend tandem
  bind 127.0.0.1:${p.public}
  acl widget path_beg /ws/visitor
  use_backend widget if widget
  default_backend console
backend widget
  option httpchk GET /readyz
  server a 127.0.0.1:${p.a} check
  server b 127.0.0.1:${p.b} check backup
backend console
  option httpchk GET /readyz
  server b 127.0.0.1:${p.b} check
  server a 127.0.0.1:${p.a} check backup
frontend shop
  bind 127.0.0.1:${p.shop}
  default_backend shop
backend shop
  server a 127.0.0.1:${p.shopA} check
  server b 127.0.0.1:${p.shopB} check backup
`;
}

/**
 * Starts the cluster with `agents` ([{email, name, password}]). Returns an
 * object shaped like harness.startServer's ({server, demo, log, tail,
 * stop}) plus `kill(node)` (SIGKILL to "a" or "b") and `ready(node)`.
 */
export async function startCluster({ agents = [] } = {}) {
  const db = `tandem_e2e_${Math.random().toString(36).slice(2, 10)}`;
  execFileSync("psql", ["-X", "-q", "-d", POSTGRES, "-c", `CREATE DATABASE ${db}`]);
  const databaseUrl = withDatabase(POSTGRES, db);
  const p = {};
  for (const k of ["public", "shop", "a", "b", "shopA", "shopB"]) p[k] = await freePort();
  const lines = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-e2e-cluster-"));
  const procs = {};
  const stopAll = async () => {
    for (const child of Object.values(procs)) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await child.exited;
    }
    try {
      execFileSync("psql", ["-X", "-q", "-d", POSTGRES, "-c", `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]);
    } catch {
      // best effort: a leftover database holds nothing personal
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const a of agents) {
      // `agent add` reads the password from stdin.
      execFileSync(tandemBin(), ["agent", "add", a.email, "--name", a.name, "--role", "agent,supervisor,admin", "--database-url", databaseUrl], {
        input: a.password + "\n",
        cwd: ROOT,
      });
    }
    const node = (name, port, shopPort) =>
      spawnLogged(
        tandemBin(),
        [
          "serve",
          "--listen", `127.0.0.1:${port}`,
          "--public-url", `http://127.0.0.1:${p.public}`,
          "--demo-listen", `127.0.0.1:${shopPort}`,
          "--allow-origin", `demo=http://127.0.0.1:${p.shop}`,
          "--turn-listen", "127.0.0.1:0",
          "--trusted-proxy", "127.0.0.1",
          "--database-url", databaseUrl,
          "--redis-url", REDIS,
          "--cluster-name", db,
          "--lease-ms", "1500",
          "--static-dir", path.join(ROOT, "static"),
        ],
        lines,
        `node ${name}`,
      );
    procs.a = node("a", p.a, p.shopA);
    await waitUntil("node a to be ready", () => ready(p.a), 30000);
    procs.b = node("b", p.b, p.shopB);
    await waitUntil("node b to be ready", () => ready(p.b), 30000);
    const config = path.join(dir, "haproxy.cfg");
    writeFileSync(config, haproxyConfig(p));
    procs.haproxy = spawnLogged("haproxy", ["-f", config, "-db"], lines, "haproxy");
    await waitUntil("the balancer to reach node b", () => ready(p.public), 15000);
  } catch (e) {
    await stopAll();
    throw new Error(`${e.message}\n${lines.slice(-60).join("\n")}`);
  }
  return {
    server: `http://127.0.0.1:${p.public}`,
    demo: `http://127.0.0.1:${p.shop}`,
    log: () => lines.join("\n"),
    tail: (n = 80) => lines.slice(-n).join("\n"),
    /** SIGKILL to node "a" or "b". */
    async kill(name) {
      procs[name].kill("SIGKILL");
      await procs[name].exited;
    },
    /** Whether node "a" or "b" says it is ready. */
    ready: (name) => ready(p[name]),
    stop: stopAll,
  };
}

async function ready(port) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/readyz`);
    return r.status === 200;
  } catch {
    return false;
  }
}
