//! What to do about each prerequisite, decided from what was found: nothing,
//! a fix that is safe to run here, or a stop naming the command to run.

use super::url::{
    DEFAULT_POSTGRES_URL, DEFAULT_REDIS_URL, database_name, hide_password, host_port,
    redis_host_port, split_url, with_database,
};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// package.json's `engines`; the e2e runner uses `node --test --test-concurrency`.
pub const NODE_MAJOR: u32 = 20;
/// The e2e harness (tests/e2e/harness.mjs) reads the same variable and default.
pub const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// What to do about one prerequisite.
#[derive(Debug, PartialEq)]
pub enum Plan {
    Ready,
    /// Missing, and this fix is safe to run here.
    Fix(Fix),
    /// Missing and not ours to fix: what is missing and the command to run.
    Stop(String),
}

#[derive(Debug, PartialEq)]
pub enum Fix {
    AddWasmTarget,
    /// `apt-get install`, with `apt-get update` only when the install fails.
    InstallChromium,
    StartCluster {
        version: String,
    },
    CreateDatabase {
        admin_url: String,
        name: String,
    },
    /// A local Redis keeping nothing on disk, as .ci/run starts it.
    StartRedis,
    InstallHaproxy,
    /// `pip install` of the pinned Schemathesis (for the current user).
    InstallSchemathesis,
}

/// The Schemathesis the API fuzzing test runs (tests/e2e/openapi_fuzz.test.mjs);
/// .ci/run installs the same.
pub const SCHEMATHESIS: &str = "schemathesis==4.32.5";

/// The command that starts the local Redis (also what .ci/run runs).
pub const START_REDIS: &str =
    "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no";

impl Fix {
    /// The command as a person would type it.
    pub fn shown(&self) -> String {
        match self {
            Fix::AddWasmTarget => format!("rustup target add {WASM_TARGET}"),
            Fix::InstallChromium => "apt-get install -y chromium".into(),
            Fix::StartCluster { version } => {
                format!("pg_ctlcluster --skip-systemctl-redirect {version} main start")
            }
            Fix::CreateDatabase { admin_url, name } => {
                format!(
                    "psql '{}' -c 'CREATE DATABASE \"{name}\"'",
                    hide_password(admin_url)
                )
            }
            Fix::StartRedis => START_REDIS.into(),
            Fix::InstallHaproxy => "apt-get install -y haproxy".into(),
            Fix::InstallSchemathesis => format!("python3 -m pip install {SCHEMATHESIS}"),
        }
    }
}

pub fn wasm_plan(installed: bool, rustup: bool) -> Plan {
    match (installed, rustup) {
        (true, _) => Plan::Ready,
        (false, true) => Plan::Fix(Fix::AddWasmTarget),
        (false, false) => Plan::Stop(format!(
            "the {WASM_TARGET} target is not installed and there is no rustup to add it: \
             install rustup (https://rustup.rs), then `rustup target add {WASM_TARGET}`"
        )),
    }
}

/// From `node --version` (None: node did not run) and whether npm is on PATH.
pub fn node_plan(version: Option<&str>, npm: bool) -> Plan {
    let install = format!(
        "install node ≥ {NODE_MAJOR} with npm (`apt-get install -y nodejs npm` where the \
         distribution's nodejs is new enough, as in Debian 13; otherwise https://nodejs.org)"
    );
    match version {
        None => Plan::Stop(format!("node is missing: {install}")),
        Some(v) if node_major(v).is_none_or(|major| major < NODE_MAJOR) => {
            Plan::Stop(format!("node {v} is too old: {install}"))
        }
        Some(v) if !npm => Plan::Stop(format!("npm is missing beside node {v}: {install}")),
        Some(_) => Plan::Ready,
    }
}

/// `chosen`: TANDEM_CHROMIUM when set, which is then the person's choice
/// and not replaced by a package.
pub fn chromium_plan(chosen: Option<&str>, runs: bool, root: bool, apt: bool) -> Plan {
    if runs {
        return Plan::Ready;
    }
    let sudo = if root { "" } else { "sudo " };
    let install = format!("{sudo}apt-get install -y chromium");
    match chosen {
        Some(path) => {
            let provided = if apt {
                format!(" (`{install}` provides it)")
            } else {
                String::new()
            };
            Plan::Stop(format!(
                "TANDEM_CHROMIUM={path} does not run (`{path} --version` failed): point it at \
                 a working Chromium, or unset it to use {DEFAULT_CHROMIUM}{provided}"
            ))
        }
        None if root && apt => Plan::Fix(Fix::InstallChromium),
        None if apt => Plan::Stop(format!(
            "Chromium is missing ({DEFAULT_CHROMIUM}): run `{install}`, or set \
             TANDEM_CHROMIUM to a Chromium binary"
        )),
        None => Plan::Stop(format!(
            "Chromium is missing ({DEFAULT_CHROMIUM}): install Chromium there, or set \
             TANDEM_CHROMIUM to a Chromium binary"
        )),
    }
}

/// Redis for the cluster tests at `url`: whether it answers, and whether
/// `redis-server` is installed to start a local one.
pub fn redis_plan(url: &str, listening: bool, root: bool, installed: bool) -> Plan {
    if listening {
        return Plan::Ready;
    }
    let sudo = if root { "" } else { "sudo " };
    let local_default = redis_host_port(url).is_some_and(|(host, port)| {
        port == 6379 && ["127.0.0.1", "localhost"].contains(&host.as_str())
    });
    match (local_default, installed) {
        (true, true) if root => Plan::Fix(Fix::StartRedis),
        (true, true) => Plan::Stop(format!(
            "Redis is not running at {url}: run `{sudo}{START_REDIS}`"
        )),
        (true, false) => Plan::Stop(format!(
            "Redis is not installed: run `{sudo}apt-get install -y redis-server`, then \
             `{sudo}{START_REDIS}`"
        )),
        (false, _) => Plan::Stop(format!(
            "nothing answers at {url} (TANDEM_TEST_REDIS_URL): start Redis there, or unset \
             TANDEM_TEST_REDIS_URL to use {DEFAULT_REDIS_URL}"
        )),
    }
}

/// HAProxy, the load balancer of `cargo xtask cluster`.
pub fn haproxy_plan(installed: bool, root: bool, apt: bool) -> Plan {
    match (installed, root, apt) {
        (true, _, _) => Plan::Ready,
        (false, true, true) => Plan::Fix(Fix::InstallHaproxy),
        (false, false, true) => Plan::Stop(
            "HAProxy is missing (the cluster's load balancer): run `sudo apt-get install -y haproxy`".into(),
        ),
        (false, _, false) => Plan::Stop(
            "HAProxy is missing (the cluster's load balancer): install it so `haproxy` is on the PATH".into(),
        ),
    }
}

/// Schemathesis, which fuzzes the REST API from its OpenAPI document:
/// installed with pip when python3 has it, else named.
pub fn schemathesis_plan(installed: bool, pip: bool) -> Plan {
    match (installed, pip) {
        (true, _) => Plan::Ready,
        (false, true) => Plan::Fix(Fix::InstallSchemathesis),
        (false, false) => Plan::Stop(format!(
            "Schemathesis is missing (it fuzzes the REST API) and python3 has no pip: \
             install Python 3 with pip, then `python3 -m pip install {SCHEMATHESIS}`"
        )),
    }
}

/// Whether anything listens at the URL's host and port; a local server on
/// the default port is started when its cluster is installed (`cluster`: the
/// newest version under /etc/postgresql, when pg_ctlcluster exists).
pub fn server_plan(url: &str, listening: bool, root: bool, cluster: Option<&str>) -> Plan {
    if split_url(url).is_none() {
        return Plan::Stop(format!(
            "TANDEM_TEST_POSTGRES_URL={url:?} is not a postgres:// URL: set one, or unset it \
             to use {DEFAULT_POSTGRES_URL}"
        ));
    }
    if listening {
        return Plan::Ready;
    }
    let shown = hide_password(url);
    let sudo = if root { "" } else { "sudo " };
    let local_default = host_port(url).is_some_and(|(host, port)| {
        port == 5432 && ["127.0.0.1", "localhost", "::1"].contains(&host.as_str())
    });
    match cluster {
        Some(version) if local_default && root => Plan::Fix(Fix::StartCluster {
            version: version.into(),
        }),
        Some(version) if local_default => Plan::Stop(format!(
            "Postgres is not running at {shown}: run `{sudo}{}`",
            Fix::StartCluster {
                version: version.into()
            }
            .shown()
        )),
        None if local_default => Plan::Stop(format!(
            "Postgres is not running at {shown} and is not installed: run \
             `{sudo}apt-get install -y postgresql`, then `{sudo}pg_ctlcluster \
             --skip-systemctl-redirect $(ls /etc/postgresql) main start`"
        )),
        _ => Plan::Stop(format!(
            "nothing answers at {shown} (TANDEM_TEST_POSTGRES_URL): start Postgres there, or \
             unset TANDEM_TEST_POSTGRES_URL to use {DEFAULT_POSTGRES_URL}"
        )),
    }
}

/// From `psql <url> -c 'select 1'`: Err holds psql's error output.
pub fn database_plan(url: &str, select: &Result<(), String>) -> Plan {
    let Err(error) = select else {
        return Plan::Ready;
    };
    let shown = hide_password(url);
    let first_line = error.lines().next().unwrap_or("").trim();
    match database_name(url) {
        Some(name) if error.contains(&format!("database \"{name}\" does not exist")) => {
            let admin_url = with_database(url, "postgres");
            Plan::Fix(Fix::CreateDatabase { admin_url, name })
        }
        _ => Plan::Stop(format!(
            "Postgres at {shown} does not accept the tests: {first_line}"
        )),
    }
}

/// 20 from `v20.20.2`.
pub fn node_major(version: &str) -> Option<u32> {
    let v = version.trim();
    v.strip_prefix('v')
        .unwrap_or(v)
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// `156.0.8078.129` from `Chromium 156.0.8078.129 built on Debian …`.
pub fn chromium_version(output: &str) -> Option<&str> {
    output
        .split_whitespace()
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))
}

/// `15` from the folders of /etc/postgresql (`9.6`, `15`, `16`: the newest).
pub fn newest_version(names: &[String]) -> Option<String> {
    let key = |name: &String| -> Option<Vec<u32>> {
        name.split('.').map(|part| part.parse().ok()).collect()
    };
    names
        .iter()
        .filter_map(|n| Some((key(n)?, n)))
        .max()
        .map(|(_, n)| n.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read() {
        assert_eq!(node_major("v20.20.2\n"), Some(20));
        assert_eq!(node_major("18.19.0"), Some(18));
        assert_eq!(node_major("nightly"), None);
        let out = "Chromium 156.0.8078.129 built on Debian GNU/Linux 12 (bookworm)\n";
        assert_eq!(chromium_version(out), Some("156.0.8078.129"));
        let names = ["9.6", "15", "16", "README"].map(String::from);
        assert_eq!(newest_version(&names).as_deref(), Some("16"));
        assert_eq!(newest_version(&[]), None);
    }

    #[test]
    fn redis_is_started_here_only_when_it_is_the_local_default_and_we_may() {
        assert_eq!(
            redis_plan(DEFAULT_REDIS_URL, true, false, false),
            Plan::Ready
        );
        assert_eq!(
            redis_plan(DEFAULT_REDIS_URL, false, true, true),
            Plan::Fix(Fix::StartRedis)
        );
        stops(
            redis_plan(DEFAULT_REDIS_URL, false, false, true),
            &["sudo redis-server", "--save"],
        );
        stops(
            redis_plan(DEFAULT_REDIS_URL, false, true, false),
            &["apt-get install -y redis-server"],
        );
        stops(
            redis_plan("redis://cache.internal:6380/", false, true, true),
            &["TANDEM_TEST_REDIS_URL", DEFAULT_REDIS_URL],
        );
    }

    #[test]
    fn schemathesis_is_installed_with_pip_else_named() {
        assert_eq!(schemathesis_plan(true, false), Plan::Ready);
        assert_eq!(
            schemathesis_plan(false, true),
            Plan::Fix(Fix::InstallSchemathesis)
        );
        stops(
            schemathesis_plan(false, false),
            &["pip install schemathesis=="],
        );
    }

    #[test]
    fn haproxy_is_installed_by_root_with_apt_else_named() {
        assert_eq!(haproxy_plan(true, false, false), Plan::Ready);
        assert_eq!(
            haproxy_plan(false, true, true),
            Plan::Fix(Fix::InstallHaproxy)
        );
        stops(
            haproxy_plan(false, false, true),
            &["sudo apt-get install -y haproxy"],
        );
        stops(haproxy_plan(false, false, false), &["PATH"]);
    }

    fn stops(plan: Plan, words: &[&str]) {
        let Plan::Stop(message) = plan else {
            panic!("{plan:?} is not a stop");
        };
        for word in words {
            assert!(message.contains(word), "{message:?} lacks {word:?}");
        }
    }

    #[test]
    fn node_must_be_recent_and_come_with_npm() {
        assert_eq!(node_plan(Some("v20.1.0"), true), Plan::Ready);
        stops(
            node_plan(None, true),
            &["node is missing", "apt-get install -y nodejs npm"],
        );
        stops(
            node_plan(Some("v18.19.0"), true),
            &["v18.19.0 is too old", "≥ 20"],
        );
        stops(node_plan(Some("v22.0.0"), false), &["npm is missing"]);
    }

    #[test]
    fn the_wasm_target_is_added_by_rustup_only() {
        assert_eq!(wasm_plan(true, false), Plan::Ready);
        assert_eq!(wasm_plan(false, true), Plan::Fix(Fix::AddWasmTarget));
        stops(
            wasm_plan(false, false),
            &["rustup target add wasm32-unknown-unknown"],
        );
    }

    #[test]
    fn chromium_is_installed_only_as_root_and_never_over_a_chosen_path() {
        assert_eq!(chromium_plan(None, true, false, false), Plan::Ready);
        assert_eq!(
            chromium_plan(None, false, true, true),
            Plan::Fix(Fix::InstallChromium)
        );
        stops(
            chromium_plan(None, false, false, true),
            &["sudo apt-get install -y chromium"],
        );
        stops(
            chromium_plan(None, false, true, false),
            &["/usr/bin/chromium", "TANDEM_CHROMIUM"],
        );
        stops(
            chromium_plan(Some("/opt/c"), false, true, true),
            &[
                "TANDEM_CHROMIUM=/opt/c does not run",
                "unset it",
                "(`apt-get install",
            ],
        );
        stops(
            chromium_plan(Some("/opt/c"), false, false, true),
            &["`sudo apt-get install -y chromium` provides it"],
        );
    }

    #[test]
    fn only_the_local_default_server_is_started() {
        let url = DEFAULT_POSTGRES_URL;
        assert_eq!(server_plan(url, true, false, None), Plan::Ready);
        stops(
            server_plan("", true, true, None),
            &["\"\" is not a postgres:// URL"],
        );
        let start = Fix::StartCluster {
            version: "15".into(),
        };
        assert_eq!(server_plan(url, false, true, Some("15")), Plan::Fix(start));
        let local = "postgres://postgres@localhost/test";
        assert!(matches!(
            server_plan(local, false, true, Some("15")),
            Plan::Fix(_)
        ));
        stops(
            server_plan(url, false, false, Some("15")),
            &["sudo pg_ctlcluster --skip-systemctl-redirect 15 main start"],
        );
        stops(
            server_plan(url, false, true, None),
            &["apt-get install -y postgresql"],
        );
        let other = "postgres://postgres:pw@127.0.0.1:5999/test";
        stops(
            server_plan(other, false, true, Some("15")),
            &["nothing answers at postgres://postgres:***@127.0.0.1:5999/test"],
        );
    }

    #[test]
    fn a_missing_database_is_created_other_refusals_stop() {
        let url = DEFAULT_POSTGRES_URL;
        assert_eq!(database_plan(url, &Ok(())), Plan::Ready);
        let missing = Err(
            "psql: error: connection to server at \"127.0.0.1\", port 5432 \
                           failed: FATAL:  database \"test\" does not exist\n"
                .to_string(),
        );
        let create = Fix::CreateDatabase {
            admin_url: "postgres://postgres@127.0.0.1:5432/postgres".into(),
            name: "test".into(),
        };
        assert_eq!(
            create.shown(),
            "psql 'postgres://postgres@127.0.0.1:5432/postgres' -c 'CREATE DATABASE \"test\"'"
        );
        assert_eq!(database_plan(url, &missing), Plan::Fix(create));
        let auth = Err("psql: error: FATAL:  password authentication failed\nmore\n".to_string());
        stops(
            database_plan(url, &auth),
            &["password authentication failed"],
        );
    }
}
