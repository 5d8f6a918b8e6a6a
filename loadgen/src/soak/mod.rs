//! The soak: hours of a working day compressed into tens of minutes, to see
//! whether the server's memory, open files and threads stay flat under
//! steady churn (issue 13). Pairs of a visitor and an agent hold
//! conversations one after another (pair.rs): sessions start and end,
//! either side reconnects and resumes, a tenth of the visitors share their
//! screen with realistic page frames (page.rs), and /metrics is scraped as
//! Prometheus would. Every few seconds the server's RSS, open file
//! descriptors and threads are read from /proc.
//!
//! Growth is measured after a warm-up (caches, pools and the allocator's
//! arenas fill first): the median RSS of the minute after the warm-up
//! against the median of the last minute under load, and a straight-line
//! fit over everything in between. After the last client left the server is
//! sampled once more, to see what is given back.

mod page;
mod pair;
mod report;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::net::{CONNECT_CONCURRENCY, bounded};
use crate::relay::SiteArgs;
use crate::tandem::read_tokens;
use crate::usage::memory;
use pair::{Pair, Plan};
pub use report::{END as SECTION_END, START as SECTION_START};

#[derive(Debug, clap::Args)]
pub struct SoakArgs {
    /// The server's base URL, http://127.0.0.1:PORT.
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub server_pid: u32,
    /// Agent tokens from `seed`, one per pair.
    #[arg(long)]
    pub tokens: PathBuf,
    #[command(flatten)]
    pub site: SiteArgs,
    #[arg(long, default_value_t = 300)]
    pub pairs: usize,
    /// Length of the run under load.
    #[arg(long, default_value_t = 30.0)]
    pub minutes: f64,
    /// Time before growth is measured (default: 5 minutes, or a sixth of a shorter run).
    #[arg(long)]
    pub warmup_minutes: Option<f64>,
    /// Chat messages per second over all pairs (both directions).
    #[arg(long, default_value_t = 240.0)]
    pub rate: f64,
    /// Share of pairs whose visitors share their screen.
    #[arg(long, default_value_t = 10)]
    pub share_percent: usize,
    /// Messages per conversation, drawn between these.
    #[arg(long, default_value_t = 20)]
    pub messages_min: u64,
    #[arg(long, default_value_t = 60)]
    pub messages_max: u64,
    /// Chance after each message that the visitor / the agent reconnects.
    #[arg(long, default_value_t = 0.02)]
    pub visitor_reconnect: f64,
    #[arg(long, default_value_t = 0.01)]
    pub agent_reconnect: f64,
    #[arg(long, default_value_t = 5)]
    pub sample_secs: u64,
    /// How often /metrics is scraped (0: never).
    #[arg(long, default_value_t = 15)]
    pub scrape_secs: u64,
    /// Where /metrics is (default: URL/metrics).
    #[arg(long)]
    pub metrics_url: Option<String>,
    /// Bearer token for /metrics, if it asks for one.
    #[arg(long)]
    pub metrics_token: Option<String>,
    /// How long the server is watched after every client left.
    #[arg(long, default_value_t = 30)]
    pub settle_secs: u64,
    /// Write the soak's section of this markdown file (docs/benchmarks.md).
    #[arg(long)]
    pub write: Option<PathBuf>,
    /// `Name=value` rows describing the run, shown in the section (repeatable).
    #[arg(long = "info")]
    pub info: Vec<String>,
}

/// What the pairs did, counted as it happens.
#[derive(Default)]
pub struct Counters {
    sent: AtomicU64,
    received: AtomicU64,
    lost: AtomicU64,
    errors: AtomicU64,
    failures: AtomicU64,
    started: AtomicU64,
    ended: AtomicU64,
    visitor_reconnects: AtomicU64,
    agent_reconnects: AtomicU64,
    page_frames_sent: AtomicU64,
    page_frames_received: AtomicU64,
    keyframe_requests: AtomicU64,
    first_error: Mutex<Option<String>>,
    first_failure: Mutex<Option<String>>,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    fn sent(&self) {
        bump(&self.sent)
    }
    fn received(&self) {
        bump(&self.received)
    }
    fn lost(&self, n: u64) {
        self.lost.fetch_add(n, Ordering::Relaxed);
    }
    fn started(&self) {
        bump(&self.started)
    }
    fn ended(&self) {
        bump(&self.ended)
    }
    fn visitor_reconnected(&self) {
        bump(&self.visitor_reconnects)
    }
    fn agent_reconnected(&self) {
        bump(&self.agent_reconnects)
    }
    fn page_frame_sent(&self) {
        bump(&self.page_frames_sent)
    }
    fn page_frame_received(&self) {
        bump(&self.page_frames_received)
    }
    fn keyframe_requested(&self) {
        bump(&self.keyframe_requests)
    }
    fn error(&self, what: String) {
        bump(&self.errors);
        self.first_error
            .lock()
            .expect("not poisoned")
            .get_or_insert(what);
    }
    fn failed(&self, what: String) {
        bump(&self.failures);
        eprintln!("loadgen: {what}");
        self.first_failure
            .lock()
            .expect("not poisoned")
            .get_or_insert(what);
    }

    fn totals(&self) -> Totals {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Totals {
            sent: get(&self.sent),
            received: get(&self.received),
            lost: get(&self.lost),
            errors: get(&self.errors),
            failures: get(&self.failures),
            sessions_started: get(&self.started),
            sessions_ended: get(&self.ended),
            visitor_reconnects: get(&self.visitor_reconnects),
            agent_reconnects: get(&self.agent_reconnects),
            page_frames_sent: get(&self.page_frames_sent),
            page_frames_received: get(&self.page_frames_received),
            keyframe_requests: get(&self.keyframe_requests),
            first_error: self.first_error.lock().expect("not poisoned").clone(),
            first_failure: self.first_failure.lock().expect("not poisoned").clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Totals {
    pub sent: u64,
    pub received: u64,
    /// Messages the other side had not seen when their conversation ended.
    pub lost: u64,
    /// `error` frames from the server.
    pub errors: u64,
    /// Conversations that failed (a step timed out, a connection closed).
    pub failures: u64,
    pub sessions_started: u64,
    pub sessions_ended: u64,
    pub visitor_reconnects: u64,
    pub agent_reconnects: u64,
    pub page_frames_sent: u64,
    pub page_frames_received: u64,
    pub keyframe_requests: u64,
    pub first_error: Option<String>,
    pub first_failure: Option<String>,
}

/// The server as /proc saw it at one moment.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds since the load started.
    pub secs: f64,
    pub rss: u64,
    pub fds: u64,
    pub threads: u64,
    /// Conversations started so far.
    pub sessions: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SoakRun {
    pub pairs: usize,
    pub share_pairs: usize,
    pub minutes: f64,
    pub warmup_secs: f64,
    pub offered_rate: f64,
    pub visitor_reconnect: f64,
    pub agent_reconnect: f64,
    /// Chat messages sent per second over the whole run.
    pub rate: f64,
    /// Seconds between /metrics scrapes (0: none).
    #[serde(default)]
    pub scrape_secs: u64,
    pub scrapes: u64,
    pub scrape_failures: u64,
    pub totals: Totals,
    pub samples: Vec<Sample>,
    /// After every client left and `settle_secs` passed.
    pub after_leaving: Sample,
    pub info: Vec<String>,
}

/// The window whose median stands for a moment (warm-up end, run end).
const WINDOW_SECS: f64 = 60.0;

impl SoakRun {
    fn under_load(&self) -> impl Iterator<Item = &Sample> {
        let end = self.minutes * 60.0;
        self.samples.iter().filter(move |s| s.secs <= end)
    }

    fn median_between(&self, from: f64, to: f64, f: impl Fn(&Sample) -> u64) -> u64 {
        let mut v: Vec<u64> = self
            .under_load()
            .filter(|s| s.secs >= from && s.secs <= to)
            .map(f)
            .collect();
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or(0)
    }

    /// (at the end of the warm-up, at the end of the load), each the median of a minute.
    pub fn ends(&self, f: impl Fn(&Sample) -> u64 + Copy) -> (u64, u64) {
        let end = self.minutes * 60.0;
        let window = WINDOW_SECS.min((end - self.warmup_secs) / 4.0);
        (
            self.median_between(self.warmup_secs, self.warmup_secs + window, f),
            self.median_between(end - window, end, f),
        )
    }

    pub fn rss_growth_percent(&self) -> f64 {
        let (a, b) = self.ends(|s| s.rss);
        if a == 0 {
            return 0.0;
        }
        (b as f64 - a as f64) / a as f64 * 100.0
    }

    /// Least-squares slope of RSS after the warm-up, in MiB per hour.
    pub fn rss_slope_mib_per_hour(&self) -> f64 {
        let pts: Vec<(f64, f64)> = self
            .under_load()
            .filter(|s| s.secs >= self.warmup_secs)
            .map(|s| (s.secs, s.rss as f64 / 1048576.0))
            .collect();
        let n = pts.len() as f64;
        if n < 2.0 {
            return 0.0;
        }
        let (mx, my) = (
            pts.iter().map(|p| p.0).sum::<f64>() / n,
            pts.iter().map(|p| p.1).sum::<f64>() / n,
        );
        let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        if sxx == 0.0 { 0.0 } else { sxy / sxx * 3600.0 }
    }

    /// Highest value after the warm-up.
    pub fn max_after_warmup(&self, f: impl Fn(&Sample) -> u64) -> u64 {
        self.under_load()
            .filter(|s| s.secs >= self.warmup_secs)
            .map(f)
            .max()
            .unwrap_or(0)
    }
}

pub async fn soak(args: &SoakArgs) -> Result<SoakRun> {
    let tokens = read_tokens(&args.tokens)?;
    if tokens.len() < args.pairs {
        bail!(
            "{} pairs need as many agent tokens; {} has {}",
            args.pairs,
            args.tokens.display(),
            tokens.len()
        );
    }
    if args.messages_min == 0 || args.messages_max < args.messages_min {
        bail!("--messages-min must be at least 1 and at most --messages-max");
    }
    let duration = Duration::from_secs_f64(args.minutes * 60.0);
    let warmup = args
        .warmup_minutes
        .map(|m| m * 60.0)
        .unwrap_or_else(|| (args.minutes * 60.0 / 6.0).min(300.0));
    let tandem = Arc::new(args.site.tandem(&args.url)?);
    let counters = Arc::new(Counters::default());
    // Every n-th pair shares; none at 0 %.
    let share_every = 100usize
        .checked_div(args.share_percent)
        .map_or(usize::MAX, |n| n.max(1));
    let share_pairs = (0..args.pairs)
        .filter(|i| i.is_multiple_of(share_every))
        .count();
    let mean_messages = (args.messages_min + args.messages_max) as f64 / 2.0;
    let plan = |i: usize| Plan {
        rate: args.rate / args.pairs as f64,
        messages: (args.messages_min, args.messages_max),
        share: i.is_multiple_of(share_every),
        visitor_reconnect: args.visitor_reconnect,
        agent_reconnect: args.agent_reconnect,
        // A short pause between visitors keeps the offered rate close to `rate`.
        between: (Duration::from_millis(500), Duration::from_millis(2500)),
    };
    eprintln!(
        "loadgen: soak, {} pairs ({share_pairs} sharing), {:.0} messages/s, {:.1} min, ~{mean_messages:.0} messages a conversation",
        args.pairs, args.rate, args.minutes
    );
    let pairs = bounded(0..args.pairs, CONNECT_CONCURRENCY, |i| {
        Pair::connect(
            i,
            tandem.clone(),
            tokens[i].clone(),
            plan(i),
            counters.clone(),
        )
    })
    .await?;

    let started = Instant::now();
    let stop = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for pair in pairs {
        tasks.spawn(pair.run(stop));
    }
    let scrapes = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
    let scraper = (args.scrape_secs > 0).then(|| {
        let url = args
            .metrics_url
            .clone()
            .unwrap_or_else(|| format!("{}/metrics", args.url.trim_end_matches('/')));
        tokio::spawn(scrape(
            url,
            args.metrics_token.clone(),
            Duration::from_secs(args.scrape_secs),
            stop,
            scrapes.clone(),
        ))
    });

    let pid = args.server_pid;
    let every = Duration::from_secs(args.sample_secs.max(1));
    let mut samples = Vec::new();
    let mut next = started;
    let mut last_report = started;
    while Instant::now() < stop {
        next += every;
        tokio::time::sleep_until(next.min(stop).into()).await;
        let s = sample(pid, started, &counters)?;
        if last_report.elapsed() >= Duration::from_secs(60) {
            last_report = Instant::now();
            let t = counters.totals();
            eprintln!(
                "loadgen: {:.0} s: RSS {:.1} MiB, {} fds, {} threads; {} conversations, {} messages, {} lost, {} errors, {} failures",
                s.secs,
                s.rss as f64 / 1048576.0,
                s.fds,
                s.threads,
                t.sessions_started,
                t.sent,
                t.lost,
                t.errors,
                t.failures
            );
        }
        samples.push(s);
    }
    // Pairs finish the conversation they are in (bounded by its own waits).
    while tasks.join_next().await.is_some() {}
    if let Some(scraper) = scraper {
        scraper.abort();
    }
    let load_secs = started.elapsed().as_secs_f64();
    eprintln!(
        "loadgen: every client left; watching the server for {} s",
        args.settle_secs
    );
    tokio::time::sleep(Duration::from_secs(args.settle_secs)).await;
    let after_leaving = sample(pid, started, &counters)?;
    let totals = counters.totals();
    Ok(SoakRun {
        pairs: args.pairs,
        share_pairs,
        minutes: args.minutes,
        warmup_secs: warmup,
        offered_rate: args.rate,
        visitor_reconnect: args.visitor_reconnect,
        agent_reconnect: args.agent_reconnect,
        rate: totals.sent as f64 / load_secs,
        scrape_secs: args.scrape_secs,
        scrapes: scrapes.0.load(Ordering::Relaxed),
        scrape_failures: scrapes.1.load(Ordering::Relaxed),
        totals,
        samples,
        after_leaving,
        info: args.info.clone(),
    })
}

/// Writes the section if asked; used by main after the JSON line is printed.
pub fn write_section(run: &SoakRun, out: &std::path::Path) -> Result<()> {
    report::write(run, out)
}

fn sample(pid: u32, started: Instant, counters: &Counters) -> Result<Sample> {
    let rss = memory(pid)?.rss;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let threads = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .with_context(|| format!("listing /proc/{pid}/fd"))?
        .count() as u64;
    Ok(Sample {
        secs: started.elapsed().as_secs_f64(),
        rss,
        fds,
        threads,
        sessions: counters.started.load(Ordering::Relaxed),
    })
}

/// GET /metrics every `every` until `stop`, as Prometheus would; counts
/// answers that are not 200.
async fn scrape(
    url: String,
    token: Option<String>,
    every: Duration,
    stop: Instant,
    counts: Arc<(AtomicU64, AtomicU64)>,
) {
    let mut tick = tokio::time::interval(every);
    while Instant::now() < stop {
        tick.tick().await;
        let ok = tokio::time::timeout(Duration::from_secs(10), get(&url, token.as_deref()))
            .await
            .is_ok_and(|r| r.is_ok_and(|status| status == 200));
        let counter = if ok { &counts.0 } else { &counts.1 };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// A plain HTTP/1.1 GET; returns the status code (the body is read and dropped).
async fn get(url: &str, token: Option<&str>) -> Result<u16> {
    let rest = url
        .strip_prefix("http://")
        .context("the metrics URL must be http://")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let addr: std::net::SocketAddr = host.parse().context("the metrics host must be IP:port")?;
    if !addr.ip().is_loopback() {
        bail!("the load generator only talks to 127.0.0.0/8");
    }
    let mut tcp = TcpStream::connect(addr).await?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request =
        format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\n{auth}Connection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).await?;
    let head = String::from_utf8_lossy(&answer[..answer.len().min(64)]).to_string();
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .with_context(|| format!("not an HTTP answer: {head:?}"))
}
