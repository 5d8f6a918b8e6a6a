//! `cargo xtask cluster`: a cluster on this machine, as an operator would
//! run one — three `tandem` nodes on the local Postgres (database
//! `tandem_cluster`) and Redis, HAProxy in front of them (the console and
//! the API on :8080, the demo shop on :8081), health-checked on `/readyz`.
//! Kill a node (its pid is printed) and watch the others carry on.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::paths::target_dir;
use crate::preflight::{self, postgres_admin_url, redis_url, with_database};
use crate::run::{build_release, demo_agent, print_login};

const NODES: u16 = 3;
const DATABASE: &str = "tandem_cluster";
const PUBLIC: &str = "127.0.0.1:8080";
const SHOP: &str = "127.0.0.1:8081";

/// Node `n`'s (1-based) listeners: API, demo shop, TURN.
fn ports(n: u16) -> (u16, u16, u16) {
    (8180 + n, 8190 + n, 3478 + n)
}

pub fn cluster(extra: &[String]) -> Result<()> {
    preflight::check(preflight::FOR_CLUSTER)?;
    let tandem = build_release()?;
    let admin = postgres_admin_url();
    preflight::create_database(&admin, DATABASE)?;
    let db = with_database(&admin, DATABASE);
    let redis = redis_url();
    let dir = target_dir().join("cluster");
    std::fs::create_dir_all(&dir)?;

    let password = demo_agent(&tandem, &db)?;
    let mut children = Vec::new();
    for n in 1..=NODES {
        children.push(node(&tandem, n, &db, &redis, &dir, extra)?);
    }
    let config = dir.join("haproxy.cfg");
    std::fs::write(&config, haproxy_config())?;
    let balancer = Command::new("haproxy")
        .arg("-f")
        .arg(&config)
        .arg("-db")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("haproxy.log"))?)
        .spawn()
        .context("starting haproxy")?;

    // The nodes first, the balancer last.
    children.push(balancer);
    if let Err(e) = wait_until_served(&mut children) {
        for child in &mut children {
            let _ = child.kill();
        }
        let log = std::fs::read_to_string(dir.join("haproxy.log")).unwrap_or_default();
        bail!("{e:#}\nHAProxy said:\n{log}\nnode logs: {}", dir.display());
    }
    print_login(&password);
    println!("Tandem cluster is running ({NODES} nodes behind HAProxy):");
    println!("  Agent console: http://{PUBLIC}/agent");
    println!("  Demo shop:     http://{SHOP}/");
    for (n, child) in (1..=NODES).zip(&children) {
        let (api, _, _) = ports(n);
        println!(
            "  node {n}: http://127.0.0.1:{api}  pid {}  log {}",
            child.id(),
            dir.join(format!("node-{n}.log")).display()
        );
    }
    println!(
        "  Postgres: {DATABASE}   Redis: {redis}   HAProxy: {}",
        config.display()
    );
    println!("Try `kill -9 <pid>` on any node. Stop everything with Ctrl-C.");

    // Ctrl-C reaches every child (same process group); wait for them all.
    let mut failed = None;
    for mut child in children {
        let status = child.wait()?;
        if !status.success() && failed.is_none() {
            failed = Some(status);
        }
    }
    match failed {
        Some(status) => bail!("a process of the cluster exited with {status}"),
        None => Ok(()),
    }
}

/// Waits until the balancer answers `/readyz` with a node behind it; fails
/// at once if a process exits.
fn wait_until_served(children: &mut [Child]) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        for child in children.iter_mut() {
            if let Some(status) = child.try_wait()? {
                bail!("a process of the cluster exited at start ({status})");
            }
        }
        if ready(PUBLIC) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            bail!("the balancer at {PUBLIC} did not answer /readyz within 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// `GET /readyz` at `addr` answered 200 (a plain HTTP/1.0 request: xtask
/// has no HTTP client, and needs none for this).
fn ready(addr: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
    let request = format!("GET /readyz HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200")
}

fn node(
    tandem: &Path,
    n: u16,
    db: &str,
    redis: &str,
    dir: &Path,
    extra: &[String],
) -> Result<Child> {
    let (api, shop, turn) = ports(n);
    let log = std::fs::File::create(dir.join(format!("node-{n}.log")))?;
    Command::new(tandem)
        .args(["serve", "--listen", &format!("127.0.0.1:{api}")])
        .args(["--public-url", &format!("http://{PUBLIC}")])
        .args(["--demo-listen", &format!("127.0.0.1:{shop}")])
        .args(["--allow-origin", &format!("demo=http://{SHOP}")])
        .args(["--turn-listen", &format!("127.0.0.1:{turn}")])
        .args(["--trusted-proxy", "127.0.0.1"])
        .args(["--database-url", db, "--redis-url", redis])
        .args(["--cluster-name", "local"])
        .args(extra)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting node {n}"))
}

/// Round robin over the nodes that answer `/readyz`, for the API and the
/// WebSockets (no stickiness: any node serves any client), and over the
/// nodes' demo listeners for the shop.
fn haproxy_config() -> String {
    let mut nodes = String::new();
    let mut shops = String::new();
    for n in 1..=NODES {
        let (api, shop, _) = ports(n);
        nodes.push_str(&format!("  server node{n} 127.0.0.1:{api} check\n"));
        shops.push_str(&format!("  server shop{n} 127.0.0.1:{shop} check\n"));
    }
    format!(
        "global
  maxconn 4096

defaults
  mode http
  option forwardfor
  option redispatch
  retries 3
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 90s

frontend tandem
  bind {PUBLIC}
  default_backend nodes

backend nodes
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 1s fall 2 rise 1
{nodes}
frontend shop
  bind {SHOP}
  default_backend shops

backend shops
  balance roundrobin
  default-server inter 1s fall 2 rise 1
{shops}"
    )
}
