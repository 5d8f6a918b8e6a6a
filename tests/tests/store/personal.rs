//! The store suite's part on personal data (run by tests/tests/store.rs
//! against SQLite and Postgres): look-ups for export, erasure, retention
//! rounds and expired tokens.

use protocol::{Event, EventBody, PageInfo, Role, SessionState, VisitorIdentity};
use tandem_server::metrics::{SERVICE_LEVEL_SECS, day_figures};
use tandem_server::privacy::retention;
use tandem_server::store::{SessionRecord, Site, Store, StoreError, Wrapup};

/// Erasing a person: their devices are found by email or user id, nothing
/// is erased while one of their conversations is open, and once erased the
/// session rows still count (same figures) but hold no text about them.
pub async fn erasure_keeps_counts_and_removes_text(store: &dyn Store, template: &SessionRecord) {
    let ann = VisitorIdentity {
        id: Some("u_ann".into()),
        name: Some("Ann Lee".into()),
        email: Some("Ann.Lee@Example.com".into()),
        verified: true,
        ..Default::default()
    };
    for v in ["v_ann_phone", "v_ann_laptop", "v_bob"] {
        store.touch_visitor(v, "shop", 20_000).await.unwrap();
    }
    store
        .set_visitor_identity("v_ann_phone", &ann)
        .await
        .unwrap();
    let laptop = VisitorIdentity {
        email: None,
        ..ann.clone()
    };
    store
        .set_visitor_identity("v_ann_laptop", &laptop)
        .await
        .unwrap();
    let bob = VisitorIdentity {
        name: Some("Bob".into()),
        email: Some("bob@example.com".into()),
        ..Default::default()
    };
    store.set_visitor_identity("v_bob", &bob).await.unwrap();
    let ids = |list: Vec<tandem_server::store::Visitor>| {
        let mut ids: Vec<String> = list.into_iter().map(|v| v.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(
        ids(store
            .find_visitors("ann.lee@example.COM", None)
            .await
            .unwrap()),
        ["v_ann_phone"],
        "email in any case"
    );
    assert_eq!(
        ids(store.find_visitors("u_ann", Some("shop")).await.unwrap()),
        ["v_ann_laptop", "v_ann_phone"],
        "the site's user id"
    );
    assert_eq!(
        ids(store.find_visitors("v_bob", None).await.unwrap()),
        ["v_bob"]
    );
    assert!(
        store
            .find_visitors("u_ann", Some("mall"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ids(store.linked_visitors("v_ann_phone").await.unwrap()),
        ["v_ann_laptop", "v_ann_phone"]
    );
    // Page addresses are stored without query string or fragment.
    let page = PageInfo {
        url: "https://shop.example/reset?token=s3cret#form".into(),
        title: "Reset".into(),
    };
    store
        .add_page_view("v_ann_phone", &page, 20_001)
        .await
        .unwrap();
    store.add_page_view("v_bob", &page, 20_001).await.unwrap();
    assert_eq!(
        store.page_views("v_ann_phone", 5).await.unwrap()[0].0.url,
        "https://shop.example/reset"
    );

    let chat = SessionRecord {
        id: "e_chat".into(),
        visitor_id: "v_ann_phone".into(),
        visitor_name: Some("Ann Lee".into()),
        topic: Some("billing".into()),
        first_message: "my order A-77 for Ann Lee".into(),
        page: Some(page.clone()),
        requested_at: 20_000,
        accepted_at: Some(20_010),
        ended_at: Some(20_500),
        callback: Some(protocol::Callback::Phone {
            phone: "+33 6 12 34 56 78".into(),
            at: None,
        }),
        wrapup: None,
        ..template.clone()
    };
    store.create_session(&chat).await.unwrap();
    store.update_session(&chat).await.unwrap();
    let wrapup = Wrapup {
        disposition: "resolved".into(),
        note: Some("lives at 3 Elm St".into()),
        at: 20_600,
    };
    store.set_wrapup("e_chat", &wrapup).await.unwrap();
    let said = |seq: u64, author: Role, body: EventBody| Event {
        seq,
        at: 20_000 + seq as i64,
        author,
        author_name: Some(
            if author == Role::Visitor {
                "Ann Lee"
            } else {
                "Ann"
            }
            .into(),
        ),
        body,
    };
    let log = vec![
        said(
            1,
            Role::Visitor,
            EventBody::Requested {
                topic: Some("billing".into()),
            },
        ),
        said(
            2,
            Role::Visitor,
            EventBody::Message {
                text: "my card ends 4242 (Visa)".into(),
                client_id: None,
            },
        ),
        said(
            3,
            Role::Agent,
            EventBody::Note {
                text: "VIP customer".into(),
            },
        ),
        said(4, Role::Agent, EventBody::Ended { by: Role::Agent }),
    ];
    let batch: Vec<_> = log
        .iter()
        .map(|e| ("e_chat".to_string(), e.clone()))
        .collect();
    store.append_events(&batch).await.unwrap();
    // The laptop still waits: a running server holds it live.
    let waiting = SessionRecord {
        id: "e_waiting".into(),
        visitor_id: "v_ann_laptop".into(),
        state: SessionState::Queued,
        requested_at: 20_700,
        accepted_at: None,
        ended_at: None,
        ended_by: None,
        agent: None,
        callback: None,
        wrapup: None,
        ..chat.clone()
    };
    store.create_session(&waiting).await.unwrap();
    let person = ["v_ann_phone".to_string(), "v_ann_laptop".to_string()];
    assert!(matches!(
        store.erase_visitors(&person, 30_000).await,
        Err(StoreError::SessionOpen(s)) if s == "e_waiting"
    ));
    assert_eq!(
        store.events_after("e_chat", 0, 10).await.unwrap(),
        log,
        "nothing erased"
    );
    assert!(store.visitor("v_ann_phone").await.unwrap().is_some());

    let ended = SessionRecord {
        state: SessionState::Ended,
        ended_at: Some(20_800),
        ended_by: Some(Role::Visitor),
        ..waiting.clone()
    };
    store.update_session(&ended).await.unwrap();
    let figures = |list: &[SessionRecord]| day_figures(list, SERVICE_LEVEL_SECS);
    let before = store.sessions_since(20_000).await.unwrap();
    let done = store.erase_visitors(&person, 30_000).await.unwrap();
    assert_eq!(
        (
            done.sessions,
            done.events,
            done.page_views,
            done.visitors_deleted
        ),
        (2, 3, 1, 2),
        "{done:?}"
    );
    let after = store.sessions_since(20_000).await.unwrap();
    assert_eq!(after.len(), before.len(), "the sessions still count");
    assert_eq!(
        figures(&after),
        figures(&before),
        "the day's figures are unchanged"
    );

    let erased = store.session("e_chat").await.unwrap().unwrap();
    assert_ne!(
        erased.visitor_id, "v_ann_phone",
        "moved to an anonymous visitor"
    );
    assert_eq!(erased.visitor_name, None);
    assert_eq!(erased.topic, None);
    assert_eq!(erased.first_message, "");
    assert_eq!(erased.page, None);
    assert_eq!(
        erased.callback,
        Some(protocol::Callback::Phone {
            phone: String::new(),
            at: None
        })
    );
    let tag = erased.wrapup.clone().unwrap();
    assert_eq!((tag.disposition.as_str(), tag.note), ("resolved", None));
    assert_eq!(
        (
            erased.state,
            erased.agent.clone(),
            erased.accepted_at,
            erased.ended_at,
            erased.last_seq
        ),
        (
            chat.state,
            chat.agent.clone(),
            chat.accepted_at,
            chat.ended_at,
            4
        )
    );
    let events = store.events_after("e_chat", 0, 10).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4],
        "no gaps"
    );
    assert_eq!(events[0].body, EventBody::Requested { topic: None });
    assert_eq!(events[1].body, EventBody::Redacted);
    assert_eq!(events[1].author_name, None, "the visitor's name goes");
    assert_eq!(events[2].body, EventBody::Redacted);
    assert_eq!(events[3], log[3], "lifecycle entries stay");
    let text = format!("{erased:?} {events:?}");
    // "4242" alone could appear inside the random hex of the anonymous
    // visitor id that replaces the erased one.
    for secret in [
        "Ann Lee",
        "4242 (Visa)",
        "VIP",
        "Elm",
        "A-77",
        "+33",
        "token",
    ] {
        assert!(!text.contains(secret), "{secret} left in {text}");
    }
    assert!(
        !store.set_wrapup("e_chat", &wrapup).await.unwrap(),
        "no new note on an erased session"
    );
    assert_eq!(store.visitor("v_ann_phone").await.unwrap(), None);
    assert!(store.page_views("v_ann_phone", 5).await.unwrap().is_empty());
    assert!(store.find_visitors("u_ann", None).await.unwrap().is_empty());
    assert!(
        store
            .customer_sessions("v_ann_phone", 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Someone else is untouched.
    assert_eq!(store.visitor("v_bob").await.unwrap().unwrap().identity, bob);
    assert_eq!(store.page_views("v_bob", 5).await.unwrap().len(), 1);
}

/// Retention: only what is older than the cutoff goes, in bounded rounds,
/// only on the site being purged; a second pass finds nothing left.
pub async fn retention_purges_only_what_is_older(store: &dyn Store, template: &SessionRecord) {
    let day = retention::DAY_MS;
    let kept_days = Site {
        retain_days: Some(30),
        ..Site::new("old")
    };
    store.upsert_site(&kept_days, 1).await.unwrap();
    assert!(
        store
            .sites()
            .await
            .unwrap()
            .iter()
            .any(|s| s.id == "old" && s.retain_days == Some(30))
    );
    let named = |name: &str| VisitorIdentity {
        name: Some(name.into()),
        ..Default::default()
    };
    // Last seen long ago, no session: deleted once its page views are.
    // Long ago, with an old session: kept for it, identity cleared.
    // Long ago, but a conversation is still open: kept as is.
    // Recently: kept as is.
    for (v, site, seen) in [
        ("r_gone", "old", 10 * day),
        ("r_old", "old", 10 * day),
        ("r_open", "old", 10 * day),
        ("r_recent", "old", 65 * day),
        ("r_elsewhere", "shop", 10 * day),
    ] {
        store.touch_visitor(v, site, seen).await.unwrap();
        store.set_visitor_identity(v, &named(v)).await.unwrap();
        let page = PageInfo {
            url: format!("https://old.example/{v}"),
            title: v.into(),
        };
        store.add_page_view(v, &page, seen).await.unwrap();
    }
    let session = |id: &str, visitor: &str, site: &str, ended: Option<i64>| SessionRecord {
        id: id.into(),
        site: site.into(),
        visitor_id: visitor.into(),
        first_message: format!("text of {id}"),
        requested_at: ended.unwrap_or(10 * day) - 1000,
        accepted_at: None,
        state: if ended.is_some() {
            SessionState::Ended
        } else {
            SessionState::Queued
        },
        ended_at: ended,
        agent: None,
        wrapup: None,
        callback: None,
        ..template.clone()
    };
    let sessions = [
        session("p_old_1", "r_old", "old", Some(10 * day)),
        session("p_old_2", "r_old", "old", Some(11 * day)),
        session("p_recent", "r_recent", "old", Some(65 * day)),
        session("p_open", "r_open", "old", None),
        session("p_elsewhere", "r_elsewhere", "shop", Some(10 * day)),
    ];
    for s in &sessions {
        store.create_session(s).await.unwrap();
        store.update_session(s).await.unwrap();
        let said = Event {
            seq: 1,
            at: s.requested_at,
            author: Role::Visitor,
            author_name: None,
            body: EventBody::Message {
                text: format!("said in {}", s.id),
                client_id: None,
            },
        };
        store.append_events(&[(s.id.clone(), said)]).await.unwrap();
    }

    let now = 90 * day;
    let cutoff = retention::purge_cutoff(now, 30);
    assert_eq!(cutoff, 60 * day);
    // Rounds of one row per kind: the first is full, so there is more.
    let first = store.purge_site("old", cutoff, now, 1).await.unwrap();
    assert_eq!((first.sessions, first.events), (1, 1), "{first:?}");
    assert!(first.filled(1));
    let mut total = first;
    loop {
        let round = store.purge_site("old", cutoff, now, 1).await.unwrap();
        total.add(round);
        if !round.filled(1) {
            break;
        }
    }
    assert_eq!(total.sessions, 2, "{total:?}");
    assert_eq!(total.page_views, 3, "r_gone's, r_old's and r_open's");
    assert_eq!(total.visitors_deleted, 1, "{total:?}");
    assert_eq!(total.visitors_anonymised, 1, "{total:?}");

    for old in ["p_old_1", "p_old_2"] {
        let s = store.session(old).await.unwrap().unwrap();
        assert_eq!((s.first_message.as_str(), s.visitor_name), ("", None));
        assert_eq!(
            s.ended_at,
            sessions.iter().find(|x| x.id == old).unwrap().ended_at
        );
        assert_eq!(first_event(store, old).await, EventBody::Redacted);
    }
    for kept in ["p_recent", "p_open", "p_elsewhere"] {
        let s = store.session(kept).await.unwrap().unwrap();
        assert_eq!(s.first_message, format!("text of {kept}"));
        assert!(
            matches!(first_event(store, kept).await, EventBody::Message { .. }),
            "{kept}"
        );
    }
    assert_eq!(store.visitor("r_gone").await.unwrap(), None);
    let old = store
        .visitor("r_old")
        .await
        .unwrap()
        .expect("kept for its sessions");
    assert_eq!(old.identity, VisitorIdentity::default());
    for kept in ["r_open", "r_recent", "r_elsewhere"] {
        let v = store.visitor(kept).await.unwrap().unwrap();
        assert_eq!(v.identity.name.as_deref(), Some(kept));
    }
    assert!(store.page_views("r_old", 5).await.unwrap().is_empty());
    assert_eq!(store.page_views("r_recent", 5).await.unwrap().len(), 1);
    assert_eq!(store.page_views("r_elsewhere", 5).await.unwrap().len(), 1);
    assert!(
        store
            .purge_site("old", cutoff, now, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing is left to purge"
    );
}

async fn first_event(store: &dyn Store, session: &str) -> EventBody {
    store.events_after(session, 0, 1).await.unwrap()[0]
        .body
        .clone()
}

/// Expired agent tokens are deleted in bounded rounds; live ones stay.
pub async fn expired_tokens_are_purged(store: &dyn Store) {
    // An agent of its own: the suite's others may be disabled or removed by now.
    let agent = tandem_server::store::Agent {
        id: "a_tokens".into(),
        email: "tokens@example.com".into(),
        name: "Tokens".into(),
        skills: vec![],
        capacity: 1,
        roles: vec![protocol::api::AgentRole::Agent],
    };
    store.add_agent(&agent, "hash", 1).await.unwrap();
    for (token, expires) in [("x_1", 100), ("x_2", 200), ("x_3", 300)] {
        store
            .add_agent_token(token, &agent.id, 1, expires)
            .await
            .unwrap();
    }
    assert_eq!(store.purge_expired_tokens(200, 1).await.unwrap(), 1);
    assert_eq!(store.purge_expired_tokens(200, 1).await.unwrap(), 1);
    assert_eq!(store.purge_expired_tokens(200, 1).await.unwrap(), 0);
    assert!(store.agent_by_token("x_3", 250).await.unwrap().is_some());
    assert_eq!(
        store.agent_by_token("x_2", 150).await.unwrap(),
        None,
        "deleted"
    );
}

/// Someone who never identified but left an email or a phone number for a
/// call-back is found by it, in any spelling, until erased.
pub async fn callback_contacts_find_their_visitor(store: &dyn Store, template: &SessionRecord) {
    let left = [
        (
            "v_cee",
            protocol::Callback::Message {
                email: "Cee@Example.com".into(),
            },
        ),
        (
            "v_dee",
            protocol::Callback::Phone {
                phone: "+33 6 12 34 56 78".into(),
                at: None,
            },
        ),
    ];
    for (visitor, callback) in left {
        store.touch_visitor(visitor, "shop", 30_000).await.unwrap();
        let s = SessionRecord {
            id: format!("cb_{visitor}"),
            visitor_id: visitor.into(),
            callback: Some(callback),
            wrapup: None,
            ..template.clone()
        };
        store.create_session(&s).await.unwrap();
        store.update_session(&s).await.unwrap();
    }
    let found = |key: &'static str| async move {
        let list = store.find_visitors(key, Some("shop")).await.unwrap();
        list.into_iter().map(|v| v.id).collect::<Vec<_>>()
    };
    assert_eq!(found("cee@EXAMPLE.com").await, ["v_cee"]);
    assert_eq!(found("+33612345678").await, ["v_dee"]);
    assert_eq!(found("+33 (6) 12-34-56-78").await, ["v_dee"]);
    store
        .erase_visitors(&["v_cee".to_string()], 31_000)
        .await
        .unwrap();
    assert!(
        found("cee@example.com").await.is_empty(),
        "erased with the rest"
    );
}
