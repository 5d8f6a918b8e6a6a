//! The relay benchmark: N pairs on one target (Tandem or a baseline), then
//! three phases on the same connections:
//! 1. light load: one message in flight in the whole run;
//! 2. saturation: a closed loop, each pair keeping a window of messages in
//!    flight, so the server (not the generator) is what limits the rate;
//! 3. half load: an open loop at half the saturation rate, for latency.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use protocol::limits::FRAMES_PER_SECOND;
use serde::{Deserialize, Serialize};

use crate::baseline;
use crate::net::Dialer;
use crate::pairs::{self, Frames, Phase, Schedule, Timing, drive, stand_in_session};
use crate::tandem::{Tandem, read_tokens};
use crate::usage::{Memory, memory};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The `tandem` server, with authentication, routing and persistence.
    Tandem,
    /// The bare axum relay (loadgen/src/bin/bare_relay.rs).
    Bare,
    /// The Node relay on the npm `ws` package (bench/node-relay.mjs).
    Node,
}

#[derive(Debug, clap::Args)]
pub struct RelayArgs {
    #[arg(long, value_enum)]
    pub target: Target,
    /// The server's base URL, http://127.0.0.1:PORT.
    #[arg(long)]
    pub url: String,
    /// The server's process id, for its memory and CPU use.
    #[arg(long)]
    pub server_pid: u32,
    #[arg(long)]
    pub pairs: usize,
    /// Agent tokens from `seed` (Tandem only).
    #[arg(long)]
    pub tokens: Option<PathBuf>,
    #[command(flatten)]
    pub site: SiteArgs,
    /// Characters of chat text in each message.
    #[arg(long, default_value_t = 100)]
    pub text_bytes: usize,
    /// Messages per second one pair may send at most. Tandem refuses frames
    /// beyond `FRAMES_PER_SECOND` per connection, so for Tandem this defaults
    /// to a little under that; the relays have no limit and are not paced.
    #[arg(long)]
    pub max_pair_rate: Option<f64>,
    /// Tandem was started with its per-connection limit raised out of reach
    /// (`--frames-per-second`): send as fast as the window allows.
    #[arg(long, conflicts_with = "max_pair_rate")]
    pub unpaced: bool,
    /// A label for a run whose server was started with non-default settings
    /// (reported apart from the main tables).
    #[arg(long)]
    pub variant: Option<String>,
    /// Messages in flight per pair at saturation (default: enough for ~2,000 in flight in all).
    #[arg(long)]
    pub window: Option<u32>,
    #[arg(long, default_value_t = 1.0)]
    pub warmup_secs: f64,
    #[arg(long, default_value_t = 3.0)]
    pub measure_secs: f64,
    #[arg(long, default_value_t = 1000)]
    pub light_messages: usize,
    /// Where agents connect, when not `--url`: another node of a Tandem
    /// cluster, so every message crosses the bus (Tandem only).
    #[arg(long)]
    pub agent_url: Option<String>,
}

/// How visitors reach Tandem: the site and an origin it allows.
#[derive(Debug, Clone, clap::Args)]
pub struct SiteArgs {
    #[arg(long, default_value = "demo")]
    pub site: String,
    #[arg(long, default_value = "http://bench.local")]
    pub origin: String,
}

impl SiteArgs {
    pub fn tandem(&self, url: &str) -> Result<Tandem> {
        Ok(Tandem {
            dialer: Dialer::new(url)?,
            agent_dialer: None,
            site: self.site.clone(),
            origin: self.origin.clone(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelayRun {
    pub target: Target,
    #[serde(default)]
    pub variant: Option<String>,
    pub pairs: usize,
    pub text_bytes: usize,
    /// Size of one `chat.send` frame as sent.
    pub frame_bytes: usize,
    pub window: u32,
    pub max_pair_rate: Option<f64>,
    pub setup_secs: f64,
    pub memory_before: Memory,
    pub memory_after_setup: Memory,
    /// After the saturation phase, so growth over the half-load phase that
    /// follows can be told from buffers warming up.
    #[serde(default)]
    pub memory_after_saturation: Memory,
    pub memory_after_load: Memory,
    pub light: Phase,
    pub saturation: Phase,
    /// The rate the half-load phase was asked to send.
    pub half_load_offered: f64,
    pub half_load: Phase,
}

/// Time between light-load messages: long enough for one to arrive before
/// the next leaves, and each pair stays far below Tandem's rate limit.
const LIGHT_GAP: Duration = Duration::from_millis(1);
/// How long a phase waits for messages still in flight after it stops sending.
const DRAIN: Duration = Duration::from_secs(10);
/// Messages in flight across all pairs at saturation.
const IN_FLIGHT: usize = 2000;

pub async fn run(args: &RelayArgs) -> Result<RelayRun> {
    let n = args.pairs;
    let pid = args.server_pid;
    let frames = Arc::new(Frames::new(args.text_bytes));
    let memory_before = memory(pid)?;
    let started = Instant::now();
    let mut pairs = match args.target {
        Target::Tandem => {
            let tokens = read_tokens(
                args.tokens
                    .as_ref()
                    .context("--tokens is needed for Tandem")?,
            )?;
            let mut tandem = args.site.tandem(&args.url)?;
            if let Some(url) = &args.agent_url {
                tandem.agent_dialer = Some(Dialer::new(url)?);
            }
            tandem.pairs(&tokens, n, &frames).await?
        }
        Target::Bare | Target::Node => {
            baseline::pairs(&Dialer::new(&args.url)?, n, &frames).await?
        }
    };
    let setup_secs = started.elapsed().as_secs_f64();
    let memory_after_setup = memory(pid)?;

    eprintln!("loadgen: light load");
    let light = pairs::light(&mut pairs, &frames, args.light_messages, LIGHT_GAP).await?;

    let window = args
        .window
        .unwrap_or(IN_FLIGHT.div_ceil(n).clamp(1, 64) as u32);
    let max_pair_rate = args.max_pair_rate.or(match args.target {
        _ if args.unpaced => None,
        // Two frames/s of margin: the server's token bucket and our pacing
        // run on different clocks.
        Target::Tandem => Some(f64::from(FRAMES_PER_SECOND - 2)),
        Target::Bare | Target::Node => None,
    });
    let timing = || {
        Timing::new(
            Duration::from_secs_f64(args.warmup_secs),
            Duration::from_secs_f64(args.measure_secs),
            DRAIN,
        )
    };
    eprintln!("loadgen: saturation, {window} in flight per pair");
    let closed = Schedule::Closed {
        window,
        max_rate: max_pair_rate,
    };
    let (pairs, saturation) = drive(pairs, &frames, closed, timing(), pid).await?;
    let memory_after_saturation = memory(pid)?;

    let half_load_offered = saturation.rate / 2.0;
    eprintln!("loadgen: half load, {half_load_offered:.0} messages/s");
    let open = Schedule::Open {
        rate: half_load_offered / n as f64,
    };
    let (pairs, half_load) = drive(pairs, &frames, open, timing(), pid).await?;
    let memory_after_load = memory(pid)?;
    drop(pairs);

    Ok(RelayRun {
        target: args.target,
        variant: args.variant.clone(),
        pairs: n,
        text_bytes: args.text_bytes,
        frame_bytes: frames.chat(&stand_in_session(0), 1_000_000_000).len(),
        window,
        max_pair_rate,
        setup_secs,
        memory_before,
        memory_after_setup,
        memory_after_saturation,
        memory_after_load,
        light,
        saturation,
        half_load_offered,
        half_load,
    })
}
