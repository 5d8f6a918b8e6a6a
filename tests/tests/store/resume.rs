//! What a restarted server reads back from the store beyond the open
//! sessions: each agent's last chosen presence, and the consent and call
//! entries of the sessions still open (hub/restart.rs folds them).

use protocol::{AgentPresence, CallAction, Event, EventBody, Role, SessionState, ShareAction};
use tandem_server::store::{Agent, SessionRecord, Store};

pub async fn presence_is_kept(store: &dyn Store, agent: &Agent) {
    assert_eq!(
        store.agent_presence(&agent.id).await.unwrap(),
        None,
        "never set"
    );
    for presence in [
        AgentPresence::Online,
        AgentPresence::Away,
        AgentPresence::Offline,
    ] {
        store.set_agent_presence(&agent.id, presence).await.unwrap();
        assert_eq!(
            store.agent_presence(&agent.id).await.unwrap(),
            Some(presence)
        );
    }
    assert_eq!(store.agent_presence("a_404").await.unwrap(), None);
}

pub async fn open_sessions_give_back_their_share_and_call_entries(
    store: &dyn Store,
    template: &SessionRecord,
) {
    let open = SessionRecord {
        id: "s_resume_open".into(),
        state: SessionState::Active,
        ended_at: None,
        ended_by: None,
        wrapup: None,
        last_seq: 0,
        ..template.clone()
    };
    let ended = SessionRecord {
        id: "s_resume_ended".into(),
        state: SessionState::Ended,
        ended_at: Some(9_000),
        ..open.clone()
    };
    store.create_session(&open).await.unwrap();
    store.create_session(&ended).await.unwrap();
    let entry = |seq: u64, body: EventBody| Event {
        seq,
        at: 5_000 + seq as i64,
        author: Role::Visitor,
        author_name: None,
        body,
    };
    let share = |action| EventBody::Share {
        action,
        by: Role::Visitor,
    };
    let kept = vec![
        entry(2, share(ShareAction::Requested)),
        entry(4, share(ShareAction::Started)),
        entry(
            5,
            EventBody::Call {
                call: "c_1".into(),
                action: CallAction::Started,
                by: Role::Agent,
                duration_ms: None,
                reason: None,
            },
        ),
    ];
    let mut batch = vec![(
        open.id.clone(),
        entry(
            1,
            EventBody::Message {
                text: "a \"kind\":\"share\" lookalike".into(),
                client_id: None,
            },
        ),
    )];
    batch.push((open.id.clone(), entry(3, EventBody::Redacted)));
    batch.extend(kept.iter().map(|e| (open.id.clone(), e.clone())));
    batch.push((ended.id.clone(), entry(1, share(ShareAction::Started))));
    store.append_events(&batch).await.unwrap();

    let read: Vec<(String, Event)> = store
        .open_share_and_call_events()
        .await
        .unwrap()
        .into_iter()
        .filter(|(s, _)| s.starts_with("s_resume"))
        .collect();
    let expected: Vec<(String, Event)> = kept.into_iter().map(|e| (open.id.clone(), e)).collect();
    assert_eq!(
        read, expected,
        "only consent and call entries of open sessions, in order"
    );
}
