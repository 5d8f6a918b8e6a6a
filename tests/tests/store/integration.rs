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
