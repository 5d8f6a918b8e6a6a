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

mod counters;
mod page;
mod pair;
mod report;
mod run;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::net::{CONNECT_CONCURRENCY, bounded};
use crate::relay::SiteArgs;
use crate::tandem::read_tokens;
use crate::usage::memory;
pub use counters::Counters;
use pair::{Pair, Plan};
pub use report::{END as SECTION_END, START as SECTION_START};
pub use run::{Sample, SoakRun};

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
                "loadgen: {:.0} s: RSS {:.1} MiB ({:.1} anonymous), {} fds, {} threads; {} conversations, {} messages, {} lost, {} errors, {} failures",
                s.secs,
                s.rss as f64 / 1048576.0,
                s.anon as f64 / 1048576.0,
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

/// The last soak run recorded in a JSON lines file (`soak-report`).
pub fn recorded(results: &std::path::Path) -> Result<SoakRun> {
    let text = std::fs::read_to_string(results)
        .with_context(|| format!("reading {}", results.display()))?;
    text.lines()
        .rev()
        .find_map(|line| match serde_json::from_str(line) {
            Ok(crate::results::Outcome::Soak(run)) => Some(*run),
            _ => None,
        })
        .with_context(|| format!("no soak run in {}", results.display()))
}

/// Writes the section if asked; used by main after the JSON line is printed.
pub fn write_section(run: &SoakRun, out: &std::path::Path) -> Result<()> {
    report::write(run, out)
}

fn sample(pid: u32, started: Instant, counters: &Counters) -> Result<Sample> {
    let mem = memory(pid)?;
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
        rss: mem.rss,
        anon: mem.anon,
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
