//! Conversations that start and end leave nothing behind in the server's live
//! state (issue 13: memory must stay flat under churn). A regression guard:
//! the soak (`cargo xtask bench --soak`) found no such leak; this keeps it so.

use protocol::cobrowse::{FrameKind, ShareState, encode_frame};
use protocol::{AgentPresence, ClientFrame, ServerFrame, SessionState};
use tandem_tests::TestServer;

const CONVERSATIONS: usize = 6;

#[tokio::test]
async fn ended_conversations_leave_nothing_live() {
    let server = TestServer::start().await;
    let (mut agent, token) = server.agent("ann@example.com", "Ann Agent").await;
    agent
        .send(ClientFrame::PresenceSet {
            presence: AgentPresence::Online,
        })
        .await;
    for i in 0..CONVERSATIONS {
        let (mut visitor, _, _) = server.visitor(None).await;
        let session = visitor.ask_for_help(&format!("question {i}")).await;
        // Queued once its first events are stored; only then can it be taken.
        visitor
            .expect(|f| matches!(f, ServerFrame::QueuePosition { .. }))
            .await;
        agent
            .send(ClientFrame::QueueAccept {
                session: session.clone(),
            })
            .await;
        let active = |f: &ServerFrame| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Active);
        visitor.expect(active).await;
        // Every other visitor shares a page, and the conversation ends while sharing.
        if i % 2 == 0 {
            agent
                .send(ClientFrame::CobrowseRequest {
                    session: session.clone(),
                })
                .await;
            visitor
                .expect(|f| {
                    matches!(
                        f,
                        ServerFrame::Cobrowse {
                            state: ShareState::Requested,
                            ..
                        }
                    )
                })
                .await;
            visitor
                .send(ClientFrame::CobrowseStart {
                    session: session.clone(),
                })
                .await;
            agent
                .expect(|f| {
                    matches!(
                        f,
                        ServerFrame::Cobrowse {
                            state: ShareState::Active,
                            ..
                        }
                    )
                })
                .await;
            let page = encode_frame(
                FrameKind::Keyframe,
                &session,
                1,
                0,
                br#"{"url":"http://shop.test/"}"#,
            );
            visitor.send_binary(page.clone()).await;
            assert_eq!(agent.recv_binary().await, page);
        }
        let ender = if i % 3 == 0 { &mut agent } else { &mut visitor };
        ender
            .send(ClientFrame::SessionEnd {
                session: session.clone(),
            })
            .await;
        visitor
            .expect(|f| matches!(f, ServerFrame::Session { session } if session.state == SessionState::Ended))
            .await;
        visitor.close().await;
    }

    // The server forgets a closed connection once it reads the close: wait for it, bounded.
    let http = reqwest::Client::new();
    let mut live = serde_json::Value::Null;
    for _ in 0..50 {
        let body: serde_json::Value = http
            .get(server.http("/api/v1/supervisor"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        live = body["live"].clone();
        if live["visitors_connected"] == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(live["visitors_connected"], 0, "{live}");
    assert_eq!(live["active_sessions"], 0, "{live}");
    assert_eq!(live["queues"], serde_json::json!({}), "{live}");
    assert_eq!(live["agents"][0]["open"], 0, "{live}");
}
