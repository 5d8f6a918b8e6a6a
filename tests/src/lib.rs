//! Harness for the integration tests: a real `tandem` server on 127.0.0.1:0
//! with its own database, and real WebSocket clients speaking `protocol`.

use protocol::api::AgentRole;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use protocol::{ClientEnvelope, ClientFrame, ErrorCode, ServerEnvelope, ServerFrame};
use tandem_server::accounts::{self, NewAgent};
use tandem_server::{Config, Running};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub mod raw;
pub mod rest;
pub mod turn_client;
pub mod webhook_receiver;

/// The origin the test site allows.
pub const SHOP_ORIGIN: &str = "http://shop.test";
pub const SITE: &str = "demo";
/// How long a test waits for a frame before failing.
pub const WAIT: Duration = Duration::from_secs(5);

pub struct TestServer {
    pub running: Running,
    dir: ScratchDir,
}

/// A private folder under the system temp dir, removed when dropped.
pub struct ScratchDir(pub PathBuf);

/// A conversation an online agent has accepted, with both sides connected.
pub struct Accepted {
    pub agent: Client,
    pub agent_token: String,
    pub visitor: Client,
    pub visitor_token: String,
    pub session: String,
}

impl Accepted {
    /// The visitor ends the conversation; waits until both sides know.
    pub async fn visitor_ends(&mut self) {
        self.visitor.end_session(&self.session).await;
        self.agent.expect(is_ended(&self.session)).await;
    }

    /// The agent ends the conversation; waits until both sides know.
    pub async fn agent_ends(&mut self) {
        self.agent.end_session(&self.session).await;
        self.visitor.expect(is_ended(&self.session)).await;
    }
}

/// The `session` frame announcing that `session` has ended.
fn is_ended(session: &str) -> impl Fn(&ServerFrame) -> bool + '_ {
    move |f| matches!(f, ServerFrame::Session { session: s } if s.id == session && s.state == protocol::SessionState::Ended)
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn scratch_dir() -> ScratchDir {
    let dir = std::env::temp_dir().join(tandem_server::ids::new_id("tandem-test-"));
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    ScratchDir(dir)
}

impl TestServer {
    /// A server on a fresh SQLite database.
    pub async fn start() -> TestServer {
        Self::start_in(scratch_dir(), |_| {}).await
    }

    /// A server with some configuration changed (e.g. a short ring time).
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        Self::start_in(scratch_dir(), adjust).await
    }

    /// A server on the SQLite database in `dir` (kept across restarts).
    async fn start_in(dir: ScratchDir, adjust: impl FnOnce(&mut Config)) -> TestServer {
        // Server logs go to the test's captured output: shown when a test fails.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("tandem_server=info"))
            .with_test_writer()
            .try_init();
        let mut config = Config::for_tests(format!("sqlite://{}/tandem.db", dir.0.display()));
        config.allow_origins.push((SITE.into(), SHOP_ORIGIN.into()));
        adjust(&mut config);
        let running = tandem_server::start(config).await.expect("server starts");
        TestServer { running, dir }
    }

    /// Stops the server and starts a new one on the same database.
    pub async fn restart(self) -> TestServer {
        let TestServer { running, dir } = self;
        running.shutdown().await;
        Self::start_in(dir, |_| {}).await
    }

    /// The database URL, for a second store handle: what a `tandem agent …`
    /// command run in another process would open.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}/tandem.db", self.dir.0.display())
    }

    pub fn http(&self, path: &str) -> String {
        format!("{}{path}", self.running.public_url)
    }

    /// Adds an agent with a generated password; returns the password. Test
    /// agents hold every role (agent, supervisor, admin), so a test reaches
    /// every screen; tests/authz.rs checks each role alone.
    pub async fn add_agent(&self, email: &str, name: &str, capacity: u32) -> String {
        self.add_skilled_agent(email, name, &[], capacity).await
    }

    /// Adds an agent with skills and every role; returns the password.
    pub async fn add_skilled_agent(
        &self,
        email: &str,
        name: &str,
        skills: &[&str],
        capacity: u32,
    ) -> String {
        self.add_agent_with_roles(email, name, skills, capacity, &AgentRole::ALL)
            .await
    }

    /// Adds an agent holding exactly `roles`; returns the password.
    pub async fn add_agent_with_roles(
        &self,
        email: &str,
        name: &str,
        skills: &[&str],
        capacity: u32,
        roles: &[AgentRole],
    ) -> String {
        let password = format!("pw-{}", tandem_server::ids::new_id(""));
        let skills = skills.iter().map(|s| s.to_string()).collect();
        let new = NewAgent {
            email,
            name,
            password: &password,
            skills,
            capacity,
            roles: roles.to_vec(),
        };
        accounts::add_agent(self.running.store.as_ref(), new)
            .await
            .expect("agent added");
        password
    }

    /// An agent goes online, a new visitor asks for help, the agent accepts.
    pub async fn accepted_session(&self, message: &str) -> Accepted {
        let (mut agent, agent_token) = self.agent("alex@example.com", "Alex").await;
        agent
            .send(ClientFrame::PresenceSet {
                presence: protocol::AgentPresence::Online,
            })
            .await;
        let (mut visitor, visitor_token, _) = self.visitor(None).await;
        let session = visitor.ask_for_help(message).await;
        agent
            .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if !items.is_empty()))
            .await;
        agent
            .send(ClientFrame::QueueAccept {
                session: session.clone(),
            })
            .await;
        let active = |f: &ServerFrame| matches!(f, ServerFrame::Session { session } if session.state == protocol::SessionState::Active);
        visitor.expect(active).await;
        // The agent hears the same announcement; take it here so a test's
        // next `Session` frame is one its own actions caused.
        agent.expect(active).await;
        Accepted {
            agent,
            agent_token,
            visitor,
            visitor_token,
            session,
        }
    }

    /// A session as the server stored it.
    pub async fn stored_session(&self, id: &str) -> tandem_server::store::SessionRecord {
        self.running
            .store
            .session(id)
            .await
            .expect("store readable")
            .expect("session stored")
    }

    /// GETs `path` as the agent holding `token`; the JSON body of its 200.
    pub async fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        let res = reqwest::Client::new()
            .get(self.http(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent");
        assert_eq!(res.status(), 200, "{path}");
        res.json().await.expect("a JSON body")
    }

    /// Logs in over REST; returns the bearer token.
    pub async fn login(&self, email: &str, password: &str) -> Result<String> {
        let res = reqwest::Client::new()
            .post(self.http("/api/v1/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("login failed with {}", res.status());
        }
        let body: serde_json::Value = res.json().await?;
        Ok(body["token"]
            .as_str()
            .context("token in login reply")?
            .to_string())
    }

    /// An agent who is logged in, connected, and has received `welcome`.
    pub async fn agent(&self, email: &str, name: &str) -> (Client, String) {
        let password = self.add_agent(email, name, 4).await;
        let token = self.login(email, &password).await.expect("login");
        let client = self.agent_client(&token).await;
        (client, token)
    }

    pub async fn agent_client(&self, token: &str) -> Client {
        let mut client = Client::connect(&format!("{}/ws/agent", self.running.ws_url()), None)
            .await
            .expect("connect");
        client.hello(Some(token.to_string())).await;
        client
    }

    /// A visitor connected from the allowed origin; returns the client and its token.
    pub async fn visitor(&self, token: Option<String>) -> (Client, String, ServerFrame) {
        self.visitor_from(token, "127.0.0.1".parse().expect("an address"))
            .await
    }

    /// A visitor connected from the client address `from` (a loopback one).
    pub async fn visitor_from(
        &self,
        token: Option<String>,
        from: IpAddr,
    ) -> (Client, String, ServerFrame) {
        let url = format!("{}/ws/visitor?site={SITE}", self.running.ws_url());
        let mut client = Client::connect_from(&url, Some(SHOP_ORIGIN), from)
            .await
            .expect("connect");
        let page = protocol::PageInfo {
            url: format!("{SHOP_ORIGIN}/cart"),
            title: "Cart".into(),
        };
        client
            .send(ClientFrame::Hello {
                token,
                page: Some(page),
            })
            .await;
        let welcome = client
            .expect(|f| matches!(f, ServerFrame::Welcome { .. }))
            .await;
        let ServerFrame::Welcome {
            token: Some(token), ..
        } = &welcome
        else {
            panic!("visitor welcome has a token")
        };
        (client, token.clone(), welcome)
    }
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A frame from the server: a protocol message or a co-browse frame.
// Boxing the common case would only cost the tests a deref at every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Incoming {
    Frame(ServerEnvelope),
    Binary(Vec<u8>),
}

/// A WebSocket client that speaks the protocol.
pub struct Client {
    ws: Ws,
    rid: u64,
}

impl Client {
    pub async fn connect(url: &str, origin: Option<&str>) -> Result<Client> {
        Self::connect_with(url, origin, &[]).await
    }

    /// Connects sending extra request headers too (e.g. `X-Forwarded-For`,
    /// the console's session cookie).
    pub async fn connect_with(
        url: &str,
        origin: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Client> {
        let mut req = url.into_client_request()?;
        if let Some(origin) = origin {
            req.headers_mut()
                .insert("Origin", HeaderValue::from_str(origin)?);
        }
        for (name, value) in headers {
            req.headers_mut().append(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())?,
                HeaderValue::from_str(value)?,
            );
        }
        let (ws, _) = tokio_tungstenite::connect_async(req).await?;
        Ok(Client { ws, rid: 0 })
    }

    /// Connects from another loopback address (any of 127.0.0.0/8 reaches
    /// the server on Linux): a second client address for per-address limits.
    pub async fn connect_from(url: &str, origin: Option<&str>, from: IpAddr) -> Result<Client> {
        let mut req = url.into_client_request()?;
        if let Some(origin) = origin {
            req.headers_mut()
                .insert("Origin", HeaderValue::from_str(origin)?);
        }
        let uri = req.uri();
        let to = format!(
            "{}:{}",
            uri.host().context("host in url")?,
            uri.port_u16().context("port in url")?
        );
        let to = tokio::net::lookup_host(to)
            .await?
            .next()
            .context("address")?;
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(std::net::SocketAddr::new(from, 0))?;
        let tcp = socket.connect(to).await?;
        let (ws, _) = tokio_tungstenite::client_async(req, MaybeTlsStream::Plain(tcp)).await?;
        Ok(Client { ws, rid: 0 })
    }

    /// Sends a frame with a fresh request id; returns the id.
    pub async fn send(&mut self, frame: ClientFrame) -> u64 {
        self.rid += 1;
        let env = ClientEnvelope {
            v: protocol::VERSION,
            rid: Some(self.rid),
            frame,
        };
        self.send_raw(&env.to_json()).await;
        self.rid
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.try_send_raw(text).await.expect("send");
    }

    /// Sends text frames written at once, in one flush (they reach the
    /// server together, as from a client that does not wait).
    pub async fn send_burst(&mut self, frames: &[String]) {
        for f in frames {
            self.ws
                .feed(Message::Text(Utf8Bytes::from(f.as_str())))
                .await
                .expect("send");
        }
        self.ws.flush().await.expect("flush");
    }

    /// Sends a text frame; the server may reset the connection while it arrives.
    pub async fn try_send_raw(&mut self, text: &str) -> Result<()> {
        Ok(self.ws.send(Message::Text(Utf8Bytes::from(text))).await?)
    }

    /// The next server frame, failing after `WAIT`.
    pub async fn recv(&mut self) -> Result<ServerEnvelope> {
        loop {
            if let Incoming::Frame(env) = self.recv_any().await? {
                return Ok(env);
            }
        }
    }

    /// The next text or binary frame, failing after `WAIT`.
    pub async fn recv_any(&mut self) -> Result<Incoming> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .map_err(|_| anyhow!("no frame within {WAIT:?}"))?
                .ok_or_else(|| anyhow!("connection ended"))??;
            match msg {
                Message::Text(t) => return Ok(Incoming::Frame(serde_json::from_str(t.as_str())?)),
                Message::Binary(b) => return Ok(Incoming::Binary(b.to_vec())),
                Message::Close(frame) => bail!("closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// The next binary (co-browse) frame, skipping text frames.
    pub async fn recv_binary(&mut self) -> Vec<u8> {
        loop {
            match self.recv_any().await {
                Ok(Incoming::Binary(b)) => return b,
                Ok(Incoming::Frame(_)) => continue,
                Err(e) => panic!("expected a binary frame: {e}"),
            }
        }
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws
            .send(Message::Binary(bytes.into()))
            .await
            .expect("send");
    }

    /// Skips frames until one matches; panics with what was seen otherwise.
    pub async fn expect(&mut self, pred: impl Fn(&ServerFrame) -> bool) -> ServerFrame {
        let mut seen = Vec::new();
        loop {
            match self.recv().await {
                Ok(env) if pred(&env.frame) => return env.frame,
                Ok(env) => seen.push(env.frame),
                Err(e) => panic!("expected frame not received ({e}); saw {seen:#?}"),
            }
        }
    }

    /// The error frame answering request `rid`.
    pub async fn expect_error(&mut self, rid: Option<u64>) -> ErrorCode {
        loop {
            let env = self.recv().await.expect("an error frame");
            if let ServerFrame::Error { code, .. } = env.frame
                && env.rid == rid
            {
                return code;
            }
        }
    }

    /// Waits for the server to close the connection; returns the close code.
    pub async fn expect_close(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("close within WAIT")
            {
                Some(Ok(Message::Close(frame))) => return frame.map(|f: CloseFrame| f.code.into()),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Asserts that nothing arrives for a short while.
    pub async fn expect_silence(&mut self, for_ms: u64) {
        match tokio::time::timeout(Duration::from_millis(for_ms), self.ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => panic!("unexpected frame: {t}"),
            Ok(Some(Ok(Message::Binary(b)))) => {
                panic!("unexpected binary frame of {} bytes", b.len())
            }
            _ => {}
        }
    }

    /// Asserts that no frame matching `pred` arrives for a while (others are skipped).
    pub async fn expect_none(&mut self, for_ms: u64, pred: impl Fn(&Incoming) -> bool) {
        let until = tokio::time::Instant::now() + Duration::from_millis(for_ms);
        while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(until, self.ws.next()).await {
            let incoming = match msg {
                Message::Text(t) => {
                    Incoming::Frame(serde_json::from_str(t.as_str()).expect("valid frame"))
                }
                Message::Binary(b) => Incoming::Binary(b.to_vec()),
                _ => continue,
            };
            assert!(!pred(&incoming), "unexpected frame: {incoming:?}");
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    /// The session's whole log as this client may read it (`session.sync`).
    pub async fn history(&mut self, session: &str) -> Vec<protocol::Event> {
        self.send(ClientFrame::SessionSync {
            session: session.to_string(),
            after_seq: 0,
        })
        .await;
        match self
            .expect(|f| matches!(f, ServerFrame::History { .. }))
            .await
        {
            ServerFrame::History { events, .. } => events,
            _ => unreachable!("matched above"),
        }
    }

    /// A visitor asks for help (no topic) and waits for the new session;
    /// returns its id.
    pub async fn ask_for_help(&mut self, message: &str) -> String {
        self.send(ClientFrame::HelpRequest {
            client_id: None,
            topic: None,
            message: message.into(),
            page: None,
        })
        .await;
        session_id(
            &self
                .expect(|f| matches!(f, ServerFrame::Session { .. }))
                .await,
        )
    }

    /// An agent's first frame: `hello` with `token` (or none, when the
    /// socket authenticated at upgrade); returns the `welcome`.
    pub async fn hello(&mut self, token: Option<String>) -> ServerFrame {
        self.send(ClientFrame::Hello { token, page: None }).await;
        self.expect(|f| matches!(f, ServerFrame::Welcome { .. }))
            .await
    }

    /// Ends `session` from this side and waits until the server says it has.
    pub async fn end_session(&mut self, session: &str) {
        self.send(ClientFrame::SessionEnd {
            session: session.to_string(),
        })
        .await;
        self.expect(is_ended(session)).await;
    }

    /// An agent takes a waiting session and waits until it is active.
    pub async fn accept(&mut self, session: &str) {
        self.send(ClientFrame::QueueAccept {
            session: session.to_string(),
        })
        .await;
        self.expect(|f| matches!(f, ServerFrame::Session { session: s } if s.id == session && s.state == protocol::SessionState::Active))
            .await;
    }

    /// An agent goes online and waits until the server confirms it.
    pub async fn go_online(&mut self) {
        self.send(ClientFrame::PresenceSet {
            presence: protocol::AgentPresence::Online,
        })
        .await;
        self.expect(|f| {
            matches!(
                f,
                ServerFrame::Presence {
                    presence: protocol::AgentPresence::Online
                }
            )
        })
        .await;
    }
}

/// Pulls the session id out of a `session` frame.
pub fn session_id(frame: &ServerFrame) -> String {
    match frame {
        ServerFrame::Session { session } => session.id.clone(),
        other => panic!("not a session frame: {other:?}"),
    }
}
