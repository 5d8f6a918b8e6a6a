//! One WebSocket connection: a writer task draining the connection's bounded
//! queue, and a reader loop that authenticates with `hello`, then decodes,
//! rate-limits and dispatches frames to the hub.

use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use protocol::limits::{MAX_FRAME_BYTES, PAGE_FRAMES_PER_SECOND};
use protocol::{ClientFrame, CloseCode, ErrorCode, ServerEnvelope, decode_client};

use super::AppState;
use super::credentials::agent_for_token;
use crate::auth::token::VISITOR_TOKEN_TTL_MS;
use crate::auth::{AgentTokens, VisitorClaims};
use crate::clock::now_ms;
use crate::hub::{ConnHandle, HubError, Principal, Wire};
use crate::ids::new_id;
use crate::store::Agent;

/// What we know about a connection before its `hello`.
pub enum Pending {
    Visitor {
        site: String,
    },
    /// An agent, already known with their token's hash when the upgrade
    /// carried the session cookie.
    Agent {
        cookie: Option<(Agent, String)>,
    },
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

pub async fn serve(app: AppState, socket: WebSocket, pending: Pending) {
    let (mut sink, mut stream) = socket.split();
    let (conn, mut outbound, closer) = app.hub.new_conn();
    let closing = closer.clone();
    let writer = tokio::spawn(async move {
        loop {
            tokio::select! {
                frame = outbound.recv() => match frame {
                    Some(frame) => {
                        // Write everything already queued, then flush once: one
                        // syscall for a burst instead of one per frame.
                        let mut ok = sink.feed(frame.into_message()).await.is_ok();
                        while ok {
                            match outbound.try_recv() {
                                Ok(next) => ok = sink.feed(next.into_message()).await.is_ok(),
                                Err(_) => break,
                            }
                        }
                        if !ok || sink.flush().await.is_err() {
                            break;
                        }
                    }
                    None => break,
                },
                code = closer.closed() => {
                    // Flush what is queued unless the connection is being dropped for lagging.
                    if code != CloseCode::Lagging.code() {
                        while let Ok(frame) = outbound.try_recv() {
                            if sink.send(frame.into_message()).await.is_err() {
                                break;
                            }
                        }
                    }
                    let reason = close_reason(code);
                    let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                    break;
                }
            }
        }
    });

    let mut who: Option<Principal> = None;
    let mut limiter = RateLimiter::new(app.config.frames_per_second);
    let mut page_limiter = RateLimiter::new(PAGE_FRAMES_PER_SECOND);
    let mut strikes = 0u32;
    // Keeps an agent's connection findable by its token until it ends.
    let mut _registration = None;
    // Once the connection is being closed (revoked, lagging…) nothing more it
    // sends is served: the reader stops and the hub forgets it at once.
    while let Some(msg) = tokio::select! {
        msg = stream.next() => msg,
        _ = closing.closed() => None,
    } {
        let text = match msg {
            Ok(Message::Text(t)) => t,
            Ok(Message::Binary(bytes)) => {
                let result = match &who {
                    _ if !page_limiter.allow() => Err(HubError::new(
                        ErrorCode::RateLimited,
                        "slow down: too many page frames",
                    )),
                    Some(principal) => app.hub.cobrowse_frame(principal, bytes),
                    None => Err(HubError::new(ErrorCode::HelloRequired, "send hello first")),
                };
                if let Err(e) = result {
                    reply_error(&conn, None, None, e);
                }
                continue;
            }
            Ok(Message::Close(_)) => break,
            Ok(_) => continue, // ping/pong are answered by the transport
            Err(e) => {
                tracing::debug!(conn = conn.id, error = %e, "websocket read failed");
                if e.to_string().to_ascii_lowercase().contains("too long")
                    || e.to_string().to_ascii_lowercase().contains("capacity")
                {
                    conn.close(CloseCode::TooBig);
                }
                break;
            }
        };
        if !limiter.allow() {
            reply_error(
                &conn,
                None,
                None,
                HubError::new(ErrorCode::RateLimited, "slow down: too many frames"),
            );
            continue;
        }
        let env = match decode_client(text.as_str()) {
            Ok(env) => env,
            Err(e) => {
                strikes += 1;
                // Oversized SDPs and other bad input: refused and logged.
                tracing::info!(conn = conn.id, code = e.code.as_str(), message = %e.message, "frame refused");
                reply_error(&conn, e.rid, None, HubError::new(e.code, e.message));
                if strikes >= MAX_STRIKES {
                    conn.close(CloseCode::Abuse);
                    break;
                }
                continue;
            }
        };
        match &who {
            None => match env.frame {
                ClientFrame::Hello { token, page } => {
                    match hello(&app, &pending, token, page).await {
                        Ok(auth) => {
                            if let Some(hash) = auth.agent_token_hash {
                                _registration = Some(app.auth.live.register(&conn, hash));
                            }
                            let principal = auth.principal;
                            app.hub
                                .attach(&principal, &conn, auth.visitor_token, env.rid);
                            who = Some(principal);
                        }
                        Err(e) => {
                            let fatal = e.code == ErrorCode::BadToken;
                            reply_error(&conn, env.rid, None, e);
                            if fatal {
                                conn.close(CloseCode::BadToken);
                                break;
                            }
                        }
                    }
                }
                _ => {
                    strikes += 1;
                    reply_error(
                        &conn,
                        env.rid,
                        None,
                        HubError::new(ErrorCode::HelloRequired, "send hello first"),
                    );
                }
            },
            Some(principal) => {
                let session = env.frame.session().map(str::to_string);
                match app.hub.handle(principal, &conn, env.rid, env.frame).await {
                    Ok(Some(reply)) => {
                        conn.send(&Wire::new(&ServerEnvelope::reply(env.rid, reply)))
                    }
                    Ok(None) => {}
                    Err(e) => reply_error(&conn, env.rid, session, e),
                }
            }
        }
    }
    if let Some(principal) = &who {
        app.hub.detach(principal, conn.id);
    }
    conn.close(CloseCode::Normal);
    let _ = writer.await;
}

fn close_reason(code: u16) -> &'static str {
    match code {
        c if c == CloseCode::BadToken.code() => "bad_token",
        c if c == CloseCode::Lagging.code() => "lagging",
        c if c == CloseCode::Abuse.code() => "abuse",
        c if c == CloseCode::TooBig.code() => "frame_too_large",
        c if c == CloseCode::Revoked.code() => "revoked",
        c if c == CloseCode::Expired.code() => "expired",
        _ => "",
    }
}

fn reply_error(conn: &ConnHandle, rid: Option<u64>, session: Option<String>, e: HubError) {
    conn.send(&e.frame(rid, session));
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
        Pending::Visitor { site } => {
            let vid = match token {
                Some(token) => match app.hub.visitor_tokens().verify(&token, site, now) {
                    Ok(claims) => claims.vid,
                    Err(e) => {
                        return Err(HubError::new(ErrorCode::BadToken, format!("visitor {e}")));
                    }
                },
                None => new_id("v_"),
            };
            app.store.touch_visitor(&vid, site, now).await?;
            if let Some(page) = page {
                app.store.add_page_view(&vid, &page, now).await?;
            }
            let claims = VisitorClaims {
                vid: vid.clone(),
                site: site.clone(),
                exp: now + VISITOR_TOKEN_TTL_MS,
            };
            let token = app.hub.visitor_tokens().issue(&claims);
            Ok(Authenticated {
                principal: Principal::Visitor {
                    id: vid,
                    site: site.clone(),
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
    last: Instant,
}

impl RateLimiter {
    fn new(per_second: u32) -> Self {
        let rate = per_second as f64;
        RateLimiter {
            rate,
            tokens: 2.0 * rate,
            last: Instant::now(),
        }
    }

    fn allow(&mut self) -> bool {
        let now = Instant::now();
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
