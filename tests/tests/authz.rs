//! The authorisation matrix: each role alone (agent, supervisor, admin) and
//! no token at all, against every REST route and the frames that take chats.
//! A cell that says "forbidden" must get 403 `forbidden` (REST) or the
//! `forbidden` error (frames) and change nothing; the others must work.

use clap::Parser;
use protocol::api::AgentRole;
use protocol::{AgentPresence, ClientFrame, ErrorCode, ServerFrame};
use serde_json::{Value, json};
use tandem_tests::TestServer;

/// One REST call: its status and body.
async fn call(
    server: &TestServer,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = reqwest::Client::new().request(method, server.http(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// An account holding exactly `role`, signed in; returns its token.
async fn account(server: &TestServer, role: AgentRole) -> String {
    let email = format!("{}@example.com", role.as_str());
    let password = server
        .add_agent_with_roles(&email, role.as_str(), &[], 2, &[role])
        .await;
    server.login(&email, &password).await.unwrap()
}

fn canned(shortcut: &str) -> Value {
    json!({"kind": "canned", "shortcut": shortcut, "title": "Thanks", "body": "Thanks for waiting!"})
}

#[tokio::test]
async fn each_role_reaches_exactly_its_routes() {
    let server = TestServer::start().await;
    let agent = account(&server, AgentRole::Agent).await;
    let supervisor = account(&server, AgentRole::Supervisor).await;
    let admin = account(&server, AgentRole::Admin).await;
    // An item for the DELETE rows, made by the admin.
    let (status, made) = call(
        &server,
        Some(&admin),
        "POST",
        "/api/v1/library",
        Some(canned("seed")),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let seeded = made["item"]["id"].as_str().unwrap().to_string();
    // A conversation served by someone else (Alex, of the test helpers).
    let served = server.accepted_session("Where is my parcel?").await;
    let theirs = served.session.clone();

    // (method, path, body, status for: no token, agent, supervisor, admin)
    let rows: Vec<(&str, String, Option<Value>, [u16; 4])> = vec![
        ("GET", "/api/v1/me".into(), None, [401, 200, 200, 200]),
        ("GET", "/api/v1/roster".into(), None, [401, 200, 200, 200]),
        (
            "GET",
            "/api/v1/supervisor".into(),
            None,
            [401, 403, 200, 200],
        ),
        ("GET", "/api/v1/library".into(), None, [401, 200, 200, 200]),
        (
            "POST",
            "/api/v1/library".into(),
            Some(canned("thx")),
            [401, 403, 403, 201],
        ),
        (
            "DELETE",
            format!("/api/v1/library/{seeded}"),
            None,
            [401, 403, 403, 204],
        ),
        // A colleague's conversation: its serving agent and supervisors only.
        (
            "GET",
            format!("/api/v1/sessions/{theirs}/transcript"),
            None,
            [401, 403, 200, 403],
        ),
        (
            "GET",
            format!("/api/v1/sessions/{theirs}/customer"),
            None,
            [401, 403, 200, 403],
        ),
        // The integration API: supervisors read (scope read), admins do
        // everything (scope admin), agents alone nothing.
        (
            "GET",
            "/api/v1/conversations".into(),
            None,
            [401, 403, 200, 200],
        ),
        (
            "GET",
            format!("/api/v1/conversations/{theirs}"),
            None,
            [401, 403, 200, 200],
        ),
        (
            "GET",
            "/api/v1/callbacks".into(),
            None,
            [401, 403, 200, 200],
        ),
        ("GET", "/api/v1/agents".into(), None, [401, 403, 200, 200]),
        ("GET", "/api/v1/sites".into(), None, [401, 403, 200, 200]),
        (
            "GET",
            "/api/v1/figures/today".into(),
            None,
            [401, 403, 200, 200],
        ),
        (
            "GET",
            "/api/v1/customers?by=email&key=a@example.com".into(),
            None,
            [401, 403, 200, 200],
        ),
        ("GET", "/api/v1/tokens".into(), None, [401, 403, 403, 200]),
        (
            "POST",
            "/api/v1/tokens".into(),
            Some(json!({"name": "crm", "scope": "read"})),
            [401, 403, 403, 201],
        ),
        // No such conversation.
        (
            "GET",
            "/api/v1/sessions/s_nope/transcript".into(),
            None,
            [401, 404, 404, 404],
        ),
        (
            "GET",
            "/api/v1/sessions/s_nope/customer".into(),
            None,
            [401, 404, 404, 404],
        ),
    ];
    for (method, path, body, expected) in rows {
        let callers = [
            ("nobody", None),
            ("agent", Some(&agent)),
            ("supervisor", Some(&supervisor)),
            ("admin", Some(&admin)),
        ];
        for ((who, token), want) in callers.into_iter().zip(expected) {
            let (status, reply) = call(
                &server,
                token.map(String::as_str),
                method,
                &path,
                body.clone(),
            )
            .await;
            assert_eq!(status, want, "{who} {method} {path}: {reply}");
            if status == 403 {
                assert_eq!(reply["code"], "forbidden", "{who} {method} {path}: {reply}");
            }
        }
    }

    // Refusals changed nothing: only the admin's item is there (the seed was
    // deleted by the admin's DELETE, the agent's and supervisor's POSTs refused).
    let (_, library) = call(&server, Some(&agent), "GET", "/api/v1/library", None).await;
    let shortcuts: Vec<&str> = library["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["shortcut"].as_str())
        .collect();
    assert_eq!(shortcuts, ["thx"], "{library}");

    // /me says what the account may do, for the console to show.
    let (_, me) = call(&server, Some(&supervisor), "GET", "/api/v1/me", None).await;
    assert_eq!(me["agent"]["roles"], json!(["supervisor"]));

    // Signing out needs no role (and ends only the caller's token).
    for token in [None, Some(&agent), Some(&supervisor), Some(&admin)] {
        let (status, _) = call(
            &server,
            token.map(String::as_str),
            "POST",
            "/api/v1/logout",
            None,
        )
        .await;
        assert_eq!(status, 204);
    }
    let (status, _) = call(&server, Some(&admin), "GET", "/api/v1/me", None).await;
    assert_eq!(status, 401, "the token is gone");
}

#[tokio::test]
async fn only_the_agent_role_goes_online_and_takes_chats() {
    let server = TestServer::start().await;
    for role in [AgentRole::Supervisor, AgentRole::Admin] {
        let token = account(&server, role).await;
        let mut client = server.agent_client(&token).await;
        let rid = client
            .send(ClientFrame::PresenceSet {
                presence: AgentPresence::Online,
            })
            .await;
        assert_eq!(
            client.expect_error(Some(rid)).await,
            ErrorCode::Forbidden,
            "{role:?} online"
        );
    }

    // A waiting request: the supervisor cannot take it, the agent can.
    let (mut visitor, _, _) = server.visitor(None).await;
    let session = visitor.ask_for_help("Anyone?").await;
    let token = account(&server, AgentRole::Agent).await;
    let sup_password = server
        .add_agent_with_roles(
            "watcher@example.com",
            "Watcher",
            &[],
            2,
            &[AgentRole::Supervisor],
        )
        .await;
    let sup_token = server
        .login("watcher@example.com", &sup_password)
        .await
        .unwrap();
    let mut watcher = server.agent_client(&sup_token).await;
    let rid = watcher
        .send(ClientFrame::QueueAccept {
            session: session.clone(),
        })
        .await;
    assert_eq!(watcher.expect_error(Some(rid)).await, ErrorCode::Forbidden);
    let mut agent = server.agent_client(&token).await;
    agent.go_online().await;
    agent.accept(&session).await;
    visitor
        .expect(|f| matches!(f, ServerFrame::Session { session: s } if s.state == protocol::SessionState::Active))
        .await;
}

/// Runs a `tandem` command line in-process, as the operator would.
async fn tandem(args: &[&str]) -> i32 {
    let cli = tandem_server::cli::Cli::try_parse_from(
        std::iter::once("tandem").chain(args.iter().copied()),
    )
    .expect("the command line parses");
    tandem_server::cli::run(cli)
        .await
        .expect("the command runs")
}

#[tokio::test]
async fn an_operator_changes_roles_from_the_command_line() {
    let server = TestServer::start().await;
    let db = server.database_url();
    let token = account(&server, AgentRole::Agent).await;
    let (status, _) = call(&server, Some(&token), "GET", "/api/v1/supervisor", None).await;
    assert_eq!(status, 403);

    // Promoted: the next request sees it, with the same token.
    let promote = [
        "agent",
        "roles",
        "agent@example.com",
        "--role",
        "agent,supervisor",
        "--database-url",
        &db,
    ];
    assert_eq!(tandem(&promote).await, 0);
    let (status, _) = call(&server, Some(&token), "GET", "/api/v1/supervisor", None).await;
    assert_eq!(status, 200);
    let (_, me) = call(&server, Some(&token), "GET", "/api/v1/me", None).await;
    assert_eq!(me["agent"]["roles"], json!(["agent", "supervisor"]));

    // Unknown accounts and roles are refused.
    let nobody = [
        "agent",
        "roles",
        "nobody@example.com",
        "--role",
        "admin",
        "--database-url",
        &db,
    ];
    assert_eq!(tandem(&nobody).await, 4);
    let bad = tandem_server::cli::Cli::try_parse_from([
        "tandem",
        "agent",
        "roles",
        "agent@example.com",
        "--role",
        "owner",
        "--database-url",
        &db,
    ]);
    assert!(bad.is_err(), "owner is not a role");
}
