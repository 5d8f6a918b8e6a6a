//! Starting the servers and the load generator for one scenario, pinned
//! and prioritised, and collecting what they print.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::paths::{root, run, target_dir};

/// Tandem's per-connection frame limit in the relay runs: a flood guard
/// (30 a second by default) that would otherwise measure itself, not the
/// server (at 100 pairs it capped Tandem at 2,800 messages/s).
pub(super) const BENCH_FRAMES_PER_SECOND: &str = "100000";
/// New visitors and help requests a minute, per address and per site, and
/// requests waiting per site, allowed in benchmarks (all from one address).
const BENCH_ADMISSION: &str = "1000000";
/// The longest any one scenario may take before it is stopped.
const SCENARIO_LIMIT: Duration = Duration::from_secs(300);

/// Starts a program in its own session at nice −10 (when permitted), with the
/// open-file limit raised to the hard limit, pinned to one core.
const PRELUDE: &str =
    r#"ulimit -n "$(ulimit -Hn)"; echo -10 > /proc/self/autogroup 2>/dev/null; exec "$@""#;

#[derive(Debug, Clone, Copy)]
pub(super) enum Target {
    Tandem,
    Bare,
    Node,
}

/// The state of one benchmark: where files go, what was collected.
pub(super) struct Bench {
    pub(super) dir: PathBuf,
    pub(super) results: PathBuf,
    pub(super) loadgen: PathBuf,
    pub(super) runs: usize,
    pub(super) notes: Vec<String>,
    pub(super) tandem_warnings: usize,
}

impl Bench {
    /// A bench whose files go to target/bench/<mode>/: one folder per mode
    /// (`all`, `soak`, `against`), so a soak and another benchmark can run
    /// at once (a soak's database was once deleted under it).
    pub(super) fn new(mode: &str) -> Result<Bench> {
        let dir = target_dir().join("bench").join(mode);
        // Databases, tokens and logs of this mode's previous run are of no further use.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        Ok(Bench {
            results: dir.join("results.jsonl"),
            loadgen: target_dir().join("release/tandem-loadgen"),
            dir,
            runs: 0,
            notes: Vec::new(),
            tandem_warnings: 0,
        })
    }

    /// One relay run: a fresh server, the load generator, the server stopped.
    pub(super) fn relay(
        &mut self,
        target: Target,
        pairs: usize,
        variant: Option<&str>,
    ) -> Result<()> {
        let server = match target {
            Target::Tandem => return self.tandem_relay(&Build::current(), pairs, variant),
            Target::Bare => {
                let relay = target_dir().join("release/bare-relay");
                let flags: &[&str] = if variant.is_some() { &["--tuned"] } else { &[] };
                self.start("bare", pinned(0, &relay, flags))?
            }
            Target::Node => {
                let script = root().join("bench/node-relay.mjs");
                self.start(
                    "node",
                    pinned(
                        0,
                        Path::new("node"),
                        &[script.to_str().context("path is UTF-8")?],
                    ),
                )?
            }
        };
        self.drive_relay(&server, target, pairs, variant)
    }

    /// One relay run against a fresh Tandem of `build`; `variant` labels
    /// the runs of a build other than this tree's.
    pub(super) fn tandem_relay(
        &mut self,
        build: &Build,
        pairs: usize,
        variant: Option<&str>,
    ) -> Result<()> {
        let server = self.tandem_of(
            build,
            pairs,
            &["--frames-per-second", BENCH_FRAMES_PER_SECOND],
        )?;
        self.drive_relay(&server, Target::Tandem, pairs, variant)
    }

    fn drive_relay(
        &mut self,
        server: &Server,
        target: Target,
        pairs: usize,
        variant: Option<&str>,
    ) -> Result<()> {
        let mut args = vec![
            "relay".to_string(),
            format!("--target={}", format!("{target:?}").to_lowercase()),
            format!("--pairs={pairs}"),
        ];
        if let Some(v) = variant {
            args.push(format!("--variant={v}"));
        }
        if matches!(target, Target::Tandem) {
            args.push("--unpaced".to_string());
        }
        self.loadgen(server, &args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// A fresh Tandem with `agents` seeded agents, visitors allowed from the bench origin.
    pub(super) fn tandem(&mut self, agents: usize, extra: &[&str]) -> Result<Server> {
        self.tandem_of(&Build::current(), agents, extra)
    }

    /// The same with the server and seeder of `build`, given only the flags
    /// that build knows.
    pub(super) fn tandem_of(
        &mut self,
        build: &Build,
        agents: usize,
        extra: &[&str],
    ) -> Result<Server> {
        self.tandem_on(build, None, agents, extra)
    }

    /// The same on database `db` (default: a fresh SQLite file); agents are
    /// seeded only when `agents` > 0, so a second node of a cluster can
    /// start on the first one's database.
    pub(super) fn tandem_on(
        &mut self,
        build: &Build,
        db: Option<&str>,
        agents: usize,
        extra: &[&str],
    ) -> Result<Server> {
        self.runs += 1;
        let db = match db {
            Some(db) => db.to_string(),
            None => format!(
                "sqlite://{}",
                self.dir.join(format!("tandem-{}.db", self.runs)).display()
            ),
        };
        let tokens = self.dir.join(format!("tokens-{}", self.runs));
        if agents > 0 {
            run(Command::new(&build.loadgen)
                .args([
                    "seed",
                    "--database-url",
                    &db,
                    "--agents",
                    &agents.to_string(),
                    "--tokens",
                ])
                .arg(&tokens))?;
        }
        let args = [
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            &db,
            "--allow-origin",
            "demo=http://bench.local",
            "--turn-listen",
            "127.0.0.1:0",
            // Every simulated client comes from 127.0.0.1.
            "--max-connections-per-ip",
            "0",
            // Every simulated visitor comes from 127.0.0.1: lift the
            // per-address and per-site admission limits.
            "--new-visitors-per-ip",
            BENCH_ADMISSION,
            "--new-visitors-per-site",
            BENCH_ADMISSION,
            "--requests-per-ip",
            BENCH_ADMISSION,
            "--requests-per-site",
            BENCH_ADMISSION,
            "--max-waiting-per-site",
            BENCH_ADMISSION,
            // The generator sets up thousands of pairs before it reads from
            // the first ones, so they cannot answer pings meanwhile (a
            // browser always does); the server still pings every socket.
            "--idle-timeout-seconds",
            "86400",
        ];
        let mut args = build.known_flags(args.iter().chain(extra).copied());
        args.insert(0, "serve");
        let mut server = self.start("tandem", pinned(0, &build.tandem, &args))?;
        server.tokens = (agents > 0).then_some(tokens);
        Ok(server)
    }

    pub(super) fn start(&mut self, name: &str, mut cmd: Command) -> Result<Server> {
        self.runs += 1;
        let log = self.dir.join(format!("{name}-{}.log", self.runs));
        let mut child = cmd
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&log)?)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        // Reads the ready line, then keeps draining so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = ready_url(&line) {
                    let _ = tx.send(url);
                }
            }
        });
        let pid = child.id();
        let mut server = Server {
            child,
            pid,
            log,
            name: name.to_string(),
            url: String::new(),
            tokens: None,
        };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => {
                server.url = url;
                Ok(server)
            }
            Err(_) => bail!(
                "{name} did not say it was ready; see {}",
                server.log.display()
            ),
        }
    }

    /// Runs a load generator scenario against `server`, pinned to core 1.
    pub(super) fn loadgen(&mut self, server: &Server, args: &[&str]) -> Result<()> {
        self.loadgen_within(server, args, SCENARIO_LIMIT)
    }

    /// The same, stopped if it takes longer than `limit`.
    pub(super) fn loadgen_within(
        &mut self,
        server: &Server,
        args: &[&str],
        limit: Duration,
    ) -> Result<()> {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        all.push(format!("--url={}", server.url));
        all.push(format!("--server-pid={}", server.pid));
        if let Some(tokens) = &server.tokens {
            all.push(format!("--tokens={}", tokens.display()));
        }
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        self.record_within(pinned(1, &self.loadgen, &all), limit)?;
        if server.name == "tandem" {
            let log = std::fs::read_to_string(&server.log).unwrap_or_default();
            self.tandem_warnings += log.lines().filter(|l| l.contains("WARN")).count();
        }
        Ok(())
    }

    /// Runs a scenario command and appends the JSON line it prints to the results.
    pub(super) fn record(&mut self, cmd: Command) -> Result<()> {
        self.record_within(cmd, SCENARIO_LIMIT)
    }

    pub(super) fn record_within(&mut self, mut cmd: Command, limit: Duration) -> Result<()> {
        let shown = format!("{cmd:?}");
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped");
        let reader = std::thread::spawn(move || std::io::read_to_string(stdout));
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("{shown} took longer than {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let out = reader.join().expect("reader does not panic")?;
        if !status.success() {
            bail!("{shown} failed with {status}");
        }
        let line = out
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .with_context(|| format!("{shown} printed no result"))?;
        let mut results = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.results)?;
        writeln!(results, "{line}")?;
        Ok(())
    }
}

/// A server under test; stopped when dropped.
/// `cargo build --release` of the server and the load generator (and
/// `extra` binaries), in the folder and target folder `cargo` is set up with.
pub(super) fn build_release_in(mut cargo: Command, extra: &[&str]) -> Result<()> {
    // Naming the binaries: `--bin` applies to every package selected.
    cargo
        .args([
            "build",
            "--release",
            "-p",
            "tandem-server",
            "-p",
            "tandem-loadgen",
            "--bin",
            "tandem",
            "--bin",
            "tandem-loadgen",
        ])
        .args(extra);
    run(&mut cargo)
}

/// A Tandem server and the load generator that seeds its database, built
/// from this tree or from another commit (`bench --against`).
pub(super) struct Build {
    pub(super) tandem: PathBuf,
    pub(super) loadgen: PathBuf,
    /// `tandem serve --help` of an earlier build: only the flags it lists
    /// are passed (it predates the later ones). `None`: this tree's build.
    pub(super) help: Option<String>,
}

impl Build {
    pub(super) fn current() -> Build {
        Build {
            tandem: target_dir().join("release/tandem"),
            loadgen: target_dir().join("release/tandem-loadgen"),
            help: None,
        }
    }

    /// An earlier build in `release` (a target folder's release/): asks
    /// its server which flags it has.
    pub(super) fn earlier(release: &Path) -> Result<Build> {
        let tandem = release.join("tandem");
        let out = Command::new(&tandem).args(["serve", "--help"]).output()?;
        if !out.status.success() {
            bail!("{} serve --help failed", tandem.display());
        }
        Ok(Build {
            tandem,
            loadgen: release.join("tandem-loadgen"),
            help: Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        })
    }

    /// `flag value` pairs, without those the build does not know.
    fn known_flags<'a>(&self, pairs: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
        let pairs: Vec<&str> = pairs.collect();
        pairs
            .chunks(2)
            .filter(|pair| {
                self.help
                    .as_ref()
                    .is_none_or(|help| help.contains(&format!(" {} ", pair[0])))
            })
            .flatten()
            .copied()
            .collect()
    }
}

pub(super) struct Server {
    child: Child,
    pid: u32,
    pub(super) url: String,
    log: PathBuf,
    name: String,
    /// Agent tokens from `seed` (Tandem only).
    pub(super) tokens: Option<PathBuf>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `TANDEM_READY {"server":"http://…",…}` or `RELAY_READY http://…`.
fn ready_url(line: &str) -> Option<String> {
    if let Some(url) = line.strip_prefix("RELAY_READY ") {
        return Some(url.trim().to_string());
    }
    let json = line.strip_prefix("TANDEM_READY ")?;
    let at = json.find("\"server\":\"")? + "\"server\":\"".len();
    let end = json[at..].find('"')? + at;
    Some(json[at..end].to_string())
}

pub(super) fn pinned(core: u32, program: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("setsid");
    cmd.args([
        "sh",
        "-c",
        PRELUDE,
        "sh",
        "taskset",
        "-c",
        &core.to_string(),
    ])
    .arg(program)
    .args(args);
    cmd
}

/// The hard open-file limit, which `PRELUDE` raises each process to.
pub(super) fn fd_limit() -> Result<usize> {
    let out = Command::new("sh").args(["-c", "ulimit -Hn"]).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(match text.trim() {
        "unlimited" => usize::MAX / 4,
        n => n
            .parse()
            .with_context(|| format!("`ulimit -Hn` said {n:?}"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::{Build, ready_url};

    #[test]
    fn an_earlier_build_gets_only_the_flags_it_lists() {
        let earlier = Build {
            tandem: "tandem".into(),
            loadgen: "tandem-loadgen".into(),
            help: Some("  -l, --listen <LISTEN>\n      --database-url <URL>\n".into()),
        };
        let args = [
            "--listen",
            "127.0.0.1:0",
            "--max-connections-per-ip",
            "0",
            "--database-url",
            "sqlite://x",
        ];
        assert_eq!(
            earlier.known_flags(args.into_iter()),
            ["--listen", "127.0.0.1:0", "--database-url", "sqlite://x"]
        );
        assert_eq!(Build::current().known_flags(args.into_iter()), args);
    }

    #[test]
    pub(super) fn reads_ready_lines() {
        assert_eq!(
            ready_url(r#"TANDEM_READY {"server":"http://127.0.0.1:5","demo":null}"#).as_deref(),
            Some("http://127.0.0.1:5")
        );
        assert_eq!(
            ready_url("RELAY_READY http://127.0.0.1:6\n").as_deref(),
            Some("http://127.0.0.1:6")
        );
        assert_eq!(ready_url("Tandem is running."), None);
    }
}
