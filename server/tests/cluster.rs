//! Several `tandem` processes on one Postgres and one Redis: a visitor and
//! an agent on different nodes talk as on one, and the conversation goes on
//! when the node running the hub is killed (-9) or a gateway node dies.
//! Needs Postgres (TANDEM_TEST_POSTGRES_URL, default the local `test`
//! database) and Redis (TANDEM_TEST_REDIS_URL, default the local one); each
//! test makes a database and a cluster name of its own.

mod binary;
mod cluster_support;

use std::time::{Duration, Instant};

use protocol::{ClientFrame, ServerFrame};

use cluster_support::*;

#[tokio::test]
async fn a_conversation_across_nodes_survives_killing_the_core() {
    let cluster = Cluster::new().await;
    let core = cluster.node(); // first up: takes the lease
    let gateway = cluster.node();
    let password = cluster.add_agent("ana@example.com", "Ana").await;
    let token = login(&gateway, "ana@example.com", &password).await;

    // The agent's socket is on the gateway, the visitor's on the core.
    let (mut ana, mut visitor, session, visitor_token) =
        conversation(&gateway, &core, &token).await;
    let last = heard_seq_of_history(&mut visitor, &session).await;
    // The team board on the gateway shows what the core knows.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let figures = supervisor(&gateway, &token).await;
        let ana_board = &figures["live"]["agents"][0];
        if ana_board["name"] == "Ana"
            && ana_board["open"] == 1
            && figures["live"]["active_sessions"] == 1
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the gateway's figures: {figures}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // kill -9 the node running the hub, mid-conversation.
    let killed = Instant::now();
    drop(core);
    drop(visitor);

    // Both come back through the surviving node, which takes the core over.
    let (mut visitor, _) = visitor_back(&gateway, visitor_token).await;
    ana = reconnected_agent(ana, &gateway, &token).await;
    eprintln!("both resumed {:?} after the kill", killed.elapsed());

    // Nothing acknowledged was lost, nothing doubled, numbering gapless.
    assert_eq!(
        messages(&mut visitor, &session).await,
        [
            "Where is my parcel?",
            "It left Lyon on Monday",
            "Let me look it up"
        ]
    );
    say(&mut visitor, &session, "Still there?").await;
    let seq = heard(&mut ana, "Still there?").await;
    assert_eq!(seq, last + 1, "the new core numbers after the old one");
    say(&mut ana, &session, "Yes: it arrives tomorrow").await;
    heard(&mut visitor, "Yes: it arrives tomorrow").await;
    cluster.drop_database().await;
}

#[tokio::test]
async fn a_dead_gateway_takes_its_sockets_with_it_and_the_agent_carries_on_elsewhere() {
    let cluster = Cluster::new().await;
    let core = cluster.node();
    let gateway = cluster.node();
    let password = cluster.add_agent("ana@example.com", "Ana").await;
    let token = login(&core, "ana@example.com", &password).await;
    let (ana, mut visitor, session, _) = conversation(&gateway, &core, &token).await;

    // The gateway dies with the agent's only socket: the core notices
    // (its channel has no listener) and the agent is no longer connected.
    drop(gateway);
    drop(ana);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let figures = supervisor(&core, &token).await;
        let connected = figures["live"]["agents"][0]["connected"].as_bool();
        if connected == Some(false) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the dead node's socket is still attached: {figures}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The agent reconnects to the core's node and the conversation goes on.
    let mut ana = agent(&core, &token).await;
    say(&mut visitor, &session, "Hello?").await;
    heard(&mut ana, "Hello?").await;
    cluster.drop_database().await;
}

#[tokio::test]
async fn screen_sharing_crosses_nodes_with_a_late_tab_on_a_third() {
    let cluster = Cluster::new().await;
    let core = cluster.node();
    let (a, b) = (cluster.node(), cluster.node());
    let password = cluster.add_agent("ana@example.com", "Ana").await;
    let token = login(&a, "ana@example.com", &password).await;
    // The visitor on one gateway, the agent on the other: every frame
    // crosses the bus twice.
    let (mut ana, mut visitor, session, _) = conversation(&a, &b, &token).await;
    start_sharing(&mut ana, &mut visitor, &session).await;
    let frames: Vec<Vec<u8>> = (0..3).map(|seq| page_frame(&session, seq)).collect();
    for f in &frames {
        visitor.send_binary(f.clone()).await;
    }
    for f in &frames {
        assert_eq!(&ana.recv_binary().await, f, "relayed unchanged, in order");
    }
    // A second tab of the agent's, on the core's node, catches up from the log.
    let mut late = agent(&core, &token).await;
    late.send(ClientFrame::CobrowseSubscribe {
        session: session.clone(),
        fresh: false,
    })
    .await;
    for f in &frames {
        assert_eq!(&late.recv_binary().await, f, "replayed in order, unchanged");
    }
    let next = page_frame(&session, 3);
    visitor.send_binary(next.clone()).await;
    assert_eq!(ana.recv_binary().await, next);
    assert_eq!(late.recv_binary().await, next);
    cluster.drop_database().await;
}

/// SIGTERM, as a rolling restart sends it.
fn terminate(node: &binary::Server) {
    let pid = node.child.id();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[tokio::test]
async fn a_core_asked_to_stop_hands_over_and_the_conversation_goes_on() {
    let cluster = Cluster::new().await;
    let core = cluster.node();
    let gateway = cluster.node();
    let password = cluster.add_agent("ana@example.com", "Ana").await;
    let token = login(&gateway, "ana@example.com", &password).await;
    let (ana, visitor, session, visitor_token) = conversation(&gateway, &core, &token).await;

    let stopped = Instant::now();
    terminate(&core);
    // The visitor's socket is told to reconnect (1012), like the agent's
    // when its node becomes the core.
    let mut visitor = visitor;
    assert_eq!(visitor.expect_close().await, Some(1012));
    let (mut visitor, _) = visitor_back(&gateway, visitor_token).await;
    let mut ana = reconnected_agent(ana, &gateway, &token).await;
    eprintln!(
        "handed over and resumed {:?} after SIGTERM",
        stopped.elapsed()
    );
    say(&mut visitor, &session, "Are you still there?").await;
    heard(&mut ana, "Are you still there?").await;
    assert_eq!(
        messages(&mut ana, &session).await.len(),
        4,
        "the three messages before and the one after"
    );
    cluster.drop_database().await;
}

/// A Redis of the test's own, which it may stop and start again.
struct OwnRedis {
    port: u16,
    child: std::process::Child,
}

impl OwnRedis {
    fn start(port: u16) -> OwnRedis {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server runs");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server listens"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        OwnRedis { port, child }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("an address")
        .port()
}

#[tokio::test]
async fn a_redis_restart_loses_nothing() {
    let redis = OwnRedis::start(free_port());
    let port = redis.port;
    let cluster = Cluster::new().await;
    let node = |c: &Cluster| c.node_via(&c.database_url, &redis.url(), &[]);
    let core = node(&cluster);
    let gateway = node(&cluster);
    let password = cluster.add_agent("ana@example.com", "Ana").await;
    let token = login(&gateway, "ana@example.com", &password).await;
    let (ana, mut visitor, session, _) = conversation(&gateway, &core, &token).await;

    // Redis goes away and comes back empty: the gateway's sockets are told
    // to reconnect, the core's carry on.
    drop(redis);
    let mut ana = ana;
    assert_eq!(ana.expect_close().await, Some(1012));
    say(&mut visitor, &session, "Sent while Redis was down").await;
    heard(&mut visitor, "Sent while Redis was down").await;
    let _redis = OwnRedis::start(port);
    let mut ana = agent(&gateway, &token).await;
    assert_eq!(
        messages(&mut ana, &session).await,
        [
            "Where is my parcel?",
            "It left Lyon on Monday",
            "Let me look it up",
            "Sent while Redis was down"
        ]
    );
    say(&mut ana, &session, "Back").await;
    heard(&mut visitor, "Back").await;
    cluster.drop_database().await;
}

/// A TCP proxy in front of Postgres that the test can cut (every connection
/// dropped, new ones refused) and restore: a database outage as the nodes
/// see it.
struct Proxy {
    port: u16,
    cut: tokio::sync::watch::Sender<bool>,
}

impl Proxy {
    async fn start(upstream: (String, u16)) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let port = listener.local_addr().expect("an address").port();
        let cut = tokio::sync::watch::Sender::new(false);
        let watch = cut.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if *watch.borrow() {
                    continue; // dropped: refused
                }
                let upstream = upstream.clone();
                let mut cut = watch.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.wait_for(|c| *c) => {}
                    }
                });
            }
        });
        Proxy { port, cut }
    }

    fn set_cut(&self, cut: bool) {
        self.cut.send_replace(cut);
    }
}

// Multi-threaded: the proxy's tasks must run while a node is started
// (which blocks the test's thread until the node is ready).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_acknowledges_nothing_unstored_and_the_cluster_recovers() {
    let cluster = Cluster::new().await;
    let base = url_parts(&admin_url());
    let proxy = Proxy::start(base.clone()).await;
    let through_proxy = cluster.database_url.replacen(
        &format!("{}:{}", base.0, base.1),
        &format!("127.0.0.1:{}", proxy.port),
        1,
    );
    let node = || cluster.node_via(&through_proxy, &redis_url(), &[]);
    let core = node();
    let gateway = node();
    let password = cluster.add_agent("ana@example.com", "Ana").await;
    let token = login(&gateway, "ana@example.com", &password).await;
    let (mut ana, visitor, session, visitor_token) = conversation(&gateway, &core, &token).await;

    // The database goes away: a message is refused with an error, not
    // acknowledged, and both sides are told to reconnect once the core
    // steps down (it cannot renew its lease).
    proxy.set_cut(true);
    say(&mut ana, &session, "Sent during the outage").await;
    let outcome = ana
        .expect(|f| {
            matches!(f, ServerFrame::Error { .. })
                || matches!(f, ServerFrame::Event { event, .. } if matches!(&event.body, protocol::EventBody::Message { text, .. } if text == "Sent during the outage"))
        })
        .await;
    assert!(
        matches!(
            outcome,
            ServerFrame::Error {
                code: protocol::ErrorCode::Internal,
                ..
            }
        ),
        "the unstored message was refused, not acknowledged: {outcome:?}"
    );
    drop(visitor);
    drop(ana);
    let cut_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;

    // Back: the nodes elect a core again by themselves, and the conversation
    // resumes with what was stored, and only that.
    proxy.set_cut(false);
    let (mut visitor, _) = visitor_back(&gateway, visitor_token).await;
    let mut ana = agent(&gateway, &token).await;
    eprintln!(
        "resumed {:?} after the outage began (3 s long)",
        cut_at.elapsed()
    );
    assert_eq!(
        messages(&mut visitor, &session).await,
        [
            "Where is my parcel?",
            "It left Lyon on Monday",
            "Let me look it up"
        ]
    );
    say(&mut ana, &session, "Sorry, we had a hiccup").await;
    heard(&mut visitor, "Sorry, we had a hiccup").await;
    drop(core);
    cluster.drop_database().await;
}

/// Host and port of a postgres:// URL.
fn url_parts(url: &str) -> (String, u16) {
    let authority = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a URL with a host");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match host_port.rsplit_once(':') {
        Some((host, port)) => (host.to_string(), port.parse().expect("a port")),
        None => (host_port.to_string(), 5432),
    }
}

/// The agent's id, as `/api/v1/me` on `node` gives it.
async fn agent_id(node: &binary::Server, token: &str) -> String {
    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/me", node.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("request sent")
        .json()
        .await
        .expect("JSON");
    me["agent"]["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn presence_typing_receipts_calls_and_transfers_cross_nodes() {
    let cluster = Cluster::new().await;
    let core = cluster.node();
    let (g1, g2) = (cluster.node(), cluster.node());
    let ana_password = cluster.add_agent("ana@example.com", "Ana").await;
    let bo_password = cluster.add_agent("bo@example.com", "Bo").await;
    let ana_token = login(&g1, "ana@example.com", &ana_password).await;
    let bo_token = login(&core, "bo@example.com", &bo_password).await;
    let bo_id = agent_id(&g2, &bo_token).await;

    // Ana has a tab on each gateway: presence set in one shows in the other.
    let mut ana1 = agent(&g1, &ana_token).await;
    let mut ana2 = agent(&g2, &ana_token).await;
    ana1.go_online().await;
    ana2.expect(|f| {
        matches!(
            f,
            ServerFrame::Presence {
                presence: protocol::AgentPresence::Online
            }
        )
    })
    .await;

    // The visitor on the core's node; Ana accepts in her second tab, and
    // the first follows.
    let (mut visitor, _) = visitor(&core, None).await;
    let session = visitor.ask_for_help("Can I change my order?").await;
    ana2.expect(|f| matches!(f, ServerFrame::Queue { items, .. } if items.iter().any(|i| i.session == session)))
        .await;
    ana2.accept(&session).await;
    ana1.expect(is_active).await;
    visitor.expect(is_active).await;

    // Typing reaches both tabs; a read receipt comes back.
    visitor
        .send(ClientFrame::Typing {
            session: session.clone(),
            active: true,
        })
        .await;
    for tab in [&mut ana1, &mut ana2] {
        tab.expect(|f| {
            matches!(
                f,
                ServerFrame::Typing {
                    author: protocol::Role::Visitor,
                    active: true,
                    ..
                }
            )
        })
        .await;
    }
    say(&mut ana1, &session, "Yes, until it ships").await;
    let seq = heard(&mut visitor, "Yes, until it ships").await;
    visitor
        .send(ClientFrame::Receipt {
            session: session.clone(),
            kind: protocol::ReceiptKind::Read,
            seq,
        })
        .await;
    ana2.expect(
        |f| matches!(f, ServerFrame::Receipts { receipts, .. } if receipts.visitor_read >= seq),
    )
    .await;

    // A call rings on the visitor's side.
    ana1.send(ClientFrame::CallStart {
        session: session.clone(),
    })
    .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Call { call, .. } if call.phase == protocol::CallPhase::Ringing))
        .await;

    // Ana hands the chat to Bo, whose socket is on the core's node.
    let mut bo = agent(&core, &bo_token).await;
    bo.go_online().await;
    ana2.send(ClientFrame::SessionTransfer {
        session: session.clone(),
        agent: Some(bo_id.clone()),
        skill: None,
        note: Some("wants to change the order".into()),
    })
    .await;
    bo.expect(|f| matches!(f, ServerFrame::Session { session: s } if s.id == session && s.agent.as_ref().is_some_and(|a| a.id == bo_id)))
        .await;
    say(&mut bo, &session, "Bo here, I can help").await;
    heard(&mut visitor, "Bo here, I can help").await;
    cluster.drop_database().await;
}

#[tokio::test]
async fn a_ringing_offer_is_offered_again_after_the_core_dies() {
    let cluster = Cluster::new().await;
    let core = cluster.node();
    let gateway = cluster.node();
    let password = cluster.add_agent("bo@example.com", "Bo").await;
    let token = login(&gateway, "bo@example.com", &password).await;
    let mut bo = agent(&gateway, &token).await;
    bo.go_online().await;
    let (mut visitor, visitor_token) = visitor(&gateway, None).await;
    let session = visitor.ask_for_help("Is anyone there?").await;
    let offered =
        |f: &ServerFrame| matches!(f, ServerFrame::Offer { session: s, .. } if *s == session);
    bo.expect(offered).await;

    // The core dies while the offer rings. Bo's console reconnects (without
    // choosing Online again) and is offered the same request again.
    drop(core);
    drop(visitor);
    let _ = bo.expect_close().await;
    let mut bo = agent(&gateway, &token).await;
    bo.expect(offered).await;
    bo.accept(&session).await;
    let (mut visitor, _) = visitor_back(&gateway, visitor_token).await;
    say(&mut bo, &session, "Sorry for the wait").await;
    heard(&mut visitor, "Sorry for the wait").await;
    cluster.drop_database().await;
}

#[tokio::test]
async fn pointer_highlights_and_the_wrap_up_cross_nodes() {
    use protocol::cobrowse::{Highlight, Pointer};
    let AcrossGateways {
        cluster,
        nodes: _nodes,
        mut ana,
        mut visitor,
        session,
    } = AcrossGateways::start().await;
    start_sharing(&mut ana, &mut visitor, &session).await;
    visitor.send_binary(page_frame(&session, 0)).await;
    ana.recv_binary().await;

    // The agent's pointer and a highlight reach the visitor's page.
    ana.send(ClientFrame::Pointer(Pointer {
        session: session.clone(),
        node: Some(1),
        x: 0.25,
        y: 0.75,
    }))
    .await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Pointer(p) if p.node == Some(1) && p.x == 0.25))
        .await;
    ana.send(ClientFrame::Highlight(Highlight {
        session: session.clone(),
        node: 1,
        label: Some("Postal code".into()),
    }))
    .await;
    visitor
        .expect(
            |f| matches!(f, ServerFrame::Highlight(h) if h.label.as_deref() == Some("Postal code")),
        )
        .await;

    // The chat ends and its wrap-up is stored.
    ana.end_session(&session).await;
    ana.send(ClientFrame::SessionWrapup {
        session: session.clone(),
        disposition: protocol::DISPOSITIONS[0].into(),
        note: Some("address fixed".into()),
    })
    .await;
    let store = tandem_server::store::open(&cluster.database_url)
        .await
        .expect("store opens");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let record = store
            .session(&session)
            .await
            .expect("read")
            .expect("stored");
        if let Some(wrapup) = record.wrapup {
            assert_eq!(wrapup.disposition, protocol::DISPOSITIONS[0]);
            break;
        }
        assert!(Instant::now() < deadline, "the wrap-up was not stored");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    cluster.drop_database().await;
}
