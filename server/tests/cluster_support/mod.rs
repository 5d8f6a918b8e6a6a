//! What the cluster tests share: a database and a cluster name per test,
//! nodes as `tandem` processes (binary/), and clients that reconnect until
//! the cluster has a core to route them to. Each test file that uses it
//! declares `mod binary; mod cluster_support;`.
// Each test file reads the parts it needs.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use protocol::{ClientFrame, EventBody, ServerFrame, SessionState};
use sqlx::Connection;
use tandem_server::accounts::{self, NewAgent};
use tandem_tests::{Client, SHOP_ORIGIN, SITE};

use crate::binary;

pub fn admin_url() -> String {
    std::env::var("TANDEM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn redis_url() -> String {
    std::env::var("TANDEM_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into())
}

/// A database and a cluster name for one test; nodes join with `node()`.
pub struct Cluster {
    pub name: String,
    pub database_url: String,
}

impl Cluster {
    pub async fn new() -> Cluster {
        let name = tandem_server::ids::new_id("cluster_");
        let mut admin = sqlx::PgConnection::connect(&admin_url())
            .await
            .expect("Postgres is reachable (TANDEM_TEST_POSTGRES_URL)");
        // The name is ours: an id of hex digits.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("a database for the test");
        let base = admin_url();
        let database_url = format!("{}/{name}", &base[..base.rfind('/').expect("a path")]);
        Cluster { name, database_url }
    }

    /// Starts a node (`tandem serve` in a process of its own) and waits
    /// until it serves.
    pub fn node(&self) -> binary::Server {
        self.node_with(&[])
    }

    /// A node with extra `serve` flags.
    pub fn node_with(&self, extra: &[&str]) -> binary::Server {
        self.node_via(&self.database_url, &redis_url(), extra)
    }

    /// A node of this cluster reaching Postgres and Redis at the given URLs
    /// (a proxy, a Redis of the test's own).
    pub fn node_via(&self, database_url: &str, redis: &str, extra: &[&str]) -> binary::Server {
        let origin = format!("{SITE}={SHOP_ORIGIN}");
        let mut args = vec![
            "--redis-url",
            redis,
            "--cluster-name",
            &self.name,
            "--lease-ms",
            "1500",
            "--allow-origin",
            &origin,
        ];
        args.extend_from_slice(extra);
        binary::start_on(Some(database_url), None, &args)
    }

    /// Adds an agent straight to the database; returns the password.
    pub async fn add_agent(&self, email: &str, name: &str) -> String {
        self.add_agent_with_capacity(email, name, 4).await
    }

    pub async fn add_agent_with_capacity(&self, email: &str, name: &str, capacity: u32) -> String {
        let store = tandem_server::store::open(&self.database_url)
            .await
            .expect("store opens");
        let password = format!("pw-{}", tandem_server::ids::new_id(""));
        let new = NewAgent {
            email,
            name,
            password: &password,
            skills: Vec::new(),
            capacity,
            // Every role: the tests read the team figures as the agent.
            roles: protocol::api::AgentRole::ALL.to_vec(),
        };
        accounts::add_agent(store.as_ref(), new)
            .await
            .expect("agent added");
        password
    }

    pub async fn drop_database(self) {
        let mut admin = sqlx::PgConnection::connect(&admin_url())
            .await
            .expect("Postgres is reachable");
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await;
    }
}

pub fn ws(node: &binary::Server, path: &str) -> String {
    format!("{}{path}", node.url.replacen("http", "ws", 1))
}

pub async fn login(node: &binary::Server, email: &str, password: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/login", node.url))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login sent");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("JSON");
    body["token"].as_str().expect("a token").to_string()
}

/// Connects and says hello, retrying while the cluster has no core to
/// route to (the upgrade is refused with 503, or the socket is closed
/// before `welcome`); returns the client and its `welcome`.
pub async fn hello(
    url: &str,
    origin: Option<&str>,
    token: Option<String>,
) -> (Client, ServerFrame) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut client) = Client::connect(url, origin).await {
            client
                .send(ClientFrame::Hello {
                    token: token.clone(),
                    page: None,
                })
                .await;
            if let Ok(Ok(welcome)) =
                tokio::time::timeout(Duration::from_secs(6), welcome(&mut client)).await
            {
                return (client, welcome);
            }
        }
        assert!(
            Instant::now() < deadline,
            "no welcome from {url} within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn welcome(client: &mut Client) -> anyhow::Result<ServerFrame> {
    loop {
        let env = client.recv().await?;
        if matches!(env.frame, ServerFrame::Welcome { .. }) {
            return Ok(env.frame);
        }
    }
}

pub async fn agent(node: &binary::Server, token: &str) -> Client {
    hello(&ws(node, "/ws/agent"), None, Some(token.to_string()))
        .await
        .0
}

/// A visitor; returns the client and its token.
pub async fn visitor(node: &binary::Server, token: Option<String>) -> (Client, String) {
    let url = ws(node, &format!("/ws/visitor?site={SITE}"));
    let (client, welcome) = hello(&url, Some(SHOP_ORIGIN), token).await;
    let ServerFrame::Welcome {
        token: Some(token), ..
    } = welcome
    else {
        panic!("a visitor's welcome carries a token")
    };
    (client, token)
}

pub async fn say(client: &mut Client, session: &str, text: &str) {
    client
        .send(ClientFrame::ChatSend {
            session: session.into(),
            client_id: None,
            text: text.into(),
        })
        .await;
}

/// Waits for the message `text`; returns its seq.
pub async fn heard(client: &mut Client, text: &str) -> u64 {
    let frame = client
        .expect(|f| matches!(f, ServerFrame::Event { event, .. } if matches!(&event.body, EventBody::Message { text: t, .. } if t == text)))
        .await;
    match frame {
        ServerFrame::Event { event, .. } => event.seq,
        _ => unreachable!("matched above"),
    }
}

pub fn is_active(f: &ServerFrame) -> bool {
    matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active)
}

/// A cluster of three nodes (the first is the core) with Ana signed in on
/// the second and chatting with a visitor on the third: both sides on
/// gateways. The nodes live as long as this does.
pub struct AcrossGateways {
    pub cluster: Cluster,
    pub nodes: [binary::Server; 3],
    pub ana: Client,
    pub visitor: Client,
    pub session: String,
}

impl AcrossGateways {
    pub async fn start() -> AcrossGateways {
        let cluster = Cluster::new().await;
        let nodes = [cluster.node(), cluster.node(), cluster.node()];
        let password = cluster.add_agent("ana@example.com", "Ana").await;
        let token = login(&nodes[1], "ana@example.com", &password).await;
        let (ana, visitor, session, _) = conversation(&nodes[1], &nodes[2], &token).await;
        AcrossGateways {
            cluster,
            nodes,
            ana,
            visitor,
            session,
        }
    }
}

/// The agent on one node, the visitor on another: help request, offer,
/// accept, and messages both ways. Returns agent, visitor, session id and
/// the visitor's token.
pub async fn conversation(
    agent_node: &binary::Server,
    visitor_node: &binary::Server,
    token: &str,
) -> (Client, Client, String, String) {
    let mut ana = agent(agent_node, token).await;
    ana.go_online().await;
    let (mut visitor, visitor_token) = visitor(visitor_node, None).await;
    let session = visitor.ask_for_help("Where is my parcel?").await;
    ana.expect(|f| matches!(f, ServerFrame::Queue { items, .. } if items.iter().any(|i| i.session == session)))
        .await;
    ana.accept(&session).await;
    visitor.expect(is_active).await;
    say(&mut visitor, &session, "It left Lyon on Monday").await;
    heard(&mut ana, "It left Lyon on Monday").await;
    say(&mut ana, &session, "Let me look it up").await;
    heard(&mut visitor, "Let me look it up").await;
    (ana, visitor, session, visitor_token)
}

/// Every message of the session's log, in seq order, checked gapless.
pub async fn messages(client: &mut Client, session: &str) -> Vec<String> {
    let events = client.history(session).await;
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "the log is numbered without a gap");
    }
    events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Message { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// The supervisor's figures from `node`; `null` while it has none yet (a
/// gateway before the core's first publication answers 503).
pub async fn supervisor(node: &binary::Server, token: &str) -> serde_json::Value {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/supervisor", node.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("request sent");
    match res.status().as_u16() {
        200 => res.json().await.expect("JSON"),
        503 => serde_json::Value::Null,
        other => panic!("the supervisor's figures answered {other}"),
    }
}

/// The last seq the client can read in the session's log.
pub async fn heard_seq_of_history(client: &mut Client, session: &str) -> u64 {
    client.history(session).await.last().map_or(0, |e| e.seq)
}

pub async fn visitor_back(node: &binary::Server, token: String) -> (Client, String) {
    visitor(node, Some(token)).await
}

/// The agent's socket on the surviving node is told to reconnect when that
/// node takes the core over; the agent does, as the console would.
pub async fn reconnected_agent(mut ana: Client, node: &binary::Server, token: &str) -> Client {
    let _ = ana.expect_close().await;
    let mut ana = agent(node, token).await;
    ana.go_online().await;
    ana
}

pub fn share_is(state: protocol::cobrowse::ShareState) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Cobrowse { state: s, .. } if *s == state)
}

/// The agent asks to see the screen and the visitor allows it.
pub async fn start_sharing(
    agent: &mut tandem_tests::Client,
    visitor: &mut tandem_tests::Client,
    session: &str,
) {
    use protocol::cobrowse::ShareState;
    agent
        .send(ClientFrame::CobrowseRequest {
            session: session.to_string(),
        })
        .await;
    visitor.expect(share_is(ShareState::Requested)).await;
    visitor
        .send(ClientFrame::CobrowseStart {
            session: session.to_string(),
        })
        .await;
    agent.expect(share_is(ShareState::Active)).await;
}

/// A keyframe (`seq` 0) or a delta of a page shared in `session`.
pub fn page_frame(session: &str, seq: u32) -> Vec<u8> {
    use protocol::cobrowse::{FrameKind, encode_frame};
    match seq {
        0 => {
            let body = br#"{"url":"http://shop.test/","vw":1280,"vh":800,"root":{"i":1,"k":"e","t":"html"},"epoch":1}"#;
            encode_frame(FrameKind::Keyframe, session, 1, 0, body)
        }
        _ => {
            let body = format!(r#"{{"ops":[{{"o":"mouse","x":{seq},"y":1}}]}}"#);
            encode_frame(FrameKind::Delta, session, 1, seq, body.as_bytes())
        }
    }
}
