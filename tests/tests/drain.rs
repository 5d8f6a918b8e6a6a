//! Draining: a server that is stopping stops being ready for the load
//! balancer, refuses new sockets, and tells every open socket, signed in or
//! not yet, to reconnect (1012), with every acknowledged message stored.

use protocol::{ClientFrame, CloseCode, EventBody, ServerFrame};
use tandem_tests::{Accepted, Client, SHOP_ORIGIN, SITE, TestServer};

async fn status_of(server: &TestServer, path: &str) -> (u16, String) {
    let res = reqwest::get(format!("{}{path}", server.running.public_url))
        .await
        .expect("the server answers");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_draining_server_is_not_ready_and_tells_every_socket_to_reconnect() {
    let server = TestServer::start().await;
    assert_eq!(status_of(&server, "/readyz").await, (200, "ready".into()));
    let Accepted {
        mut agent,
        mut visitor,
        session,
        ..
    } = server.accepted_session("hello").await;
    visitor
        .send(ClientFrame::ChatSend {
            session: session.clone(),
            client_id: Some("before-drain".into()),
            text: "sent before the restart".into(),
        })
        .await;
    // The echo with its seq is the acknowledgement: the message is stored.
    visitor
        .expect(|f| matches!(f, ServerFrame::Event { event, .. } if matches!(&event.body, EventBody::Message { text, .. } if text == "sent before the restart")))
        .await;
    let url = format!("{}/ws/visitor?site={SITE}", server.running.ws_url());
    let mut unauthenticated = Client::connect(&url, Some(SHOP_ORIGIN)).await.unwrap();

    server.running.drain();

    assert_eq!(
        status_of(&server, "/readyz").await,
        (503, "draining".into())
    );
    assert_eq!(
        status_of(&server, "/healthz").await.0,
        200,
        "alive all the same"
    );
    for client in [&mut agent, &mut visitor, &mut unauthenticated] {
        assert_eq!(client.expect_close().await, Some(CloseCode::Restart.code()));
    }
    let refused = Client::connect(&url, Some(SHOP_ORIGIN)).await;
    let error = refused
        .err()
        .expect("no new socket while draining")
        .to_string();
    assert!(error.contains("503"), "{error}");

    let stored = server
        .running
        .store
        .events_after(&session, 0, 100)
        .await
        .unwrap();
    assert!(
        stored.iter().any(|e| matches!(&e.body, EventBody::Message { text, .. } if text == "sent before the restart")),
        "{stored:?}"
    );
}
