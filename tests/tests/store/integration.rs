//! What the integration API keeps and lists: API tokens by hash, the
//! answers of Idempotency-Keys, sessions listed with filters and continued
//! past a cursor, and the accounts list.

use protocol::integration::{ApiToken, TokenScope};
use protocol::{AgentInfo, SessionState};
use tandem_server::store::{
    AgentStatus, ConversationFilter, IdempotencyClaim, SessionRecord, Store, StoreError, Wrapup,
};

pub async fn api_tokens_are_kept_by_hash(store: &dyn Store) {
    let token = ApiToken {
        id: "tok_1".into(),
        name: "CRM".into(),
        scope: TokenScope::Write,
        created_at: 1_000,
        created_by: Some("a_1".into()),
        last_used_at: None,
        revoked_at: None,
    };
    store.add_api_token(&token, "hash-1").await.unwrap();
    let twin = ApiToken {
        id: "tok_2".into(),
        ..token.clone()
    };
    assert!(matches!(
        store.add_api_token(&twin, "hash-1").await,
        Err(StoreError::Conflict("token"))
    ));
    assert_eq!(store.api_tokens().await.unwrap(), vec![token.clone()]);
    // A use is recorded, to the minute.
    let used = store
        .api_token_by_hash("hash-1", 100_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.last_used_at, Some(100_000));
    store
        .api_token_by_hash("hash-1", 130_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.api_tokens().await.unwrap()[0].last_used_at,
        Some(100_000)
    );
    store
        .api_token_by_hash("hash-1", 170_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.api_tokens().await.unwrap()[0].last_used_at,
        Some(170_000)
    );
    assert_eq!(store.api_token_by_hash("hash-2", 1).await.unwrap(), None);
    // Revoked: listed as such, never found again, revoked once.
    assert!(store.revoke_api_token("tok_1", 200_000).await.unwrap());
    assert!(!store.revoke_api_token("tok_1", 300_000).await.unwrap());
    assert!(!store.revoke_api_token("tok_404", 300_000).await.unwrap());
    assert_eq!(store.api_token_by_hash("hash-1", 1).await.unwrap(), None);
    assert_eq!(
        store.api_tokens().await.unwrap()[0].revoked_at,
        Some(200_000)
    );
}

pub async fn idempotency_keys_are_claimed_answered_and_purged(store: &dyn Store) {
    use IdempotencyClaim::*;
    let claim = |owner: &'static str, key: &'static str, hash: &'static str, now: i64| async move {
        store
            .claim_idempotency_key(owner, key, hash, now)
            .await
            .unwrap()
    };
    assert_eq!(claim("tok_1", "k", "h1", 1_000).await, New);
    assert_eq!(
        claim("tok_1", "k", "h1", 1_001).await,
        InFlight {
            request_hash: "h1".into()
        }
    );
    assert_eq!(
        claim("tok_2", "k", "h1", 1_001).await,
        New,
        "keys are per owner"
    );
    store
        .finish_idempotency_key("tok_1", "k", Some((201, "{\"a\":1}")))
        .await
        .unwrap();
    assert_eq!(
        claim("tok_1", "k", "h2", 2_000).await,
        Done {
            request_hash: "h1".into(),
            status: 201,
            body: "{\"a\":1}".into()
        }
    );
    // A failed request frees its key; an abandoned claim is taken over.
    store
        .finish_idempotency_key("tok_2", "k", None)
        .await
        .unwrap();
    assert_eq!(claim("tok_2", "k", "h3", 3_000).await, New);
    assert_eq!(
        claim("tok_2", "k", "h4", 3_000 + 59_000).await,
        InFlight {
            request_hash: "h3".into()
        }
    );
    assert_eq!(claim("tok_2", "k", "h4", 3_000 + 60_000).await, New);
    // Answered keys are never taken over, however old; they are purged.
    assert!(matches!(
        claim("tok_1", "k", "h1", 10_000_000).await,
        Done { .. }
    ));
    assert_eq!(store.purge_idempotency_keys(1_500, 10).await.unwrap(), 1);
    assert_eq!(claim("tok_1", "k", "h9", 10_000_000).await, New);
    assert_eq!(store.purge_idempotency_keys(i64::MAX, 10).await.unwrap(), 2);
}

pub async fn conversations_are_filtered_and_continued(
    store: &dyn Store,
    template: &SessionRecord,
    ana: &AgentInfo,
) {
    let base = 9_000_000;
    for (i, at) in [0, 10, 10, 20].into_iter().enumerate() {
        let mut s = SessionRecord {
            id: format!("s_list{i}"),
            site: "listing".into(),
            requested_at: base + at,
            state: if i < 2 {
                SessionState::Ended
            } else {
                SessionState::Queued
            },
            ended_at: None,
            agent: None,
            callback: None,
            wrapup: None,
            ..template.clone()
        };
        if i == 1 {
            s.agent = Some(ana.clone());
        }
        if i == 3 {
            s.callback = Some(protocol::Callback::Browser);
        }
        store.create_session(&s).await.unwrap();
        store.update_session(&s).await.unwrap();
    }
    let w = Wrapup {
        disposition: "sale".into(),
        note: None,
        at: base,
    };
    assert!(store.set_wrapup("s_list0", &w).await.unwrap());
    let listed = |f: ConversationFilter| async move {
        let found = store.conversations(&f).await.unwrap();
        found.into_iter().map(|s| s.id).collect::<Vec<_>>()
    };
    let all = ConversationFilter {
        site: Some("listing".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        listed(all.clone()).await,
        ["s_list3", "s_list2", "s_list1", "s_list0"]
    );
    let first_two = ConversationFilter {
        limit: 2,
        ..all.clone()
    };
    assert_eq!(listed(first_two).await, ["s_list3", "s_list2"]);
    // Continued past s_list2, which shares its time with s_list1.
    let rest = ConversationFilter {
        after: Some((base + 10, "s_list2".into())),
        ..all.clone()
    };
    assert_eq!(listed(rest).await, ["s_list1", "s_list0"]);
    let cases = [
        (
            ConversationFilter {
                agent: Some(ana.id.clone()),
                ..all.clone()
            },
            vec!["s_list1"],
        ),
        (
            ConversationFilter {
                state: Some(SessionState::Queued),
                ..all.clone()
            },
            vec!["s_list3", "s_list2"],
        ),
        (
            ConversationFilter {
                disposition: Some("sale".into()),
                ..all.clone()
            },
            vec!["s_list0"],
        ),
        (
            ConversationFilter {
                callbacks_only: true,
                ..all.clone()
            },
            vec!["s_list3"],
        ),
        (
            ConversationFilter {
                from: Some(base + 10),
                to: Some(base + 20),
                ..all.clone()
            },
            vec!["s_list2", "s_list1"],
        ),
        (
            ConversationFilter {
                site: Some("elsewhere".into()),
                ..all.clone()
            },
            vec![],
        ),
    ];
    for (filter, want) in cases {
        assert_eq!(listed(filter.clone()).await, want, "{filter:?}");
    }
}

pub async fn accounts_are_listed_with_their_status(store: &dyn Store) {
    let before = store.agents().await.unwrap();
    assert!(!before.is_empty());
    let names: Vec<&str> = before.iter().map(|(a, _)| a.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "by name");
    let (first, _) = &before[0];
    store
        .set_agent_status(&first.email, AgentStatus::Disabled, 1)
        .await
        .unwrap();
    let after = store.agents().await.unwrap();
    assert_eq!(
        after.iter().find(|(a, _)| a.id == first.id).unwrap().1,
        AgentStatus::Disabled
    );
    store
        .set_agent_status(&first.email, AgentStatus::Removed, 2)
        .await
        .unwrap();
    assert!(
        store
            .agents()
            .await
            .unwrap()
            .iter()
            .all(|(a, _)| a.id != first.id)
    );
}

pub async fn webhook_events_go_through_the_outbox_to_deliveries(
    store: &dyn Store,
    template: &SessionRecord,
) {
    use protocol::webhook::{DeliveryState, WebhookEventType as T};
    use protocol::{Event, EventBody, Role};
    use tandem_server::store::{Attempt, AttemptNext, NewDelivery, Webhook};

    let hook = Webhook {
        id: "wh_1".into(),
        url: "https://crm.example/h".into(),
        events: vec![T::Message, T::CustomerIdentified],
        created_at: 1,
        created_by: None,
    };
    store.add_webhook(&hook, "whsec_1").await.unwrap();
    assert_eq!(
        store.webhooks().await.unwrap(),
        vec![(hook.clone(), "whsec_1".to_string())]
    );
    let session = SessionRecord {
        id: "s_wh".into(),
        callback: None,
        ..template.clone()
    };
    store.create_session(&session).await.unwrap();
    let entry = |seq, body| Event {
        seq,
        at: 50 + seq as i64,
        author: Role::Visitor,
        author_name: None,
        body,
    };
    // Nothing is kept while nothing is wanted.
    store
        .append_events(&[(
            "s_wh".into(),
            entry(
                1,
                EventBody::Message {
                    text: "a".into(),
                    client_id: None,
                },
            ),
        )])
        .await
        .unwrap();
    assert!(store.webhook_outbox(10).await.unwrap().is_empty());
    store.set_webhook_interest(&hook.events);
    store
        .append_events(&[
            (
                "s_wh".into(),
                entry(
                    2,
                    EventBody::Message {
                        text: "b".into(),
                        client_id: None,
                    },
                ),
            ),
            (
                "s_wh".into(),
                entry(3, EventBody::Note { text: "n".into() }),
            ),
        ])
        .await
        .unwrap();
    let identity = protocol::VisitorIdentity {
        name: Some("Kim".into()),
        ..Default::default()
    };
    store
        .set_visitor_identity(&session.visitor_id, &identity)
        .await
        .unwrap();
    let outbox = store.webhook_outbox(10).await.unwrap();
    assert_eq!(
        outbox.len(),
        2,
        "the message and the identity, not the note"
    );
    assert_eq!(
        (outbox[0].event_id.as_str(), outbox[0].kind.as_str()),
        ("evt_s_wh_2", "message")
    );
    assert_eq!(outbox[0].entry.as_ref().unwrap().seq, 2);
    assert_eq!(
        outbox[1].visitor_id.as_deref(),
        Some(session.visitor_id.as_str())
    );
    assert!(outbox[0].id < outbox[1].id, "oldest first");

    let delivery = NewDelivery {
        id: "dlv_1".into(),
        webhook_id: "wh_1".into(),
        event_id: "evt_s_wh_2".into(),
        event_type: T::Message,
        body: "{\"id\":\"evt_s_wh_2\"}".into(),
        created_at: 52,
        give_up_at: 10_000,
    };
    store
        .fan_out(outbox[0].id, std::slice::from_ref(&delivery))
        .await
        .unwrap();
    // Fanned out twice (a crash between): still one delivery.
    store
        .fan_out(
            outbox[0].id,
            &[NewDelivery {
                id: "dlv_2".into(),
                ..delivery.clone()
            }],
        )
        .await
        .unwrap();
    assert_eq!(store.webhook_outbox(10).await.unwrap().len(), 1);
    let due = store.due_deliveries(100, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].url.as_str(), due[0].secret.as_str(), due[0].attempts),
        ("https://crm.example/h", "whsec_1", 0)
    );
    assert!(
        store.due_deliveries(51, 10).await.unwrap().is_empty(),
        "not due before its time"
    );

    let failed = Attempt {
        status: Some(500),
        error: Some("the endpoint answered 500".into()),
        next: AttemptNext::RetryAt(300),
    };
    store.record_attempt("dlv_1", &failed).await.unwrap();
    assert!(store.due_deliveries(299, 10).await.unwrap().is_empty());
    assert_eq!(store.due_deliveries(300, 10).await.unwrap()[0].attempts, 1);
    let ok = Attempt {
        status: Some(204),
        error: None,
        next: AttemptNext::Delivered(310),
    };
    store.record_attempt("dlv_1", &ok).await.unwrap();
    let listed = store.deliveries("wh_1", 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].state, listed[0].attempts, listed[0].last_status),
        (DeliveryState::Delivered, 2, Some(204))
    );
    assert_eq!(
        (listed[0].delivered_at, listed[0].next_attempt_at),
        (Some(310), None)
    );

    assert!(store.redeliver("wh_1", "dlv_1", 400, 900).await.unwrap());
    assert!(!store.redeliver("wh_2", "dlv_1", 400, 900).await.unwrap());
    assert_eq!(store.due_deliveries(400, 10).await.unwrap().len(), 1);
    store
        .record_attempt(
            "dlv_1",
            &Attempt {
                status: None,
                error: Some("gone".into()),
                next: AttemptNext::GiveUp,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.deliveries("wh_1", 10).await.unwrap()[0].state,
        DeliveryState::Failed
    );
    assert_eq!(store.purge_deliveries(53, 10).await.unwrap(), 1);
    assert!(store.deliveries("wh_1", 10).await.unwrap().is_empty());

    assert!(store.remove_webhook("wh_1").await.unwrap());
    assert!(!store.remove_webhook("wh_1").await.unwrap());
    store.set_webhook_interest(&[]);
    let rest = store.webhook_outbox(10).await.unwrap();
    store.fan_out(rest[0].id, &[]).await.unwrap();
    assert!(store.webhook_outbox(10).await.unwrap().is_empty());
}
