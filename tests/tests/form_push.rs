//! Form push and page push through a real server: who may send what, the
//! need for screen sharing, the relay to the other side, pushes answered
//! once each, cross-origin page pushes refused, limits, and the audit trail
//! (names only, never values) in the live events and the stored transcript.

use protocol::cobrowse::ShareState;
use protocol::limits::{MAX_FIELD_VALUE_CHARS, MAX_PUSH_FIELDS};
use protocol::{
    ClientFrame, ErrorCode, EventBody, FieldError, FieldKind, FieldProblem, FieldPush, FieldValue,
    FormAnswer, FormField, FormOutcome, ServerFrame,
};
use tandem_tests::{Accepted, Client, SHOP_ORIGIN, TestServer};

const SECRET: &str = "ann@private.example";

fn share_is(state: ShareState) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Cobrowse { state: s, .. } if *s == state)
}

/// The visitor allows screen sharing in an accepted session.
async fn share(a: &mut Accepted) {
    a.agent
        .send(ClientFrame::CobrowseRequest {
            session: a.session.clone(),
        })
        .await;
    a.visitor.expect(share_is(ShareState::Requested)).await;
    a.visitor
        .send(ClientFrame::CobrowseStart {
            session: a.session.clone(),
        })
        .await;
    for side in [&mut a.agent, &mut a.visitor] {
        side.expect(share_is(ShareState::Active)).await;
    }
}

fn email_push(session: &str) -> ClientFrame {
    ClientFrame::FormPush {
        session: session.into(),
        url: format!("{SHOP_ORIGIN}/cart"),
        fields: vec![FieldPush {
            node: 12,
            name: "email".into(),
            value: FieldValue::Text(SECRET.into()),
        }],
    }
}

fn listing(session: &str) -> ClientFrame {
    ClientFrame::FormFields {
        session: session.into(),
        url: format!("{SHOP_ORIGIN}/cart"),
        fields: vec![
            FormField {
                node: 12,
                name: "email".into(),
                label: "Email".into(),
                kind: FieldKind::Email,
                value: Some(FieldValue::Text(String::new())),
                options: vec![],
                refused: None,
            },
            FormField {
                node: 13,
                name: "password".into(),
                label: "Password".into(),
                kind: FieldKind::Text,
                value: None,
                options: vec![],
                refused: Some(FieldProblem::Password),
            },
        ],
    }
}

/// The pushed frame the visitor receives, with its number.
async fn pushed(visitor: &mut Client) -> u32 {
    match visitor
        .expect(|f| matches!(f, ServerFrame::FormPush { .. }))
        .await
    {
        ServerFrame::FormPush { push, by, .. } => {
            assert_eq!(
                by.as_deref(),
                Some("Alex"),
                "the visitor learns who proposes"
            );
            push
        }
        _ => unreachable!(),
    }
}

fn event_is(kind: &'static str) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Event { event, .. } if event.body.kind() == kind)
}

fn body(frame: ServerFrame) -> EventBody {
    match frame {
        ServerFrame::Event { event, .. } => event.body,
        other => panic!("not an event: {other:?}"),
    }
}

#[tokio::test]
async fn listing_fields_needs_sharing_and_goes_to_the_other_side() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("which fields?").await;
    let s = a.session.clone();

    // Not shared yet: a listing would expose the page.
    let rid = a
        .agent
        .send(ClientFrame::FormFieldsRequest { session: s.clone() })
        .await;
    assert_eq!(a.agent.expect_error(Some(rid)).await, ErrorCode::NotSharing);
    let rid = a.visitor.send(listing(&s)).await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::NotSharing
    );

    share(&mut a).await;
    a.agent
        .send(ClientFrame::FormFieldsRequest { session: s.clone() })
        .await;
    a.visitor
        .expect(|f| matches!(f, ServerFrame::FormFieldsRequest { session } if *session == s))
        .await;
    a.visitor.send(listing(&s)).await;
    match a
        .agent
        .expect(|f| matches!(f, ServerFrame::FormFields { .. }))
        .await
    {
        ServerFrame::FormFields { fields, .. } => {
            assert_eq!(fields.len(), 2);
            assert_eq!(fields[1].refused, Some(FieldProblem::Password));
            assert_eq!(fields[1].value, None);
        }
        _ => unreachable!(),
    }

    // Each side sends only its own half.
    let rid = a
        .visitor
        .send(ClientFrame::FormFieldsRequest { session: s.clone() })
        .await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::Forbidden
    );
    let rid = a.agent.send(listing(&s)).await;
    assert_eq!(a.agent.expect_error(Some(rid)).await, ErrorCode::Forbidden);
}

#[tokio::test]
async fn a_form_push_is_relayed_answered_once_and_audited_by_name_only() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("fill it for me").await;
    let s = a.session.clone();

    // Without sharing there are no node ids to push to.
    let rid = a.agent.send(email_push(&s)).await;
    assert_eq!(a.agent.expect_error(Some(rid)).await, ErrorCode::NotSharing);

    share(&mut a).await;
    a.agent.send(email_push(&s)).await;
    for side in [&mut a.agent, &mut a.visitor] {
        let ev = body(side.expect(event_is("form_push")).await);
        assert!(
            matches!(&ev, EventBody::FormPush { fields, .. } if fields == &["email"]),
            "{ev:?}"
        );
    }
    let push = pushed(&mut a.visitor).await;

    // The visitor's answer names only fields the push named.
    a.visitor
        .send(ClientFrame::FormAnswer(FormAnswer {
            session: s.clone(),
            push,
            outcome: FormOutcome::Accepted,
            applied: vec!["email".into(), "not-proposed".into()],
            rejected: vec![],
            errors: vec![],
        }))
        .await;
    let ev = body(a.agent.expect(event_is("form_answer")).await);
    assert_eq!(
        ev,
        EventBody::FormAnswer {
            push,
            outcome: FormOutcome::Accepted,
            applied: vec!["email".into()],
            rejected: vec![],
            errors: vec![],
        }
    );
    a.visitor.expect(event_is("form_answer")).await;

    // Once only.
    let again = ClientFrame::FormAnswer(FormAnswer {
        session: s.clone(),
        push,
        outcome: FormOutcome::Rejected,
        applied: vec![],
        rejected: vec!["email".into()],
        errors: vec![],
    });
    let rid = a.visitor.send(again).await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::UnknownPush
    );

    // A failed push carries the widget's reasons.
    a.agent.send(email_push(&s)).await;
    let push = pushed(&mut a.visitor).await;
    a.visitor
        .send(ClientFrame::FormAnswer(FormAnswer {
            session: s.clone(),
            push,
            outcome: FormOutcome::Failed,
            applied: vec![],
            rejected: vec![],
            errors: vec![FieldError {
                node: 12,
                name: "email".into(),
                reason: FieldProblem::Gone,
            }],
        }))
        .await;
    let ev = body(a.agent.expect(event_is("form_answer")).await);
    assert!(
        matches!(&ev, EventBody::FormAnswer { outcome: FormOutcome::Failed, errors, .. } if errors[0].reason == FieldProblem::Gone),
        "{ev:?}"
    );

    // The stored transcript has the trail, and never the value.
    let transcript = reqwest::Client::new()
        .get(server.http(&format!("/api/v1/sessions/{s}/transcript")))
        .bearer_auth(&a.agent_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&transcript).unwrap();
    let kinds: Vec<&str> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .filter(|k| k.starts_with("form_"))
        .collect();
    assert_eq!(
        kinds,
        ["form_push", "form_answer", "form_push", "form_answer"]
    );
    assert!(
        !transcript.contains(SECRET),
        "a pushed value reached the log"
    );
}

#[tokio::test]
async fn only_the_sessions_agent_pushes_and_only_its_visitor_answers() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("roles").await;
    let s = a.session.clone();
    share(&mut a).await;

    let rid = a.visitor.send(email_push(&s)).await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::Forbidden
    );
    let page = ClientFrame::PagePush {
        session: s.clone(),
        url: format!("{SHOP_ORIGIN}/checkout"),
        label: None,
    };
    let rid = a.visitor.send(page.clone()).await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::Forbidden
    );

    let (mut other, _) = server.agent("blake@example.com", "Blake").await;
    let rid = other.send(email_push(&s)).await;
    assert_eq!(other.expect_error(Some(rid)).await, ErrorCode::Forbidden);
    let rid = other.send(page).await;
    assert_eq!(other.expect_error(Some(rid)).await, ErrorCode::Forbidden);

    a.agent.send(email_push(&s)).await;
    let push = pushed(&mut a.visitor).await;
    let answer = ClientFrame::FormAnswer(FormAnswer {
        session: s.clone(),
        push,
        outcome: FormOutcome::Accepted,
        applied: vec!["email".into()],
        rejected: vec![],
        errors: vec![],
    });
    let rid = a.agent.send(answer.clone()).await;
    assert_eq!(a.agent.expect_error(Some(rid)).await, ErrorCode::Forbidden);
    // A page answer is no answer to a form push.
    let rid = a
        .visitor
        .send(ClientFrame::PageAnswer {
            session: s.clone(),
            push,
            accepted: true,
        })
        .await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::UnknownPush
    );
    // The push still stands for its real answer.
    a.visitor.send(answer).await;
    a.agent.expect(event_is("form_answer")).await;
}

#[tokio::test]
async fn oversized_and_empty_pushes_are_refused_and_change_nothing() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("limits").await;
    let s = a.session.clone();
    share(&mut a).await;

    let field = |i: usize, value: FieldValue| FieldPush {
        node: i as u32,
        name: format!("f{i}"),
        value,
    };
    let url = format!("{SHOP_ORIGIN}/cart");
    let too_many = ClientFrame::FormPush {
        session: s.clone(),
        url: url.clone(),
        fields: (0..=MAX_PUSH_FIELDS)
            .map(|i| field(i, FieldValue::Flag(true)))
            .collect(),
    };
    let too_long = ClientFrame::FormPush {
        session: s.clone(),
        url: url.clone(),
        fields: vec![field(
            1,
            FieldValue::Text("x".repeat(MAX_FIELD_VALUE_CHARS + 1)),
        )],
    };
    let empty = ClientFrame::FormPush {
        session: s.clone(),
        url: url.clone(),
        fields: vec![],
    };
    for frame in [too_many, too_long, empty] {
        let rid = a.agent.send(frame).await;
        assert_eq!(
            a.agent.expect_error(Some(rid)).await,
            ErrorCode::InvalidFrame
        );
    }
    // A page push must name an http(s) page.
    let rid = a
        .agent
        .send(ClientFrame::PagePush {
            session: s.clone(),
            url: "javascript:alert(1)".into(),
            label: None,
        })
        .await;
    assert_eq!(
        a.agent.expect_error(Some(rid)).await,
        ErrorCode::InvalidFrame
    );
    // Nothing reached the visitor, nothing was logged.
    a.visitor
        .expect_none(300, |i| {
            matches!(i, tandem_tests::Incoming::Frame(f) if matches!(f.frame, ServerFrame::FormPush { .. } | ServerFrame::PagePush { .. } | ServerFrame::Event { .. }))
        })
        .await;
}

#[tokio::test]
async fn a_page_push_stays_on_the_visitors_site_and_is_answered() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("where is checkout?").await;
    let s = a.session.clone();

    // Another origin than the visitor's page (http://shop.test/cart): refused.
    for url in [
        "http://evil.test/checkout",
        "https://shop.test/checkout",
        "http://shop.test:8080/checkout",
    ] {
        let rid = a
            .agent
            .send(ClientFrame::PagePush {
                session: s.clone(),
                url: url.into(),
                label: None,
            })
            .await;
        assert_eq!(
            a.agent.expect_error(Some(rid)).await,
            ErrorCode::CrossOrigin,
            "{url}"
        );
    }

    // Same site: no screen sharing needed for a page push.
    let url = format!("{SHOP_ORIGIN}/checkout?step=2");
    a.agent
        .send(ClientFrame::PagePush {
            session: s.clone(),
            url: url.clone(),
            label: Some("Checkout".into()),
        })
        .await;
    let push = match a
        .visitor
        .expect(|f| matches!(f, ServerFrame::PagePush { .. }))
        .await
    {
        ServerFrame::PagePush {
            push,
            url: u,
            label,
            ..
        } => {
            assert_eq!(
                (u.as_str(), label.as_deref()),
                (url.as_str(), Some("Checkout"))
            );
            push
        }
        _ => unreachable!(),
    };
    a.visitor
        .send(ClientFrame::PageAnswer {
            session: s.clone(),
            push,
            accepted: true,
        })
        .await;
    let ev = body(a.agent.expect(event_is("page_answer")).await);
    assert_eq!(
        ev,
        EventBody::PageAnswer {
            push,
            accepted: true
        }
    );
    let rid = a
        .visitor
        .send(ClientFrame::PageAnswer {
            session: s.clone(),
            push,
            accepted: false,
        })
        .await;
    assert_eq!(
        a.visitor.expect_error(Some(rid)).await,
        ErrorCode::UnknownPush
    );
}
