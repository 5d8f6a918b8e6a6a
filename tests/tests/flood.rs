//! Floods of visitors: a script that forges Origin can open visitors and help
//! requests as fast as it likes. New visitors and requests are limited per
//! client address and per site (refused with `rate_limited`, never dropped
//! silently), a full line makes new requests wait outside it with the
//! message / call-back choices, and past that `help.request` is refused with
//! `queue_full`. Other addresses are loopback ones (127.0.0.0/8).

use std::net::IpAddr;

use futures_util::future::join_all;
use protocol::{
    Callback, ClientFrame, CloseCode, ErrorCode, ServerFrame, SessionState, Unavailable,
};
use tandem_server::admission::VisitorLimits;
use tandem_tests::{Client, SHOP_ORIGIN, SITE, TestServer};

fn addr(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn help(message: &str) -> ClientFrame {
    ClientFrame::HelpRequest {
        topic: None,
        message: message.into(),
        client_id: None,
        page: None,
    }
}

/// What became of one fresh visitor's `hello`.
#[derive(Debug, PartialEq)]
enum Hello {
    Welcome,
    /// The error code, and the close code that followed.
    Refused(ErrorCode, Option<u16>),
}

async fn fresh_visitor(server: &TestServer, from: IpAddr) -> Hello {
    let url = format!("{}/ws/visitor?site={SITE}", server.running.ws_url());
    let mut client = Client::connect_from(&url, Some(SHOP_ORIGIN), from)
        .await
        .expect("connect");
    let rid = client
        .send(ClientFrame::Hello {
            token: None,
            page: None,
        })
        .await;
    let env = client.recv().await.expect("an answer to hello");
    match env.frame {
        ServerFrame::Welcome { .. } => Hello::Welcome,
        ServerFrame::Error { code, .. } => {
            assert_eq!(env.rid, Some(rid), "the error answers the hello");
            Hello::Refused(code, client.expect_close().await)
        }
        other => panic!("unexpected answer to hello: {other:?}"),
    }
}

/// A visitor asks for help and waits for the answer: the `session` frame
/// or an error. Returns the session id or the error code.
async fn request(visitor: &mut Client, message: &str) -> Result<String, ErrorCode> {
    let rid = visitor.send(help(message)).await;
    loop {
        let env = visitor.recv().await.expect("an answer to help.request");
        match env.frame {
            ServerFrame::Session { session } => return Ok(session.id),
            ServerFrame::Error { code, .. } if env.rid == Some(rid) => return Err(code),
            _ => {}
        }
    }
}

#[tokio::test]
async fn two_hundred_fresh_visitors_from_one_address_are_refused_and_a_real_visitor_gets_in() {
    // The production admission limits, not the tests' generous ones; the
    // per-address connection cap (tests/tests/timeouts.rs) is lifted so that
    // this test sees the admission limit alone.
    let server = TestServer::start_with(|c| {
        c.visitors = VisitorLimits::default();
        c.connections.max_per_ip = 0;
    })
    .await;
    let (mut agent, _) = server.agent("alex@example.com", "Alex").await;
    agent.go_online().await;

    let script = addr("127.0.0.1");
    let answers = join_all((0..200).map(|_| fresh_visitor(&server, script))).await;
    let welcomed = answers.iter().filter(|a| **a == Hello::Welcome).count();
    let refused = answers
        .iter()
        .filter(|a| **a == Hello::Refused(ErrorCode::RateLimited, Some(CloseCode::Abuse.code())))
        .count();
    let limit = VisitorLimits::default().new_visitors_per_ip as usize;
    // The burst, plus the odd token that refilled while the script ran.
    assert!(
        (limit..=limit + 5).contains(&welcomed),
        "{welcomed} welcomed"
    );
    assert_eq!(
        welcomed + refused,
        200,
        "every refusal said why: {answers:?}"
    );

    // A real visitor on another address is welcomed and queued.
    let (mut real, _, _) = server.visitor_from(None, addr("127.0.0.2")).await;
    let session = request(&mut real, "my order never came").await.unwrap();
    agent
        .expect(|f| matches!(f, ServerFrame::Queue { items, .. } if items.iter().any(|i| i.session == session)))
        .await;
}

#[tokio::test]
async fn help_requests_are_limited_per_address_and_per_site() {
    let server = TestServer::start_with(|c| {
        c.visitors.requests_per_ip = 3;
        c.visitors.requests_per_site = 5;
    })
    .await;
    // One address: three requests, then `rate_limited` with the request's id.
    let mut outcomes = Vec::new();
    for _ in 0..5 {
        let (mut v, _, _) = server.visitor_from(None, addr("127.0.0.1")).await;
        outcomes.push(request(&mut v, "help").await.map(|_| ()));
    }
    assert_eq!(
        outcomes,
        [
            Ok(()),
            Ok(()),
            Ok(()),
            Err(ErrorCode::RateLimited),
            Err(ErrorCode::RateLimited)
        ]
    );
    // Other addresses share what is left of the site's five.
    let (mut b, _, _) = server.visitor_from(None, addr("127.0.0.2")).await;
    let (mut c, _, _) = server.visitor_from(None, addr("127.0.0.3")).await;
    let (mut d, _, _) = server.visitor_from(None, addr("127.0.0.4")).await;
    assert!(request(&mut b, "help").await.is_ok());
    assert!(request(&mut c, "help").await.is_ok());
    assert_eq!(
        request(&mut d, "help").await,
        Err(ErrorCode::RateLimited),
        "the site's limit holds across addresses"
    );
}

/// Waits for the `queue.position` of `session`.
async fn place(visitor: &mut Client, session: &str) -> (u32, Option<Unavailable>) {
    match visitor
        .expect(|f| matches!(f, ServerFrame::QueuePosition { session: s, .. } if s == session))
        .await
    {
        ServerFrame::QueuePosition {
            position,
            unavailable,
            ..
        } => (position, unavailable),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn a_full_line_offers_the_choices_and_past_the_cap_says_queue_full() {
    let server = TestServer::start_with(|c| c.visitors.max_waiting_per_site = 2).await;
    let (mut agent, _) = server.agent("alex@example.com", "Alex").await;
    agent.go_online().await;
    let mut line = Vec::new();
    for n in 0..2 {
        let (mut v, _, _) = server.visitor(None).await;
        let s = request(&mut v, &format!("in line {n}")).await.unwrap();
        assert_eq!(place(&mut v, &s).await, (n + 1, None));
        line.push((v, s));
    }

    // The third waits outside the line and is offered a message or a call back.
    let (mut third, _, _) = server.visitor(None).await;
    let outside = request(&mut third, "third").await.unwrap();
    assert_eq!(
        place(&mut third, &outside).await,
        (0, Some(Unavailable::QueueFull))
    );
    // Agents see the whole demand: two listed, three waiting.
    agent
        .expect(|f| matches!(f, ServerFrame::Queue { items, total, .. } if items.len() == 2 && *total == 3))
        .await;
    // The third leaves a message: it waits as a call back, outside the line.
    third
        .send(ClientFrame::CallbackRequest {
            session: outside.clone(),
            callback: Callback::Message {
                email: "ann@example.com".into(),
            },
        })
        .await;
    third
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.callback.is_some()))
        .await;

    // The fourth waits outside too (one call back, one outside: two of two).
    let (mut fourth, _, _) = server.visitor(None).await;
    let waiting = request(&mut fourth, "fourth").await.unwrap();
    assert_eq!(
        place(&mut fourth, &waiting).await,
        (0, Some(Unavailable::QueueFull))
    );
    // The fifth is refused: nothing is created.
    let (mut fifth, _, _) = server.visitor(None).await;
    assert_eq!(
        request(&mut fifth, "fifth").await,
        Err(ErrorCode::QueueFull)
    );
    assert_eq!(
        server.running.store.open_sessions().await.unwrap().len(),
        4,
        "the refused request left nothing behind"
    );

    // An agent takes one from the line: the fourth joins it, second in line.
    let (_, first) = &line[0];
    agent.accept(first).await;
    assert_eq!(place(&mut fourth, &waiting).await, (2, None));
    let session = server.stored_session(&waiting).await;
    assert_eq!(session.state, SessionState::Queued);
}
