//! Talking to Tandem the way its clients do: agents authenticate with a
//! bearer token in `hello`; visitors come from an allowed origin, say `hello`
//! and ask for help; an agent takes the request with `queue.accept`.

use anyhow::{Context, Result, anyhow, bail};
use protocol::{ClientEnvelope, ClientFrame, EventBody, ServerEnvelope, ServerFrame, SessionState};

use crate::net::{CONNECT_CONCURRENCY, Dialer, STEP_TIMEOUT, Ws, bounded, next_text, send_text};
use crate::pairs::{Frames, Pair};

/// Help requests handled at the same time while pairs are set up. Each
/// change to the queue sends a position update to every waiting visitor, so
/// the work per change grows with the queue; a short queue keeps setup quick.
const REQUEST_CONCURRENCY: usize = 16;

/// Where Tandem is and how its visitors reach it.
pub struct Tandem {
    pub dialer: Dialer,
    /// Where agents connect, if not where visitors do (another node).
    pub agent_dialer: Option<Dialer>,
    pub site: String,
    pub origin: String,
}

impl Tandem {
    /// An agent connection, authenticated, `welcome` received. Agents stay
    /// offline unless told otherwise, so the server does not send them the queue.
    pub async fn agent(&self, token: &str) -> Result<Ws> {
        let dialer = self.agent_dialer.as_ref().unwrap_or(&self.dialer);
        let mut ws = dialer.connect("/ws/agent", None).await?;
        send(
            &mut ws,
            ClientFrame::Hello {
                token: Some(token.to_string()),
                page: None,
            },
        )
        .await?;
        expect(&mut ws, "welcome", |f| {
            matches!(f, ServerFrame::Welcome { .. })
        })
        .await?;
        Ok(ws)
    }

    /// A visitor connection from the allowed origin, `welcome` received.
    pub async fn visitor(&self) -> Result<Ws> {
        Ok(self.visitor_as(None).await?.0)
    }

    /// A visitor connection, returning with `token` if given; also the
    /// token the server handed out in its `welcome` (to come back with).
    pub async fn visitor_as(&self, token: Option<String>) -> Result<(Ws, Option<String>)> {
        let path = format!("/ws/visitor?site={}", self.site);
        let mut ws = self.dialer.connect(&path, Some(&self.origin)).await?;
        send(&mut ws, ClientFrame::Hello { token, page: None }).await?;
        let welcome = expect(&mut ws, "welcome", |f| {
            matches!(f, ServerFrame::Welcome { .. })
        })
        .await?;
        let ServerFrame::Welcome { token, .. } = welcome else {
            unreachable!("matched above")
        };
        Ok((ws, token))
    }

    /// `n` chatting pairs: agent `i` (token `i`) has taken visitor `i`'s request.
    /// Connections first, many at a time; then the requests, a few at a time.
    pub async fn pairs(&self, tokens: &[String], n: usize, frames: &Frames) -> Result<Vec<Pair>> {
        if tokens.len() < n {
            bail!(
                "{n} pairs need {n} agent tokens; the tokens file has {}",
                tokens.len()
            );
        }
        eprintln!("loadgen: connecting {n} agents");
        let agents = bounded(0..n, CONNECT_CONCURRENCY, |i| self.agent(&tokens[i])).await?;
        eprintln!("loadgen: connecting {n} visitors");
        let visitors = bounded(0..n, CONNECT_CONCURRENCY, |_| self.visitor()).await?;
        eprintln!("loadgen: {n} help requests, each accepted by its agent");
        bounded(
            visitors.into_iter().zip(agents),
            REQUEST_CONCURRENCY,
            |(visitor, agent)| async move {
                let mut pair = Pair {
                    session: String::new(),
                    visitor,
                    agent,
                };
                pair.session = request_help(&mut pair.visitor).await?;
                accept(&mut pair.agent, &pair.session).await?;
                // The visitor sees the agent join too; read up to there.
                expect(&mut pair.visitor, "agent_joined", is_agent_joined).await?;
                pair.check(frames).await?;
                Ok(pair)
            },
        )
        .await
    }
}

/// Asks for help; returns the new session's id once the request is in line
/// (the server announces the session first, and queues it once its first
/// events are stored: only then can an agent take it).
pub async fn request_help(visitor: &mut Ws) -> Result<String> {
    send(
        visitor,
        ClientFrame::HelpRequest {
            topic: None,
            message: "Hello, I need help with my order".into(),
            client_id: None,
            page: None,
        },
    )
    .await?;
    let announced = expect(
        visitor,
        "queued session",
        |f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Queued),
    )
    .await?;
    let ServerFrame::Session { session } = announced else {
        unreachable!("matched above")
    };
    expect(
        visitor,
        "queue position",
        |f| matches!(f, ServerFrame::QueuePosition { session: s, .. } if *s == session.id),
    )
    .await?;
    Ok(session.id)
}

/// Takes a waiting request and waits for the agent's `agent_joined` event.
pub async fn accept(agent: &mut Ws, session: &str) -> Result<()> {
    send(
        agent,
        ClientFrame::QueueAccept {
            session: session.to_string(),
        },
    )
    .await?;
    expect(agent, "agent_joined", is_agent_joined).await?;
    Ok(())
}

fn is_agent_joined(f: &ServerFrame) -> bool {
    matches!(f, ServerFrame::Event { event, .. } if matches!(event.body, EventBody::AgentJoined { .. }))
}

pub async fn send(ws: &mut Ws, frame: ClientFrame) -> Result<()> {
    send_text(ws, ClientEnvelope::new(frame).to_json()).await
}

/// Reads frames until one matches; an `error` frame from the server fails the step.
pub async fn expect(
    ws: &mut Ws,
    what: &str,
    wanted: impl Fn(&ServerFrame) -> bool,
) -> Result<ServerFrame> {
    tokio::time::timeout(STEP_TIMEOUT, async {
        loop {
            let text = next_text(ws).await?;
            let env: ServerEnvelope =
                serde_json::from_str(&text).with_context(|| format!("decoding {text}"))?;
            if wanted(&env.frame) {
                return Ok(env.frame);
            }
            if let ServerFrame::Error { code, message, .. } = env.frame {
                bail!(
                    "waiting for {what}, the server said {}: {message}",
                    code.as_str()
                );
            }
        }
    })
    .await
    .map_err(|_| anyhow!("no {what} within {STEP_TIMEOUT:?}"))?
}

/// Agent tokens, one a line, as `seed` wrote them.
pub fn read_tokens(path: &std::path::Path) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}
