//! The supervisor's figures: a scripted day checked against figures worked
//! out by hand, then the same figures through the REST API, and the
//! counters /metrics keeps moving as the day happens.

use protocol::{AgentInfo, AgentPresence, ClientFrame, Receipts, ServerFrame, SessionState};
use tandem_server::metrics::day_figures;
use tandem_server::store::{SessionRecord, Wrapup};
use tandem_tests::{TestServer, session_id};

fn session(id: &str, requested: i64, accepted: Option<i64>, ended: Option<i64>) -> SessionRecord {
    let state = match (accepted, ended) {
        (_, Some(_)) => SessionState::Ended,
        (Some(_), None) => SessionState::Active,
        (None, None) => SessionState::Queued,
    };
    SessionRecord {
        id: id.into(),
        site: "demo".into(),
        visitor_id: format!("v_{id}"),
        visitor_name: None,
        state,
        topic: None,
        first_message: "hi".into(),
        page: None,
        agent: accepted.map(|_| AgentInfo {
            id: "a_1".into(),
            name: "Ann".into(),
        }),
        requested_at: requested * 1000,
        accepted_at: accepted.map(|s| s * 1000),
        ended_at: ended.map(|s| s * 1000),
        ended_by: None,
        last_seq: 0,
        receipts: Receipts::default(),
        callback: None,
        wrapup: None,
    }
}

/// The same session, wrapped up with `disposition`.
fn tagged(mut s: SessionRecord, disposition: &str) -> SessionRecord {
    s.wrapup = Some(Wrapup {
        disposition: disposition.into(),
        note: None,
        at: s.ended_at.unwrap_or_default(),
    });
    s
}

#[test]
fn a_scripted_day_matches_hand_computed_figures() {
    let day = [
        tagged(session("s1", 0, Some(30), Some(330)), "resolved"), // waited 30 s, handled 300 s
        tagged(session("s2", 10, Some(100), Some(250)), "sale"), // waited 90 s (over 60), handled 150 s
        session("s3", 20, None, Some(80)),                       // gave up after 60 s
        session("s4", 40, Some(60), None),                       // waited 20 s, still being served
        session("s5", 50, None, None),                           // still waiting
        tagged(session("s6", 60, Some(70), Some(100)), "resolved"), // waited 10 s, handled 30 s
        session("s7", 70, Some(75), Some(95)), // waited 5 s, handled 20 s, not wrapped up
    ];
    let f = day_figures(&day, 60);
    assert_eq!(
        (f.offered, f.answered, f.abandoned, f.waiting),
        (7, 5, 1, 1)
    );
    // Answered within 60 s: s1, s4, s6 and s7, out of 5 answered + 1 abandoned.
    assert_eq!(f.service_level, Some(4.0 / 6.0));
    assert_eq!(f.abandonment_rate, Some(1.0 / 6.0));
    // (30 + 90 + 20 + 10 + 5) / 5 and (300 + 150 + 30 + 20) / 4.
    assert_eq!(f.average_speed_of_answer_secs, Some(31.0));
    assert_eq!(f.average_handle_time_secs, Some(125.0));
    // Wrap-ups: s1 and s6 resolved, s2 a sale; s7 was never wrapped up.
    let tags: Vec<(&str, u32)> = f
        .dispositions
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(t, n)| (t.as_str(), *n))
        .collect();
    assert_eq!(tags, [("resolved", 2), ("sale", 1)]);
    assert_eq!(f.dispositions["spam"], 0, "every allowed tag is listed");
    let empty = day_figures(&[], 60);
    assert_eq!(
        (empty.service_level, empty.average_handle_time_secs),
        (None, None)
    );
}

#[tokio::test]
async fn figures_reach_the_supervisor_api_and_metrics() {
    let server = TestServer::start_with(|c| {
        c.metrics.listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let addr = server.running.metrics_addr.expect("a metrics listener");
    let scrape = move || async move {
        reqwest::get(format!("http://{addr}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let before = scrape().await;
    assert!(
        before.lines().any(|l| l == "tandem_requests_total 0"),
        "{before}"
    );
    let (mut agent, token) = server.agent("ann@example.com", "Ann Agent").await;
    agent
        .send(ClientFrame::PresenceSet {
            presence: AgentPresence::Online,
        })
        .await;
    // One answered and ended, one abandoned, one still waiting.
    let mut still_waiting = Vec::new();
    for outcome in ["answered", "abandoned", "waiting"] {
        let (mut visitor, _, _) = server.visitor(None).await;
        let help = ClientFrame::HelpRequest {
            client_id: None,
            topic: Some("billing".into()),
            message: outcome.into(),
            page: None,
        };
        visitor.send(help).await;
        let session = session_id(
            &visitor
                .expect(|f| matches!(f, ServerFrame::Session { .. }))
                .await,
        );
        // In line (the request is queued once its first events are stored).
        visitor
            .expect(|f| matches!(f, ServerFrame::QueuePosition { .. }))
            .await;
        match outcome {
            "answered" => {
                agent
                    .send(ClientFrame::QueueAccept {
                        session: session.clone(),
                    })
                    .await;
                agent.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active)).await;
                agent.end_session(&session).await;
                agent
                    .send(ClientFrame::SessionWrapup {
                        session,
                        disposition: "resolved".into(),
                        note: None,
                    })
                    .await;
                agent
                    .expect(|f| matches!(f, ServerFrame::Event { event, .. } if event.body.kind() == "wrapup"))
                    .await;
            }
            "abandoned" => {
                visitor.send(ClientFrame::HelpCancel { session }).await;
                visitor.expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Ended)).await;
            }
            _ => still_waiting.push(visitor),
        }
    }
    let http = reqwest::Client::new();
    let res = http
        .get(server.http("/api/v1/supervisor"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "agents only");
    let body = server.get_json("/api/v1/supervisor", &token).await;
    assert_eq!(body["today"]["offered"], 3);
    assert_eq!(body["today"]["answered"], 1);
    assert_eq!(body["today"]["abandoned"], 1);
    assert_eq!(body["today"]["waiting"], 1);
    assert_eq!(body["today"]["abandonment_rate"], 0.5);
    assert_eq!(body["today"]["dispositions"]["resolved"], 1, "{body}");
    assert_eq!(body["today"]["dispositions"]["sale"], 0);
    assert_eq!(body["live"]["queues"]["billing"]["waiting"], 1);
    assert_eq!(body["live"]["agents"][0]["name"], "Ann Agent");
    assert_eq!(body["live"]["agents"][0]["presence"], "online");

    let metrics = scrape().await;
    for line in [
        "tandem_requests_total 3",
        r#"tandem_queue_wait_seconds_count{outcome="answered"} 1"#,
        r#"tandem_queue_wait_seconds_bucket{outcome="answered",le="20"} 1"#,
        r#"tandem_queue_wait_seconds_count{outcome="abandoned"} 1"#,
        "tandem_handle_seconds_count 1",
        r#"tandem_sessions_ended_total{by="agent"} 1"#,
        r#"tandem_sessions_ended_total{by="visitor"} 1"#,
        r#"tandem_messages_total{author="visitor"} 3"#,
        r#"tandem_wrapups_total{disposition="resolved"} 1"#,
        r#"tandem_wrapups_total{disposition="spam"} 0"#,
        r#"tandem_queue_waiting{skill="billing"} 1"#,
        r#"tandem_agents{presence="online"} 1"#,
        "# TYPE tandem_queue_wait_seconds histogram",
        "# TYPE tandem_requests_total counter",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "missing {line:?} in:\n{metrics}"
        );
    }
}
