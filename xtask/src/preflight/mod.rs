//! What the machine must have before anything is built: checked first, so a
//! fresh machine learns in a second what it lacks instead of after a quarter
//! of an hour of Rust tests.
//!
//! Each prerequisite is found (or not) here, a plan is decided from what was
//! found (plan.rs, pure), and the plan is carried out: nothing to do,
//! a fix that is safe to run here (the same steps as .ci/run), or a stop with
//! the exact command for the person to run. Everything missing is reported at
//! once; when all is present the check prints one line.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::paths::{self, have, on_path, root, run};

mod plan;
mod url;

use plan::{
    DEFAULT_CHROMIUM, Fix, Plan, START_REDIS, WASM_TARGET, chromium_plan, chromium_version,
    database_plan, haproxy_plan, newest_version, node_plan, redis_plan, server_plan, wasm_plan,
};
pub use url::with_database;
use url::{DEFAULT_POSTGRES_URL, DEFAULT_REDIS_URL, hide_password, host_port, redis_host_port};

/// One thing a command needs from the machine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Need {
    /// The Rust standard library for wasm32-unknown-unknown (the bundles).
    WasmTarget,
    /// node ≥ 20 and npm, and the npm packages (esbuild, wasm-opt from
    /// binaryen, playwright-core). wasm-bindgen is a Rust library, not a tool.
    Node,
    /// Chromium for the browser tests.
    Chromium,
    /// A reachable Postgres with its database, for the store suite.
    Postgres,
    /// A reachable Redis, for the cluster tests.
    Redis,
    /// HAProxy, the load balancer in front of `cargo xtask cluster`.
    Haproxy,
    /// Schemathesis, which fuzzes the REST API (tests/e2e/openapi_fuzz.test.mjs).
    Schemathesis,
}

/// `cargo xtask test` (and `cargo xtask preflight`).
pub const FOR_TEST: &[Need] = &[
    Need::WasmTarget,
    Need::Node,
    Need::Chromium,
    Need::Postgres,
    Need::Redis,
    Need::Haproxy,
    Need::Schemathesis,
];
/// `cargo xtask cluster`: the bundles, Postgres, Redis and the balancer.
pub const FOR_CLUSTER: &[Need] = &[Need::WasmTarget, Need::Postgres, Need::Redis, Need::Haproxy];
/// `cargo xtask run` and `build`: the bundles need the wasm target; without
/// node they are built unshrunk and the demo's React form is left out.
pub const FOR_BUILD: &[Need] = &[Need::WasmTarget];

/// Checks (and where safe, provides) every need; fails naming all that is missing.
pub fn check(needs: &[Need]) -> Result<()> {
    let started = Instant::now();
    let root = is_root();
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for need in needs {
        let outcome = match need {
            Need::WasmTarget => wasm_target(),
            Need::Node => node(),
            Need::Chromium => chromium(root),
            Need::Postgres => postgres(root),
            Need::Redis => redis(root),
            Need::Haproxy => haproxy(root),
            Need::Schemathesis => schemathesis(),
        };
        match outcome {
            Ok(note) => found.push(note),
            Err(e) => missing.push(format!("{e:#}")),
        }
    }
    if !missing.is_empty() {
        bail!(
            "this machine lacks what the command needs:\n  - {}",
            missing.join("\n  - ")
        );
    }
    eprintln!(
        "xtask: preflight ok ({}) in {:.0?}",
        found.join(", "),
        started.elapsed()
    );
    Ok(())
}

/// Carries out a plan; `present` looks again after a fix.
fn settle(plan: Plan, present: impl Fn() -> bool) -> Result<()> {
    let fix = match plan {
        Plan::Ready => return Ok(()),
        Plan::Stop(message) => bail!(message),
        Plan::Fix(fix) => fix,
    };
    eprintln!("xtask: preflight: {}", fix.shown());
    let fixed = apply(&fix).and_then(|()| {
        if present() {
            Ok(())
        } else {
            bail!("it ran, and the prerequisite is still missing")
        }
    });
    fixed.with_context(|| format!("`{}` did not work; run it yourself", fix.shown()))
}

fn apply(fix: &Fix) -> Result<()> {
    match fix {
        Fix::AddWasmTarget => run(Command::new("rustup").args(["target", "add", WASM_TARGET])),
        Fix::InstallChromium => apt_install("chromium"),
        Fix::StartCluster { version } => run(Command::new("pg_ctlcluster").args([
            "--skip-systemctl-redirect",
            version,
            "main",
            "start",
        ])),
        Fix::StartRedis => {
            let _ = std::fs::create_dir_all("/var/lib/redis");
            run(Command::new("sh")
                .args(["-c", START_REDIS])
                .current_dir("/tmp"))
        }
        Fix::InstallHaproxy => apt_install("haproxy"),
        Fix::InstallSchemathesis => run(Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", plan::SCHEMATHESIS])
            .stdin(Stdio::null())),
        Fix::CreateDatabase { admin_url, name } => {
            psql(admin_url, &format!("CREATE DATABASE \"{name}\"")).map_err(|e| anyhow::anyhow!(e))
        }
    }
}

/// `apt-get install -y <package>`: the existing package lists first, as
/// .ci/run does, and `apt-get update` only if that fails.
fn apt_install(package: &str) -> Result<()> {
    let apt = |args: &[&str]| {
        run(Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null()))
    };
    apt(&["install", "-y", package])
        .or_else(|_| apt(&["update"]).and_then(|()| apt(&["install", "-y", package])))
}

/// The Postgres the tests and the local cluster use (its `test` database).
pub fn postgres_admin_url() -> String {
    std::env::var("TANDEM_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.into())
}

/// The Redis the tests and the local cluster use.
pub fn redis_url() -> String {
    std::env::var("TANDEM_TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.into())
}

/// Drops database `name` next to the one `admin_url` names, if it exists.
pub fn drop_database(admin_url: &str, name: &str) -> Result<()> {
    psql(
        admin_url,
        &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
    )
    .map_err(|e| anyhow::anyhow!(e))
}

/// Creates database `name` next to the one `admin_url` names, if missing.
pub fn create_database(admin_url: &str, name: &str) -> Result<()> {
    let url = with_database(admin_url, name);
    if psql(&url, "select 1").is_ok() {
        return Ok(());
    }
    psql(admin_url, &format!("CREATE DATABASE \"{name}\"")).map_err(|e| anyhow::anyhow!(e))
}

fn redis(root_user: bool) -> Result<String> {
    let url = redis_url();
    let listening = || redis_host_port(&url).is_some_and(|(host, port)| listens(&host, port));
    let plan = redis_plan(&url, listening(), root_user, on_path("redis-server"));
    settle(plan, || soon(Duration::from_secs(10), listening))?;
    Ok(format!("Redis {url}"))
}

fn haproxy(root_user: bool) -> Result<String> {
    let plan = haproxy_plan(on_path("haproxy"), root_user, on_path("apt-get"));
    settle(plan, || on_path("haproxy"))?;
    Ok("HAProxy".into())
}

fn schemathesis() -> Result<String> {
    let runs = |args: &[&str]| {
        Command::new("python3")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let installed = || runs(&["-m", "schemathesis.cli", "--version"]);
    let plan = plan::schemathesis_plan(installed(), runs(&["-m", "pip", "--version"]));
    settle(plan, installed)?;
    Ok("Schemathesis".into())
}

fn wasm_target() -> Result<String> {
    let installed = || {
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let sysroot = Command::new(rustc).args(["--print", "sysroot"]).output();
        sysroot.is_ok_and(|out| {
            let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
            out.status.success()
                && Path::new(&dir)
                    .join("lib/rustlib")
                    .join(WASM_TARGET)
                    .is_dir()
        })
    };
    let present = installed();
    settle(wasm_plan(present, present || have("rustup")), installed)?;
    Ok(format!("{WASM_TARGET} target"))
}

fn node() -> Result<String> {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string());
    settle(node_plan(version.as_deref(), on_path("npm")), || true)?;
    // npm ci when node_modules is missing or older than package-lock.json.
    paths::ensure_npm_packages()
        .with_context(|| format!("npm ci failed: run `npm ci` in {}", root().display()))?;
    let modules = root().join("node_modules");
    for tool in [".bin/esbuild", ".bin/wasm-opt", "playwright-core"] {
        if !modules.join(tool).exists() {
            bail!(
                "node_modules/{tool} is missing after npm ci: run `npm ci` in {}",
                root().display()
            );
        }
    }
    Ok(format!("node {}", version.unwrap_or_default()))
}

fn chromium(root_user: bool) -> Result<String> {
    let chosen = std::env::var("TANDEM_CHROMIUM")
        .ok()
        .filter(|p| !p.is_empty());
    let path = chosen.clone().unwrap_or_else(|| DEFAULT_CHROMIUM.into());
    let version = || -> Option<String> {
        let out = Command::new(&path)
            .arg("--version")
            .current_dir(root())
            .stdin(Stdio::null())
            .output()
            .ok()
            .filter(|out| out.status.success())?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        Some(chromium_version(&text).unwrap_or("").to_string())
    };
    let found = version();
    let apt = on_path("apt-get");
    let plan = chromium_plan(chosen.as_deref(), found.is_some(), root_user, apt);
    settle(plan, || version().is_some())?;
    let found = found.or_else(version).unwrap_or_default();
    Ok(format!("Chromium {found}"))
}

fn postgres(root_user: bool) -> Result<String> {
    let url = postgres_admin_url();
    let listening = || match host_port(&url) {
        Some((host, port)) => listens(&host, port),
        // No host (a socket path): psql below says whether it works.
        None => true,
    };
    let cluster = on_path("pg_ctlcluster")
        .then(|| std::fs::read_dir("/etc/postgresql").ok())
        .flatten()
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect::<Vec<_>>()
        })
        .and_then(|names| newest_version(&names));
    let plan = server_plan(&url, listening(), root_user, cluster.as_deref());
    // pg_ctlcluster waits for the start; a few seconds more for the socket.
    settle(plan, || soon(Duration::from_secs(30), listening))?;
    let shown = hide_password(&url);
    if !on_path("psql") {
        return Ok(format!(
            "Postgres {shown} (no psql: the database is not checked)"
        ));
    }
    let select = || psql(&url, "select 1");
    settle(database_plan(&url, &select()), || select().is_ok())?;
    Ok(format!("Postgres {shown}"))
}

/// Runs one statement; Err holds psql's error output.
fn psql(url: &str, sql: &str) -> Result<(), String> {
    let out = Command::new("psql")
        .args(["-X", "-q", "-t", "-A", "-d", url, "-c", sql])
        .env("PGCONNECT_TIMEOUT", "3")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not start psql: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Whether `ready` turns true within `limit` (a server just started).
fn soon(limit: Duration, ready: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn listens(host: &str, port: u16) -> bool {
    let Ok(addrs) = (host, port).to_socket_addrs() else {
        return false;
    };
    addrs
        .into_iter()
        .any(|addr| TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}
