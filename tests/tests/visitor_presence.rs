//! The agent sees where the visitor is: on the page (connected, in front),
//! in a background tab (`page.visibility`), or gone (no page connected,
//! with when), live in the session's summary.

use protocol::{ClientFrame, ErrorCode, ServerFrame, VisitorPresence};
use tandem_server::clock::now_ms;
use tandem_tests::{Accepted, TestServer};

/// The agent's next `session` frame for `session` saying `presence`.
fn says(session: &str, presence: VisitorPresence) -> impl Fn(&ServerFrame) -> bool + '_ {
    move |f| {
        matches!(f, ServerFrame::Session { session: s }
            if s.id == session && s.visitor_presence.is_some_and(|v| v.presence == presence))
    }
}

#[tokio::test]
async fn the_agent_sees_the_visitor_here_in_the_background_and_gone() {
    let server = TestServer::start().await;
    let mut a = server.accepted_session("Is the blue one in stock?").await;
    let s = a.session.clone();

    // The tab goes to the background, then comes back.
    a.visitor
        .send(ClientFrame::PageVisibility { visible: false })
        .await;
    a.agent.expect(says(&s, VisitorPresence::Background)).await;
    a.visitor
        .send(ClientFrame::PageVisibility { visible: true })
        .await;
    a.agent.expect(says(&s, VisitorPresence::Here)).await;

    // The visitor's only page closes: gone, since when.
    let before = now_ms();
    let Accepted {
        mut agent,
        visitor,
        visitor_token,
        ..
    } = a;
    visitor.close().await;
    let gone = agent.expect(says(&s, VisitorPresence::Gone)).await;
    let ServerFrame::Session { session } = gone else {
        unreachable!()
    };
    let since = session.visitor_presence.unwrap().since;
    assert!(
        since >= before && since <= now_ms(),
        "since the close: {since}"
    );

    // Back on a page: here again.
    let (_visitor, _, _) = server.visitor(Some(visitor_token)).await;
    agent.expect(says(&s, VisitorPresence::Here)).await;

    // Only visitors say where they are.
    let rid = agent
        .send(ClientFrame::PageVisibility { visible: false })
        .await;
    assert_eq!(agent.expect_error(Some(rid)).await, ErrorCode::Forbidden);
}
