//! Visitors' personal data against a running server: `tandem visitor
//! export` holds what they said and where they were, `tandem visitor erase`
//! (run as its own process would, on the same database) removes it without
//! changing the day's figures and refuses while their conversation is open,
//! and a site's retention purges old conversations in the background.

use std::time::{Duration, Instant};

use clap::Parser;
use protocol::{
    ClientFrame, ErrorCode, EventBody, PageInfo, Role, ServerFrame, SessionState, VisitorIdentity,
};
use tandem_server::cli::Cli;
use tandem_server::privacy::{self, Lookup, retention};
use tandem_server::store::{SessionRecord, Site};
use tandem_tests::{SHOP_ORIGIN, SITE, TestServer};

/// Runs a `tandem` command line in-process, as the operator would.
async fn tandem(args: &[&str]) -> i32 {
    let cli = Cli::try_parse_from(std::iter::once("tandem").chain(args.iter().copied()))
        .expect("the command line parses");
    tandem_server::cli::run(cli)
        .await
        .expect("the command runs")
}

fn said(session: &str, text: &str) -> ClientFrame {
    ClientFrame::ChatSend {
        session: session.into(),
        client_id: None,
        text: text.into(),
    }
}

/// Waits until `frame` (an event with this text) reached the client.
fn message(text: &'static str) -> impl Fn(&ServerFrame) -> bool {
    move |f| {
        matches!(f, ServerFrame::Event { event, .. }
            if matches!(&event.body, EventBody::Message { text: t, .. } if t == text))
    }
}

#[tokio::test]
async fn a_visitor_who_chatted_is_exported_then_erased_and_the_figures_stay() {
    let mut url = String::new();
    let server = TestServer::start_with(|c| url = c.database_url.clone()).await;
    let mut a = server.accepted_session("my order A-77 is late").await;
    let identity = VisitorIdentity {
        name: Some("Ann Lee".into()),
        email: Some("ann.lee@example.com".into()),
        ..Default::default()
    };
    a.visitor
        .send(ClientFrame::Identify {
            identity,
            token: None,
            hash: None,
        })
        .await;
    a.agent
        .expect(|f| matches!(f, ServerFrame::Session { session } if session.visitor_name.is_some()))
        .await;
    let tracking = PageInfo {
        url: format!("{SHOP_ORIGIN}/track?order=A-77&email=ann.lee@example.com#map"),
        title: "Track A-77".into(),
    };
    a.visitor
        .send(ClientFrame::PageView { page: tracking })
        .await;
    a.visitor.send(said(&a.session, "it was due Monday")).await;
    a.agent.expect(message("it was due Monday")).await;
    a.agent
        .send(said(&a.session, "Sorry Ann, checking A-77"))
        .await;
    a.visitor.expect(message("Sorry Ann, checking A-77")).await;

    // While the conversation is open the server holds it live: refused.
    let db = ["--database-url", url.as_str()];
    let erase = |who: &'static str| {
        let mut args = vec!["visitor", "erase", who, "--yes"];
        args.extend(db);
        args
    };
    assert_eq!(
        tandem(&erase("ann.lee@example.com")).await,
        6,
        "refused while open"
    );
    assert!(
        server
            .stored_session(&a.session)
            .await
            .visitor_name
            .is_some()
    );

    a.visitor_ends().await;
    let figures = || server.get_json("/api/v1/supervisor", &a.agent_token);
    let before = figures().await["today"].clone();
    assert_eq!(before["offered"], 1);

    // Export: what they said, what they were told, where they were.
    let store = server.running.store.as_ref();
    let Lookup::Person(person) = privacy::find_person(store, "ANN.LEE@example.com", None)
        .await
        .unwrap()
    else {
        panic!("one person")
    };
    let export =
        serde_json::to_value(privacy::export::export(store, &person, 0).await.unwrap()).unwrap();
    let text = export.to_string();
    for held in [
        "my order A-77 is late",
        "it was due Monday",
        "Sorry Ann, checking A-77",
        "Ann Lee",
        "http://shop.test/track",
        "Track A-77",
    ] {
        assert!(
            text.contains(held),
            "{held} missing from the export: {text}"
        );
    }
    assert!(
        !text.contains("order=A-77"),
        "query strings are never stored: {text}"
    );
    assert_eq!(
        export["visitors"][0]["sessions"][0]["session"]["id"],
        a.session.as_str()
    );
    assert_eq!(
        tandem(&[
            "visitor",
            "export",
            "nobody@example.com",
            "--database-url",
            url.as_str()
        ])
        .await,
        4
    );

    assert_eq!(tandem(&erase("ann.lee@example.com")).await, 0);

    let transcript = server
        .get_json(
            &format!("/api/v1/sessions/{}/transcript", a.session),
            &a.agent_token,
        )
        .await;
    let events = transcript["events"].as_array().unwrap();
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "no gaps");
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"redacted") && kinds.contains(&"ended"),
        "{kinds:?}"
    );
    let stored = store.events_after(&a.session, 0, 100).await.unwrap();
    let left = format!(
        "{transcript} {stored:?} {:?}",
        server.stored_session(&a.session).await
    );
    for gone in ["A-77", "due Monday", "Ann", "ann.lee", "track"] {
        assert!(!left.contains(gone), "{gone} is still stored: {left}");
    }
    assert!(matches!(
        privacy::find_person(store, "ann.lee@example.com", None)
            .await
            .unwrap(),
        Lookup::Nobody
    ));
    assert_eq!(
        figures().await["today"],
        before,
        "the day's figures are unchanged"
    );
    // A wrap-up arriving after the erasure would bring a note back: refused.
    let rid = a
        .agent
        .send(ClientFrame::SessionWrapup {
            session: a.session.clone(),
            disposition: "resolved".into(),
            note: Some("Ann Lee, order A-77".into()),
        })
        .await;
    assert_eq!(a.agent.expect_error(Some(rid)).await, ErrorCode::Forbidden);
    assert!(server.stored_session(&a.session).await.wrapup.is_none());
    // The agents' side is still whole: the agent's words are redacted too,
    // but who answered is kept.
    assert!(
        stored
            .iter()
            .any(|e| e.author == Role::Agent && e.body == EventBody::Redacted)
    );
}

#[tokio::test]
async fn retention_purges_old_conversations_in_the_background() {
    let mut url = String::new();
    let server = TestServer::start_with(|c| {
        url = c.database_url.clone();
        c.purge_interval_ms = 50;
    })
    .await;
    let store = server.running.store.clone();
    let now = tandem_server::clock::now_ms();
    let long_ago = now - 40 * retention::DAY_MS;
    // A conversation of 40 days ago, its visitor not seen since.
    store.touch_visitor("v_then", SITE, long_ago).await.unwrap();
    let then = VisitorIdentity {
        name: Some("Old Customer".into()),
        ..Default::default()
    };
    store.set_visitor_identity("v_then", &then).await.unwrap();
    let page = PageInfo {
        url: format!("{SHOP_ORIGIN}/old"),
        title: "Old".into(),
    };
    store
        .add_page_view("v_then", &page, long_ago)
        .await
        .unwrap();
    let old = SessionRecord {
        id: "s_then".into(),
        site: SITE.into(),
        visitor_id: "v_then".into(),
        visitor_name: None,
        state: SessionState::Ended,
        topic: None,
        first_message: "an old question".into(),
        page: Some(page),
        agent: None,
        requested_at: long_ago,
        accepted_at: None,
        ended_at: Some(long_ago + 1000),
        ended_by: Some(Role::Visitor),
        last_seq: 0,
        receipts: Default::default(),
        callback: None,
        wrapup: None,
    };
    store.create_session(&old).await.unwrap();
    store.update_session(&old).await.unwrap();
    let then_said = protocol::Event {
        seq: 1,
        at: long_ago,
        author: Role::Visitor,
        author_name: Some("Old Customer".into()),
        body: EventBody::Message {
            text: "my address is 3 Elm St".into(),
            client_id: None,
        },
    };
    store
        .append_events(&[("s_then".into(), then_said)])
        .await
        .unwrap();
    // A token that expired yesterday, for an agent who still has a live one.
    let mut a = server.accepted_session("a question of today").await;
    let me = server.get_json("/api/v1/me", &a.agent_token).await;
    let agent_id = me["agent"]["id"].as_str().unwrap();
    store
        .add_agent_token("expired-hash", agent_id, long_ago, now - retention::DAY_MS)
        .await
        .unwrap();
    a.visitor.send(said(&a.session, "today's words")).await;
    a.agent.expect(message("today's words")).await;
    a.visitor_ends().await;

    // Nothing happens until the site keeps data for a limited time.
    assert_eq!(
        store
            .session("s_then")
            .await
            .unwrap()
            .unwrap()
            .first_message,
        "an old question"
    );
    assert_eq!(
        tandem(&[
            "site",
            "add",
            SITE,
            "--retain-days",
            "30",
            "--database-url",
            url.as_str()
        ])
        .await,
        0
    );
    assert_eq!(
        store.site(SITE).await.unwrap().map(|s: Site| s.retain_days),
        Some(Some(30))
    );

    let deadline = Instant::now() + Duration::from_secs(5);
    while !store
        .session("s_then")
        .await
        .unwrap()
        .unwrap()
        .first_message
        .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "the purge did not run within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let purged = store
        .session("s_then")
        .await
        .unwrap()
        .expect("the row stays, as a count");
    assert_eq!((purged.first_message.as_str(), purged.page), ("", None));
    let erased = &store.events_after("s_then", 0, 10).await.unwrap()[0];
    assert_eq!(
        (erased.seq, &erased.body, &erased.author_name),
        (1, &EventBody::Redacted, &None)
    );
    assert!(store.page_views("v_then", 10).await.unwrap().is_empty());
    let visitor = store
        .visitor("v_then")
        .await
        .unwrap()
        .expect("kept for its session");
    assert_eq!(
        visitor.identity,
        VisitorIdentity::default(),
        "its name is gone"
    );
    assert_eq!(
        store
            .agent_by_token("expired-hash", long_ago + 1)
            .await
            .unwrap(),
        None
    );
    // Today's conversation is untouched.
    let today = server.stored_session(&a.session).await;
    assert_eq!(today.first_message, "a question of today");
    let events = store.events_after(&a.session, 0, 100).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(&e.body, EventBody::Message { text, .. } if text == "today's words"))
    );
    assert_eq!(
        server.get_json("/api/v1/me", &a.agent_token).await["agent"]["id"],
        agent_id
    );
}

#[tokio::test]
async fn an_email_two_customers_gave_is_listed_not_guessed() {
    let dir = tandem_tests::scratch_dir();
    let url = format!("sqlite://{}/tandem.db", dir.0.display());
    let store = tandem_server::store::open(&url).await.unwrap();
    // Two customers of the shop typed the same email; one is also a
    // visitor of another site.
    for (visitor, site, user) in [
        ("v_one", "shop", "u_1"),
        ("v_two", "shop", "u_2"),
        ("v_mall", "mall", "u_1"),
    ] {
        store.touch_visitor(visitor, site, 1).await.unwrap();
        let identity = VisitorIdentity {
            id: Some(user.into()),
            email: Some("shared@example.com".into()),
            ..Default::default()
        };
        store
            .set_visitor_identity(visitor, &identity)
            .await
            .unwrap();
    }
    let erase = |who: &'static str, site: Option<&'static str>| {
        let mut args = vec![
            "visitor",
            "erase",
            who,
            "--yes",
            "--database-url",
            url.as_str(),
        ];
        if let Some(site) = site {
            args.extend(["--site", site]);
        }
        args
    };
    assert_eq!(
        tandem(&erase("shared@example.com", None)).await,
        5,
        "two sites"
    );
    assert_eq!(
        tandem(&erase("shared@example.com", Some("shop"))).await,
        5,
        "two users"
    );
    for v in ["v_one", "v_two", "v_mall"] {
        assert!(store.visitor(v).await.unwrap().is_some(), "nothing erased");
    }
    assert_eq!(
        tandem(&erase("u_1", Some("shop"))).await,
        0,
        "named by user id"
    );
    assert_eq!(store.visitor("v_one").await.unwrap(), None);
    assert!(store.visitor("v_two").await.unwrap().is_some());
    assert!(store.visitor("v_mall").await.unwrap().is_some());
}
