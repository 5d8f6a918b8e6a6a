//! One WebSocket connection: a writer task draining the connection's bounded
//! queue and pinging the client, and a reader loop that authenticates with
//! `hello` (within a deadline, in kilobytes), then decodes, rate-limits and
//! dispatches frames to the hub, and closes a client it stops hearing from.

use std::future::poll_fn;
use std::net::IpAddr;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use protocol::limits::{MAX_FRAME_BYTES, PAGE_FRAMES_PER_SECOND};
use protocol::{ClientFrame, CloseCode, ErrorCode, decode_client};

use super::credentials::agent_for_token;
use super::state::AppState;
use crate::admission::Kind;
use crate::auth::live_tokens::Registration;
use crate::auth::token::VISITOR_TOKEN_TTL_MS;
use crate::auth::{AgentTokens, VisitorClaims};
use crate::clock::now_ms;
use crate::cluster::Route;
use crate::cluster::message::Opened;
use crate::config::ConnLimits;
use crate::hub::outbound::Closer;
use crate::hub::{ConnHandle, HubError, Principal, Wire};
use crate::ids::new_id;
use crate::net::{ReadBudget, Slot};
use crate::store::Agent;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, timeout};

/// What we know about a connection before its `hello`.
pub enum Pending {
    /// `ip`: the client's address, for admission limits.
    Visitor { site: String, ip: IpAddr },
    /// An agent, already known with their token's hash when the upgrade
    /// carried the session cookie.
    Agent { cookie: Option<(Agent, String)> },
}

/// Who a `hello` proved the connection is.
struct Authenticated {
    principal: Principal,
    /// A visitor's renewed token, sent back in `welcome`.
    visitor_token: Option<String>,
    /// The hash of the token an agent connected with: revoking it closes the socket.
    agent_token_hash: Option<String>,
}

/// Bad frames a connection may send before it is closed as abusive.
const MAX_STRIKES: u32 = 100;

/// What a socket holds of the connection's limits while it lives.
pub struct Held {
    /// Its place in the per-address count, given back when it ends.
    pub slot: Slot,
    /// Bytes it may read before `hello`; lifted once hello succeeds.
    pub budget: ReadBudget,
}

/// Serves one upgraded WebSocket until either side ends it, or until its
/// route retires (the cluster's core moved: the client reconnects to the new one).
pub async fn serve(
    app: AppState,
    socket: WebSocket,
    pending: Pending,
    held: Held,
    (generation, route): (u64, Route),
) {
    // The slot is given back when this returns.
    let Held {
        slot: _slot,
        budget,
    } = held;
    let limits = app.config.connections.clone();
    // Counted until this returns, so a stopping server knows when every
    // socket it told to reconnect has gone.
    let _open = app.drain.open_socket();
    let (sink, mut stream) = socket.split();
    let (conn, outbound, closer) = match &route {
        Route::Core(hub) => hub.new_conn(),
        Route::Gateway(gateway) => gateway.new_conn(),
    };
    let writer = tokio::spawn(write(sink, outbound, closer.clone(), limits.clone()));

    let mut reader = Reader {
        app: &app,
        route: &route,
        conn: &conn,
        budget: &budget,
        pending,
        who: None,
        limiter: RateLimiter::new(app.config.frames_per_second),
        page_limiter: RateLimiter::new(PAGE_FRAMES_PER_SECOND),
        strikes: 0,
        dropped_refusals: 0,
        registration: None,
    };
    let opened = Instant::now();
    let mut heard = opened;
    // Before `hello` the hello deadline applies, and always the idle timeout
    // (the writer pings, so a live client is heard from). One timer for the
    // connection, moved on only when it fires early: resetting it for every
    // frame would cost a timer-wheel update per frame.
    let deadline = |heard: Instant, hello_done: bool| {
        let idle = heard + limits.idle_timeout;
        match hello_done {
            true => idle,
            false => idle.min(opened + limits.hello_timeout),
        }
    };
    let quiet = tokio::time::sleep_until(deadline(opened, false));
    tokio::pin!(quiet);
    let closed = closer.closed();
    tokio::pin!(closed);
    let draining = app.drain.started();
    tokio::pin!(draining);
    let retired = app.live.retired(generation);
    tokio::pin!(retired);
    loop {
        let msg = tokio::select! {
            msg = stream.next() => msg,
            _ = &mut closed => break,
            () = &mut draining => {
                tracing::debug!(conn = conn.id, "server stopping; telling the client to reconnect");
                conn.close(CloseCode::Restart);
                break;
            }
            () = &mut retired => {
                tracing::debug!(conn = conn.id, "the cluster's core moved; telling the client to reconnect");
                conn.close(CloseCode::Restart);
                break;
            }
            () = &mut quiet => {
                let due = deadline(heard, reader.who.is_some());
                if Instant::now() < due {
                    quiet.as_mut().reset(due);
                    continue;
                }
                let code = match reader.who {
                    None if Instant::now() >= opened + limits.hello_timeout => CloseCode::HelloTimeout,
                    _ => CloseCode::Idle,
                };
                tracing::debug!(conn = conn.id, code = code.code(), "closing a quiet websocket");
                conn.close(code);
                break;
            }
        };
        let Some(msg) = msg else { break };
        heard = Instant::now();
        let flow = match msg {
            Ok(msg) if reader.who.is_none() && payload_len(&msg) > limits.hello_max_bytes => {
                // An unauthenticated client gets kilobytes, not the transport limit.
                tracing::info!(
                    conn = conn.id,
                    bytes = payload_len(&msg),
                    "frame before hello over the limit; closing"
                );
                conn.close(CloseCode::TooBig);
                Flow::Stop
            }
            Ok(Message::Text(text)) => reader.on_text(text.as_str()).await,
            Ok(Message::Binary(bytes)) => reader.on_binary(bytes).await,
            Ok(Message::Close(_)) => Flow::Stop,
            Ok(_) => Flow::Go, // pings are answered by the transport; pongs only count as heard
            Err(e) => {
                tracing::debug!(conn = conn.id, error = ?e, "websocket read failed");
                if over_capacity(e) {
                    conn.close(CloseCode::TooBig);
                }
                Flow::Stop
            }
        };
        if let Flow::Stop = flow {
            break;
        }
    }
    match (&route, &reader.who) {
        (Route::Core(hub), Some(principal)) => hub.detach(principal, conn.id),
        (Route::Core(_), None) => {}
        (Route::Gateway(gateway), who) => gateway.closed(conn.id, who.is_some()).await,
    }
    if reader.dropped_refusals > 0 {
        tracing::info!(
            conn = conn.id,
            dropped = reader.dropped_refusals,
            "error replies dropped: the client sent faster than it read"
        );
    }
    conn.close(CloseCode::Normal);
    let _ = writer.await;
}

/// Whether the reader goes on.
enum Flow {
    Go,
    Stop,
}

/// Whether a read failed because the frame (or message) was over the
/// transport's size limit or over the bytes allowed before `hello`, told by
/// the error's type: the client is then told why with 1009.
fn over_capacity(e: axum::Error) -> bool {
    match e.into_inner().downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(_)) => true,
        Some(tungstenite::Error::Io(io)) => io
            .get_ref()
            .is_some_and(|inner| inner.is::<crate::net::OverBudget>()),
        _ => false,
    }
}

/// Bytes of a data frame's payload (control frames carry at most 125).
fn payload_len(msg: &Message) -> usize {
    match msg {
        Message::Text(t) => t.len(),
        Message::Binary(b) => b.len(),
        _ => 0,
    }
}

/// The reading side of a connection: who it is, its limits, its strikes.
struct Reader<'a> {
    app: &'a AppState,
    /// Where frames go once `hello` succeeded.
    route: &'a Route,
    conn: &'a ConnHandle,
    budget: &'a ReadBudget,
    pending: Pending,
    who: Option<Principal>,
    limiter: RateLimiter,
    page_limiter: RateLimiter,
    strikes: u32,
    /// Error replies not queued because the queue was short of room.
    dropped_refusals: u64,
    /// Keeps an agent's connection findable by its token until it ends, so
    /// revoking the token closes it.
    registration: Option<Registration>,
}

impl Reader<'_> {
    async fn on_binary(&mut self, bytes: axum::body::Bytes) -> Flow {
        let result = match (&self.who, self.route) {
            _ if !self.page_limiter.allow() => Err(HubError::new(
                ErrorCode::RateLimited,
                "slow down: too many page frames",
            )),
            (Some(principal), Route::Core(hub)) => hub.cobrowse_frame(principal, bytes),
            (Some(_), Route::Gateway(gateway)) => {
                gateway.binary(self.conn.id, bytes).await;
                Ok(())
            }
            (None, _) => Err(HubError::new(ErrorCode::HelloRequired, "send hello first")),
        };
        if let Err(e) = result {
            self.refuse(None, None, e);
        }
        Flow::Go
    }

    async fn on_text(&mut self, text: &str) -> Flow {
        if !self.limiter.allow() {
            let e = HubError::new(ErrorCode::RateLimited, "slow down: too many frames");
            self.refuse(None, None, e);
            return Flow::Go;
        }
        let env = match decode_client(text) {
            Ok(env) => env,
            Err(e) => {
                // Oversized SDPs and other bad input: refused and logged. The
                // message quotes the client's input, so it goes in a field of
                // its own, never the log message: text logs print string
                // fields quoted and escaped, JSON logs as JSON strings, so a
                // newline in it cannot start a fake log line.
                tracing::info!(
                    conn = self.conn.id,
                    code = e.code.as_str(),
                    bytes = text.len(),
                    detail = e.message.as_str(),
                    "frame refused"
                );
                self.refuse(e.rid, None, HubError::new(e.code, e.message));
                return self.strike();
            }
        };
        let Some(principal) = &self.who else {
            return self.on_hello(env).await;
        };
        match self.route {
            Route::Core(hub) => {
                if !hub.answer(principal, self.conn, env).await {
                    self.dropped_refusals += 1;
                }
            }
            // Checked here, applied there: the core decodes it again.
            Route::Gateway(gateway) => gateway.text(self.conn.id, text).await,
        }
        Flow::Go
    }

    /// The first frame must be a `hello` that succeeds.
    async fn on_hello(&mut self, env: protocol::ClientEnvelope) -> Flow {
        let ClientFrame::Hello { token, page } = env.frame else {
            let e = HubError::new(ErrorCode::HelloRequired, "send hello first");
            self.refuse(env.rid, None, e);
            return self.strike();
        };
        match hello(self.app, &self.pending, token, page).await {
            Ok(auth) => {
                if let Some(hash) = auth.agent_token_hash {
                    self.registration = Some(self.app.auth.live.register(self.conn, hash));
                }
                let principal = auth.principal;
                match self.route {
                    Route::Core(hub) => {
                        if let Principal::Agent(agent) = &principal {
                            hub.recall_presence(agent).await;
                        }
                        hub.attach(&principal, self.conn, auth.visitor_token, env.rid);
                    }
                    Route::Gateway(gateway) => {
                        let opened = Opened {
                            principal: principal.clone(),
                            visitor_token: auth.visitor_token,
                            rid: env.rid,
                            turn: gateway.turn_urls(),
                        };
                        gateway.open(self.conn.id, opened).await;
                    }
                }
                self.who = Some(principal);
                self.budget.lift();
                Flow::Go
            }
            Err(e) => {
                let close = match e.code {
                    ErrorCode::BadToken => Some(CloseCode::BadToken),
                    // Refused admission: the widget backs off for its
                    // longest delay on this code.
                    ErrorCode::RateLimited => Some(CloseCode::Abuse),
                    _ => None,
                };
                self.refuse(env.rid, None, e);
                match close {
                    Some(code) => {
                        self.conn.close(code);
                        Flow::Stop
                    }
                    None => Flow::Go,
                }
            }
        }
    }

    /// Counts a bad frame; too many close the connection as abusive.
    fn strike(&mut self) -> Flow {
        self.strikes += 1;
        if self.strikes >= MAX_STRIKES {
            self.conn.close(CloseCode::Abuse);
            return Flow::Stop;
        }
        Flow::Go
    }

    fn refuse(&mut self, rid: Option<u64>, session: Option<String>, e: HubError) {
        if !self.conn.send_refusal(&e.frame(rid, session)) {
            self.dropped_refusals += 1;
        }
    }
}

/// The writing side: drains the queue (flushing once per burst), pings the
/// client every `ping_interval`, and sends the close frame when asked. Every
/// write must finish within the idle timeout: a client that stops reading
/// would otherwise hold this task, and its socket, forever.
async fn write(
    mut sink: SplitSink<WebSocket, Message>,
    mut outbound: mpsc::Receiver<Wire>,
    closer: Arc<Closer>,
    limits: ConnLimits,
) {
    let period = limits.ping_interval;
    let mut ping = tokio::time::interval_at(Instant::now() + period, period);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let within = limits.idle_timeout;
    let closed = closer.closed();
    tokio::pin!(closed);
    loop {
        let written = tokio::select! {
            frame = outbound.recv() => match frame {
                Some(frame) => bounded(within, write_burst(&mut sink, &mut outbound, frame)).await,
                None => break,
            },
            _ = ping.tick() => bounded(within, ping_once(&mut sink)).await,
            code = &mut closed => {
                let _ = bounded(within, close(&mut sink, &mut outbound, code)).await;
                break;
            }
        };
        match written {
            Some(true) => {}
            Some(false) => break,
            None => {
                closer.close(CloseCode::Lagging);
                break;
            }
        }
    }
    // The reader stops too (a no-op when a close code is already set).
    closer.close(CloseCode::Normal);
}

/// Runs a write, giving up (`None`) after `limit`. A timer is armed only
/// when the write does not finish at once: most find room in the socket's
/// buffer, and a timer per frame would cost a timer-wheel update each.
async fn bounded(limit: Duration, write: impl Future<Output = bool>) -> Option<bool> {
    let mut write = pin!(write);
    if let Poll::Ready(ok) = poll_fn(|cx| Poll::Ready(write.as_mut().poll(cx))).await {
        return Some(ok);
    }
    timeout(limit, write).await.ok()
}

/// Writes `first` and everything already queued behind it, then flushes
/// once: one syscall for a burst instead of one per frame.
async fn write_burst(
    sink: &mut SplitSink<WebSocket, Message>,
    outbound: &mut mpsc::Receiver<Wire>,
    first: Wire,
) -> bool {
    let mut ok = sink.feed(first.into_message()).await.is_ok();
    while ok {
        match outbound.try_recv() {
            Ok(next) => ok = sink.feed(next.into_message()).await.is_ok(),
            Err(_) => break,
        }
    }
    ok && sink.flush().await.is_ok()
}

async fn ping_once(sink: &mut SplitSink<WebSocket, Message>) -> bool {
    sink.send(Message::Ping(Default::default())).await.is_ok()
}

/// Sends what is queued (unless the connection is dropped for lagging),
/// then the close frame.
async fn close(
    sink: &mut SplitSink<WebSocket, Message>,
    outbound: &mut mpsc::Receiver<Wire>,
    code: u16,
) -> bool {
    if code != CloseCode::Lagging.code() {
        while let Ok(frame) = outbound.try_recv() {
            if sink.send(frame.into_message()).await.is_err() {
                return false;
            }
        }
    }
    let reason = close_reason(code).into();
    sink.send(Message::Close(Some(CloseFrame { code, reason })))
        .await
        .is_ok()
}

fn close_reason(code: u16) -> &'static str {
    match code {
        c if c == CloseCode::BadToken.code() => "bad_token",
        c if c == CloseCode::Lagging.code() => "lagging",
        c if c == CloseCode::Abuse.code() => "abuse",
        c if c == CloseCode::TooBig.code() => "frame_too_large",
        c if c == CloseCode::HelloTimeout.code() => "hello_timeout",
        c if c == CloseCode::Idle.code() => "idle",
        c if c == CloseCode::Revoked.code() => "revoked",
        c if c == CloseCode::Expired.code() => "expired",
        _ => "",
    }
}

/// Authenticates a `hello`: who is connected, for visitors the token to keep
/// (renewed on every connection), for agents the hash of theirs.
async fn hello(
    app: &AppState,
    pending: &Pending,
    token: Option<String>,
    page: Option<protocol::PageInfo>,
) -> Result<Authenticated, HubError> {
    let now = now_ms();
    match pending {
        Pending::Visitor { site, ip } => {
            let vid = match token {
                Some(token) => match app.visitor_tokens.verify(&token, site, now) {
                    Ok(claims) => claims.vid,
                    Err(e) => {
                        return Err(HubError::new(ErrorCode::BadToken, format!("visitor {e}")));
                    }
                },
                None => {
                    crate::hub::admit(&app.admission, Kind::NewVisitor, *ip, site)?;
                    new_id("v_")
                }
            };
            app.store.touch_visitor(&vid, site, now).await?;
            // A page that is not a web page is dropped, the hello kept.
            if let Some(page) = page.filter(protocol::PageInfo::is_web) {
                app.store.add_page_view(&vid, &page, now).await?;
            }
            let claims = VisitorClaims {
                vid: vid.clone(),
                site: site.clone(),
                exp: now + VISITOR_TOKEN_TTL_MS,
            };
            let token = app.visitor_tokens.issue(&claims);
            Ok(Authenticated {
                principal: Principal::Visitor {
                    id: vid,
                    site: site.clone(),
                    ip: *ip,
                },
                visitor_token: Some(token),
                agent_token_hash: None,
            })
        }
        Pending::Agent {
            cookie: Some((agent, hash)),
        } => Ok(agent_hello(agent.clone(), hash.clone())),
        Pending::Agent { cookie: None } => match token {
            Some(token) => match agent_for_token(app.store.as_ref(), &token).await? {
                Some(agent) => Ok(agent_hello(agent, AgentTokens::hash(&token))),
                None => Err(HubError::new(
                    ErrorCode::BadToken,
                    "agent token is unknown or expired",
                )),
            },
            None => Err(HubError::new(
                ErrorCode::BadToken,
                "log in first: no session cookie or token",
            )),
        },
    }
}

fn agent_hello(agent: Agent, token_hash: String) -> Authenticated {
    Authenticated {
        principal: Principal::Agent(agent),
        visitor_token: None,
        agent_token_hash: Some(token_hash),
    }
}

/// Token bucket: `rate` frames a second sustained, bursts of twice that.
struct RateLimiter {
    rate: f64,
    tokens: f64,
    last: std::time::Instant,
}

impl RateLimiter {
    fn new(per_second: u32) -> Self {
        let rate = per_second as f64;
        RateLimiter {
            rate,
            tokens: 2.0 * rate,
            last: std::time::Instant::now(),
        }
    }

    fn allow(&mut self) -> bool {
        let now = std::time::Instant::now();
        let rate = self.rate;
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * rate).min(2.0 * rate);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

// The decoder enforces the application limit; this keeps the two in step.
const _: () = assert!(MAX_FRAME_BYTES < protocol::limits::MAX_TRANSPORT_BYTES);
