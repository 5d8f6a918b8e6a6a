//! One suite, both stores: every `Store` method against SQLite and against a
//! real Postgres (TANDEM_TEST_POSTGRES_URL, default the local `test` database;
//! each run works in a private schema it drops afterwards). There is no skip:
//! if Postgres is unreachable the Postgres test fails.

use std::str::FromStr;
use std::sync::Arc;

use protocol::{
    AgentInfo, Event, EventBody, PageInfo, Receipts, Role, SessionState, VisitorIdentity,
};
use sqlx::postgres::PgConnectOptions;
use tandem_server::store::{
    Agent, AgentStatus, LibraryItem, LibraryKind, PostgresStore, SessionRecord, Site, SqliteStore,
    Store, StoreError, TokenState, VoicePolicy, Wrapup,
};
use tandem_tests::scratch_dir;

// What the suite checks of erasure and retention (docs/privacy.md).
#[path = "store/personal.rs"]
mod personal;
// What the integration API keeps and lists (http/tokens.rs, idempotency.rs,
// conversations.rs).
#[path = "store/integration.rs"]
mod integration;
// What a restart reads back (hub/restart.rs, the agents' presence).
#[path = "store/resume.rs"]
mod resume;

fn postgres_url() -> String {
    std::env::var("TANDEM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

#[tokio::test]
async fn sqlite_store_passes_the_suite() {
    let dir = scratch_dir();
    let store = SqliteStore::connect(&format!("sqlite://{}/s.db", dir.0.display()))
        .await
        .unwrap();
    suite(Arc::new(store)).await;
}

#[tokio::test]
async fn postgres_store_passes_the_suite() {
    let url = postgres_url();
    let schema = tandem_server::ids::new_id("t_");
    let admin = sqlx::PgPool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("Postgres at {url} is required: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let store: Arc<dyn Store> = Arc::new(PostgresStore::connect_with(options).await.unwrap());
    suite(store).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .unwrap();
}

/// Revoking tokens (new password, disabling, removing) and what live sockets
/// re-check: which of their tokens are still stored, expiring when, for whom.
async fn agent_accounts(store: &dyn Store, agent: &Agent) {
    let state = |hash: &str, expires_at, status| TokenState {
        token_hash: hash.into(),
        agent_id: agent.id.clone(),
        expires_at,
        agent: status,
    };
    let hashes = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    store
        .add_agent_token("t1", &agent.id, 10, 100)
        .await
        .unwrap();
    store
        .add_agent_token("t2", &agent.id, 10, 200)
        .await
        .unwrap();
    let mut states = store
        .agent_token_states(&hashes(&["t1", "t2", "gone"]))
        .await
        .unwrap();
    states.sort_by(|a, b| a.token_hash.cmp(&b.token_hash));
    assert_eq!(
        states,
        [
            state("t1", 100, AgentStatus::Active),
            state("t2", 200, AgentStatus::Active)
        ]
    );
    // Many hashes at once: more than one statement's worth.
    let many: Vec<String> = (0..1_200)
        .map(|i| format!("h{i}"))
        .chain(hashes(&["t2"]))
        .collect();
    assert_eq!(store.agent_token_states(&many).await.unwrap().len(), 1);

    // A new password revokes every token.
    assert!(
        store
            .set_agent_password(&agent.email, "hash3")
            .await
            .unwrap()
    );
    assert_eq!(store.agent_by_token("t1", 50).await.unwrap(), None);
    assert!(
        store
            .agent_token_states(&hashes(&["t1", "t2"]))
            .await
            .unwrap()
            .is_empty()
    );

    // Disabled: no login, no token; enabled again: login works.
    store
        .add_agent_token("t3", &agent.id, 10, 100)
        .await
        .unwrap();
    let disabled = store
        .set_agent_status(&agent.email, AgentStatus::Disabled, 20)
        .await
        .unwrap();
    assert_eq!(disabled.as_deref(), Some(agent.id.as_str()));
    assert_eq!(store.agent_credentials(&agent.email).await.unwrap(), None);
    assert_eq!(store.agent_by_token("t3", 50).await.unwrap(), None);
    assert!(
        store
            .agent_token_states(&hashes(&["t3"]))
            .await
            .unwrap()
            .is_empty()
    );
    store
        .set_agent_status(&agent.email, AgentStatus::Active, 30)
        .await
        .unwrap();
    assert!(
        store
            .agent_credentials(&agent.email)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store
            .set_agent_status("nobody@example.com", AgentStatus::Disabled, 30)
            .await
            .unwrap(),
        None
    );

    // Removed: the row stays (history names them), nothing logs in as them,
    // and their tokens say so to live sockets.
    store
        .add_agent_token("t4", &agent.id, 10, 100)
        .await
        .unwrap();
    store
        .set_agent_status(&agent.email, AgentStatus::Removed, 40)
        .await
        .unwrap();
    assert_eq!(store.agent_credentials(&agent.email).await.unwrap(), None);
    assert_eq!(store.agent_by_token("t4", 50).await.unwrap(), None);
    assert_eq!(
        store.agent_token_states(&hashes(&["t4"])).await.unwrap(),
        [state("t4", 100, AgentStatus::Removed)]
    );
    assert!(
        !store
            .set_agent_password(&agent.email, "hash4")
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .set_agent_status(&agent.email, AgentStatus::Active, 50)
            .await
            .unwrap(),
        None,
        "removal is final"
    );
    assert_eq!(store.agent(&agent.id).await.unwrap(), Some(agent.clone()));
    store.delete_agent_token("t4").await.unwrap();
    let ids = hashes(&[agent.id.as_str(), "a_missing"]);
    assert_eq!(
        store.agent_statuses(&ids).await.unwrap(),
        [(agent.id.clone(), AgentStatus::Removed)]
    );
}

/// The group-commit writer: events queued together are committed together,
/// in order; one that cannot be stored fails alone, not its batch.
async fn writer_isolates_a_bad_event(store: Arc<dyn Store>, template: &SessionRecord) {
    let (a, b) = ("s_writer_a", "s_writer_b");
    for id in [a, b] {
        let s = SessionRecord {
            id: id.into(),
            wrapup: None,
            ..template.clone()
        };
        store.create_session(&s).await.unwrap();
    }
    let event = |seq: u64, text: &str| Event {
        seq,
        at: 5000 + seq as i64,
        author: Role::Visitor,
        author_name: None,
        body: EventBody::Message {
            text: text.into(),
            client_id: None,
        },
    };
    // Something else already holds a's seq 1.
    store
        .append_events(&[(a.into(), event(1, "first"))])
        .await
        .unwrap();
    let writer = tandem_server::store::batch::EventWriter::spawn(store.clone());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // Queued without yielding: the writer task cannot run in between, so
    // the three share one batch.
    for (session, e) in [
        (b, event(1, "b1")),
        (a, event(1, "taken")),
        (b, event(2, "b2")),
    ] {
        let tx = tx.clone();
        let slot = writer.slot().await.unwrap();
        slot.send(
            session.into(),
            e,
            Box::new(move |result| {
                let _ = tx.send((session, result.map(|e| e.seq)));
            }),
        );
    }
    drop(tx);
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let (session, result) = rx.recv().await.expect("every event gets an outcome");
        outcomes.push((session, result.map_err(|e| e.to_string())));
    }
    assert_eq!(
        outcomes,
        vec![
            (b, Ok(1)),
            (a, Err(StoreError::Conflict("event").to_string())),
            (b, Ok(2)),
        ]
    );
    let texts = |events: Vec<Event>| -> Vec<String> {
        events
            .into_iter()
            .map(|e| match e.body {
                EventBody::Message { text, .. } => text,
                other => panic!("a message, not {other:?}"),
            })
            .collect()
    };
    assert_eq!(
        texts(store.events_after(b, 0, 10).await.unwrap()),
        ["b1", "b2"]
    );
    assert_eq!(
        texts(store.events_after(a, 0, 10).await.unwrap()),
        ["first"]
    );
}

/// Verified identities join a customer's devices; unverified ones never do.
async fn customers_across_devices(store: &dyn Store, template: &SessionRecord) {
    let verified = |id: &str| VisitorIdentity {
        id: Some(id.into()),
        verified: true,
        ..Default::default()
    };
    let session = |id: &str, visitor: &str, site: &str, at: i64| SessionRecord {
        id: id.into(),
        visitor_id: visitor.into(),
        site: site.into(),
        requested_at: at,
        visitor_name: None,
        wrapup: None,
        ..template.clone()
    };
    // Phone and laptop verified as u7 on "shop"; a tablet claims u7 unsigned;
    // a visitor of another site is verified as u7 there.
    for (visitor, site) in [
        ("v_phone", "shop"),
        ("v_laptop", "shop"),
        ("v_tablet", "shop"),
        ("v_other", "mall"),
    ] {
        store.touch_visitor(visitor, site, 1).await.unwrap();
    }
    store
        .set_visitor_identity("v_phone", &verified("u7"))
        .await
        .unwrap();
    store
        .set_visitor_identity("v_laptop", &verified("u7"))
        .await
        .unwrap();
    let claimed = VisitorIdentity {
        verified: false,
        ..verified("u7")
    };
    store
        .set_visitor_identity("v_tablet", &claimed)
        .await
        .unwrap();
    store
        .set_visitor_identity("v_other", &verified("u7"))
        .await
        .unwrap();
    let sessions = [
        session("c_phone", "v_phone", "shop", 5000),
        session("c_laptop", "v_laptop", "shop", 6000),
        session("c_tablet", "v_tablet", "shop", 7000),
        session("c_other", "v_other", "mall", 8000),
    ];
    for s in &sessions {
        store.create_session(s).await.unwrap();
    }
    let ids = |list: Vec<SessionRecord>| list.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.customer_sessions("v_phone", 10).await.unwrap()),
        ["c_laptop", "c_phone"],
        "both verified devices, newest first, no unsigned claim, no other site"
    );
    assert_eq!(
        ids(store.customer_sessions("v_laptop", 1).await.unwrap()),
        ["c_laptop"],
        "limited"
    );
    assert_eq!(
        ids(store.customer_sessions("v_tablet", 10).await.unwrap()),
        ["c_tablet"],
        "an unverified claim sees only its own"
    );
    // Signing out (an unsigned identify) unlinks the device again.
    store
        .set_visitor_identity("v_laptop", &claimed)
        .await
        .unwrap();
    assert_eq!(
        ids(store.customer_sessions("v_phone", 10).await.unwrap()),
        ["c_phone"]
    );
    assert_eq!(
        ids(store.customer_sessions("v_404", 10).await.unwrap()),
        Vec::<String>::new()
    );
}

async fn suite(store: Arc<dyn Store>) {
    store.migrate().await.unwrap();
    store.migrate().await.expect("migrations are idempotent");

    // Settings: first writer wins, later calls read it back.
    assert_eq!(
        store.setting_or_insert("k", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.setting_or_insert("k", "second").await.unwrap(),
        "first"
    );

    // Sites.
    let site = Site {
        id: "shop".into(),
        name: "Shop".into(),
        origins: vec!["https://shop.example".into()],
        voice: VoicePolicy::Agent,
        hours: Some("mon-fri 09:00-18:00".into()),
        timezone: Some("Europe/Paris".into()),
        max_wait_secs: Some(300),
        retain_days: Some(90),
        legacy_identity_hash: false,
        screen_pop: Some("https://crm.example/c/{external_id}".into()),
    };
    store.upsert_site(&site, 1).await.unwrap();
    assert_eq!(store.site("shop").await.unwrap(), Some(site.clone()));
    let mut wider = site.clone();
    wider.origins.push("https://www.shop.example".into());
    store.upsert_site(&wider, 2).await.unwrap();
    assert_eq!(store.site("shop").await.unwrap().unwrap().origins.len(), 2);
    let quiet = Site {
        voice: VoicePolicy::Off,
        ..wider.clone()
    };
    store.upsert_site(&quiet, 3).await.unwrap();
    assert_eq!(
        store.site("shop").await.unwrap().unwrap().voice,
        VoicePolicy::Off
    );
    let legacy = Site {
        legacy_identity_hash: true,
        ..quiet.clone()
    };
    store.upsert_site(&legacy, 4).await.unwrap();
    assert!(
        store
            .site("shop")
            .await
            .unwrap()
            .unwrap()
            .legacy_identity_hash
    );
    assert_eq!(store.site("nope").await.unwrap(), None);

    // Agents and their tokens.
    let agent = Agent {
        id: "a_1".into(),
        email: "ann@example.com".into(),
        name: "Ann".into(),
        skills: vec!["billing".into()],
        capacity: 3,
        roles: vec![
            protocol::api::AgentRole::Agent,
            protocol::api::AgentRole::Admin,
        ],
    };
    store.add_agent(&agent, "hash1", 1).await.unwrap();
    let dup = Agent {
        id: "a_2".into(),
        ..agent.clone()
    };
    assert!(matches!(
        store.add_agent(&dup, "h", 1).await,
        Err(StoreError::Conflict("agent"))
    ));
    assert_eq!(
        store.agent_credentials("ann@example.com").await.unwrap(),
        Some((agent.clone(), "hash1".into()))
    );
    // Roles are replaced as a whole, and read back by every lookup.
    let supervisor = [protocol::api::AgentRole::Supervisor];
    assert!(
        store
            .set_agent_roles("ann@example.com", &supervisor)
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_agent_roles("nobody@example.com", &supervisor)
            .await
            .unwrap()
    );
    assert_eq!(store.agent("a_1").await.unwrap().unwrap().roles, supervisor);
    let roles = agent.roles.clone();
    assert!(
        store
            .set_agent_roles("ann@example.com", &roles)
            .await
            .unwrap()
    );
    assert!(
        store
            .set_agent_password("ann@example.com", "hash2")
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_agent_password("nobody@example.com", "x")
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .agent_credentials("ann@example.com")
            .await
            .unwrap()
            .unwrap()
            .1,
        "hash2"
    );
    assert_eq!(store.agent("a_1").await.unwrap(), Some(agent.clone()));
    store.add_agent_token("th", "a_1", 10, 100).await.unwrap();
    assert_eq!(
        store.agent_by_token("th", 50).await.unwrap(),
        Some(agent.clone())
    );
    assert_eq!(
        store.agent_by_token("th", 100).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(store.agent_by_token("other", 50).await.unwrap(), None);
    store.delete_agent_token("th").await.unwrap();
    assert_eq!(store.agent_by_token("th", 50).await.unwrap(), None);
    agent_accounts(store.as_ref(), &agent).await;
    resume::presence_is_kept(store.as_ref(), &agent).await;

    // Visitors, identity, pages.
    let v = store.touch_visitor("v_1", "shop", 5).await.unwrap();
    assert_eq!((v.created_at, v.last_seen_at), (5, 5));
    let v = store.touch_visitor("v_1", "shop", 9).await.unwrap();
    assert_eq!((v.created_at, v.last_seen_at), (5, 9));
    let mut identity = VisitorIdentity {
        id: Some("u42".into()),
        name: Some("Zoé".into()),
        ..Default::default()
    };
    identity.attributes.insert("plan".into(), "pro".into());
    store.set_visitor_identity("v_1", &identity).await.unwrap();
    assert_eq!(
        store
            .touch_visitor("v_1", "shop", 10)
            .await
            .unwrap()
            .identity,
        identity
    );
    for (i, title) in ["Home", "Cart", "Checkout"].iter().enumerate() {
        let page = PageInfo {
            url: format!("https://shop.example/{i}"),
            title: title.to_string(),
        };
        store
            .add_page_view("v_1", &page, 100 + i as i64)
            .await
            .unwrap();
    }
    let pages = store.page_views("v_1", 2).await.unwrap();
    assert_eq!(
        pages
            .iter()
            .map(|(p, _)| p.title.as_str())
            .collect::<Vec<_>>(),
        ["Checkout", "Cart"]
    );

    // Sessions and their log.
    let mut s = SessionRecord {
        id: "s_1".into(),
        site: "shop".into(),
        visitor_id: "v_1".into(),
        visitor_name: Some("Zoé".into()),
        state: SessionState::Queued,
        topic: Some("billing".into()),
        first_message: "help".into(),
        page: Some(PageInfo {
            url: "https://shop.example/cart".into(),
            title: "Cart".into(),
        }),
        agent: None,
        requested_at: 1000,
        accepted_at: None,
        ended_at: None,
        ended_by: None,
        last_seq: 0,
        receipts: Receipts::default(),
        callback: None,
        wrapup: None,
    };
    store.create_session(&s).await.unwrap();
    assert!(matches!(
        store.create_session(&s).await,
        Err(StoreError::Conflict("session"))
    ));
    assert_eq!(store.session("s_1").await.unwrap(), Some(s.clone()));
    assert_eq!(store.open_sessions().await.unwrap(), vec![s.clone()]);
    // A waiting request that became a call back keeps it across a restart.
    let booked = SessionRecord {
        callback: Some(protocol::Callback::Phone {
            phone: "+33 6 12 34 56 78".into(),
            at: Some(90_000),
        }),
        ..s.clone()
    };
    store.update_session(&booked).await.unwrap();
    assert_eq!(store.open_sessions().await.unwrap(), vec![booked]);
    store.update_session(&s).await.unwrap();
    assert_eq!(store.session("s_1").await.unwrap().unwrap().callback, None);

    let events: Vec<Event> = (1..=3)
        .map(|seq| Event {
            seq,
            at: 1000 + seq as i64,
            author: if seq == 2 { Role::Agent } else { Role::Visitor },
            author_name: Some("Zoé ✓".into()),
            body: EventBody::Message {
                text: format!("m{seq} — é"),
                client_id: Some(format!("c{seq}")),
            },
        })
        .collect();
    // One event alone, then a batch.
    store
        .append_events(&[("s_1".into(), events[0].clone())])
        .await
        .unwrap();
    let rest: Vec<_> = events[1..]
        .iter()
        .map(|e| ("s_1".to_string(), e.clone()))
        .collect();
    store.append_events(&rest).await.unwrap();
    // A batch with a taken seq writes nothing at all.
    let extra = Event {
        seq: 4,
        ..events[0].clone()
    };
    let clash = [
        ("s_1".to_string(), extra),
        ("s_1".to_string(), events[0].clone()),
    ];
    assert!(matches!(
        store.append_events(&clash).await,
        Err(StoreError::Conflict("event"))
    ));
    assert_eq!(store.events_after("s_1", 0, 10).await.unwrap(), events);
    assert_eq!(
        store.events_after("s_1", 1, 1).await.unwrap(),
        vec![events[1].clone()]
    );
    assert_eq!(store.events_after("s_1", 3, 10).await.unwrap(), vec![]);
    assert_eq!(store.session("s_1").await.unwrap().unwrap().last_seq, 3);

    s.state = SessionState::Active;
    s.agent = Some(AgentInfo {
        id: "a_1".into(),
        name: "Ann".into(),
    });
    s.accepted_at = Some(2000);
    s.receipts = Receipts {
        visitor_delivered: 3,
        visitor_read: 2,
        agent_delivered: 3,
        agent_read: 3,
    };
    s.last_seq = 3;
    store.update_session(&s).await.unwrap();
    assert_eq!(store.session("s_1").await.unwrap(), Some(s.clone()));

    s.state = SessionState::Ended;
    s.ended_at = Some(3000);
    s.ended_by = Some(Role::Agent);
    store.update_session(&s).await.unwrap();
    assert_eq!(store.open_sessions().await.unwrap(), vec![]);
    assert_eq!(
        store.visitor_sessions("v_1", 10).await.unwrap(),
        vec![s.clone()]
    );
    assert_eq!(store.session("s_404").await.unwrap(), None);
    assert_eq!(store.sessions_since(1000).await.unwrap(), vec![s.clone()]);
    assert_eq!(store.sessions_since(1001).await.unwrap(), vec![]);

    // Visitors read back.
    let v = store.visitor("v_1").await.unwrap().expect("visitor v_1");
    assert_eq!(v.site, "shop");
    assert_eq!(store.visitor("v_404").await.unwrap(), None);

    // Wrap-ups: stored on the row, a later one replaces it, and the mutable
    // parts written by update_session leave it alone.
    let first = Wrapup {
        disposition: "follow_up".into(),
        note: Some("call back Monday — é".into()),
        at: 3100,
    };
    assert!(store.set_wrapup("s_1", &first).await.unwrap());
    assert!(!store.set_wrapup("s_404", &first).await.unwrap());
    s.wrapup = Some(first);
    assert_eq!(store.session("s_1").await.unwrap(), Some(s.clone()));
    let second = Wrapup {
        disposition: "resolved".into(),
        note: None,
        at: 3200,
    };
    store.set_wrapup("s_1", &second).await.unwrap();
    s.wrapup = Some(second);
    store.update_session(&s).await.unwrap();
    assert_eq!(store.sessions_since(0).await.unwrap(), vec![s.clone()]);

    customers_across_devices(store.as_ref(), &s).await;
    writer_isolates_a_bad_event(store.clone(), &s).await;
    personal::erasure_keeps_counts_and_removes_text(store.as_ref(), &s).await;
    personal::retention_purges_only_what_is_older(store.as_ref(), &s).await;
    personal::expired_tokens_are_purged(store.as_ref()).await;
    personal::callback_contacts_find_their_visitor(store.as_ref(), &s).await;
    resume::open_sessions_give_back_their_share_and_call_entries(store.as_ref(), &s).await;
    integration::api_tokens_are_kept_by_hash(store.as_ref()).await;
    integration::idempotency_keys_are_claimed_answered_and_purged(store.as_ref()).await;
    integration::conversations_are_filtered_and_continued(store.as_ref(), &s, &agent.info()).await;
    integration::webhook_events_go_through_the_outbox_to_deliveries(store.as_ref(), &s).await;

    // The library: upsert by id, sorted by title, shortcuts unique.
    let thanks = LibraryItem {
        id: "k_1".into(),
        kind: LibraryKind::Canned,
        shortcut: Some("thx".into()),
        title: "Thanks".into(),
        body: "Thanks for waiting!".into(),
        url: String::new(),
        keywords: vec![],
    };
    let returns = LibraryItem {
        id: "k_2".into(),
        kind: LibraryKind::Article,
        shortcut: None,
        title: "Returns policy".into(),
        body: "60 days, free.".into(),
        url: "https://shop.example/returns".into(),
        keywords: vec!["return".into(), "refund".into()],
    };
    store.put_library_item(&thanks, 1).await.unwrap();
    store.put_library_item(&returns, 1).await.unwrap();
    let clash = LibraryItem {
        id: "k_3".into(),
        title: "Thank you".into(),
        ..thanks.clone()
    };
    assert!(matches!(
        store.put_library_item(&clash, 2).await,
        Err(StoreError::Conflict("shortcut"))
    ));
    let renamed = LibraryItem {
        title: "Zzz thanks".into(),
        ..thanks.clone()
    };
    store.put_library_item(&renamed, 3).await.unwrap();
    assert_eq!(
        store.library().await.unwrap(),
        vec![returns.clone(), renamed]
    );
    assert!(store.delete_library_item("k_1").await.unwrap());
    assert!(!store.delete_library_item("k_1").await.unwrap());
    assert_eq!(store.library().await.unwrap(), vec![returns]);

    // Last: it disables and removes an account.
    integration::accounts_are_listed_with_their_status(store.as_ref()).await;
}
