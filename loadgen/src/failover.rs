//! Time from `kill -9` of a cluster's core to every conversation resumed
//! (`cargo xtask bench --cluster`). Pairs chat with the visitor on the
//! core's node and the agent on another node; the core is killed; each side
//! reconnects to the surviving node as the widget and the console do (at
//! once, then again every 100 ms until welcomed), and the pair exchanges a
//! message. A pair has resumed when its agent receives that message.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use protocol::{ClientFrame, EventBody, ServerFrame};
use serde::{Deserialize, Serialize};

use crate::net::{CONNECT_CONCURRENCY, Ws, bounded};
use crate::tandem::{Tandem, accept, expect, request_help, send};

/// How long a side keeps trying to reconnect before the run fails.
const GIVE_UP: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailoverRun {
    pub pairs: usize,
    /// Milliseconds from the kill until each pair had resumed.
    pub resumed_ms: Vec<f64>,
}

struct Chat {
    session: String,
    visitor_token: String,
    agent_token: String,
}

pub async fn failover(
    core: &Tandem,
    other: &Tandem,
    core_pid: u32,
    tokens: &[String],
    pairs: usize,
) -> Result<FailoverRun> {
    if tokens.len() < pairs {
        bail!(
            "{pairs} pairs need {pairs} agent tokens; the file has {}",
            tokens.len()
        );
    }
    eprintln!("loadgen: {pairs} pairs, visitors on the core's node, agents on the other");
    let chats = bounded(0..pairs, CONNECT_CONCURRENCY, |i| async move {
        let mut agent = other.agent(&tokens[i]).await?;
        let (mut visitor, token) = core.visitor_as(None).await?;
        let session = request_help(&mut visitor).await?;
        accept(&mut agent, &session).await?;
        say(&mut visitor, &session, "before").await?;
        heard(&mut agent, "before").await?;
        Ok(Chat {
            session,
            visitor_token: token.context("a visitor's welcome carries a token")?,
            agent_token: tokens[i].clone(),
        })
    })
    .await?;

    eprintln!("loadgen: kill -9 of the core (pid {core_pid})");
    let status = std::process::Command::new("kill")
        .args(["-9", &core_pid.to_string()])
        .status()?;
    if !status.success() {
        bail!("could not kill the core (pid {core_pid})");
    }
    let killed = Instant::now();
    let resumed_ms = bounded(chats.iter(), CONNECT_CONCURRENCY, |chat| async move {
        let mut visitor =
            retry(|| async { Ok(other.visitor_as(Some(chat.visitor_token.clone())).await?.0) })
                .await?;
        let mut agent = retry(|| other.agent(&chat.agent_token)).await?;
        say(&mut visitor, &chat.session, "after").await?;
        heard(&mut agent, "after").await?;
        Ok(killed.elapsed().as_secs_f64() * 1000.0)
    })
    .await?;
    Ok(FailoverRun { pairs, resumed_ms })
}

/// Connects until it works, every 100 ms, for at most `GIVE_UP`.
async fn retry<F, Fut>(connect: F) -> Result<Ws>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Ws>>,
{
    let deadline = Instant::now() + GIVE_UP;
    loop {
        match connect().await {
            Ok(ws) => return Ok(ws),
            Err(e) if Instant::now() > deadline => return Err(e.context("no welcome within 30 s")),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

async fn say(ws: &mut Ws, session: &str, text: &str) -> Result<()> {
    send(
        ws,
        ClientFrame::ChatSend {
            session: session.to_string(),
            client_id: None,
            text: text.to_string(),
        },
    )
    .await
}

async fn heard(ws: &mut Ws, text: &str) -> Result<()> {
    expect(ws, text, |f| {
        matches!(f, ServerFrame::Event { event, .. } if matches!(&event.body, EventBody::Message { text: t, .. } if t == text))
    })
    .await?;
    Ok(())
}
