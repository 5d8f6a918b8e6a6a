//! Agents' credentials under attack: a revoked, changed, expired, disabled or
//! removed credential must end the sockets it opened, and logins are
//! throttled, case-insensitive and refuse weak passwords. Real server, real
//! sockets; revocations made "by the CLI" go through a second store handle on
//! the same database, as `tandem agent …` in another process would.

use std::time::Duration;

use protocol::{ClientFrame, CloseCode, ServerFrame};
use reqwest::StatusCode;
use tandem_server::accounts::{self, AccountError, NewAgent};
use tandem_server::store::{self, AgentStatus, Store};
use tandem_tests::{Client, TestServer};

/// A short re-check interval, so revocations made by "another process" show
/// within a test's patience.
const RECHECK: Duration = Duration::from_millis(100);

async fn quick_recheck() -> TestServer {
    TestServer::start_with(|c| c.login.token_recheck = RECHECK).await
}

/// What `tandem agent …` opens: its own handle on the server's database.
async fn cli_store(server: &TestServer) -> std::sync::Arc<dyn Store> {
    store::open(&server.database_url())
        .await
        .expect("store opens")
}

/// A login attempt: status, Retry-After (seconds), body.
async fn try_login(
    server: &TestServer,
    email: &str,
    password: &str,
) -> (StatusCode, Option<u64>, serde_json::Value) {
    let res = reqwest::Client::new()
        .post(server.http("/api/v1/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login answered");
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().expect("Retry-After in seconds"));
    (status, retry, res.json().await.unwrap_or_default())
}

async fn me_status(server: &TestServer, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(server.http("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// An agent socket that authenticated with the session cookie at upgrade,
/// as the console does.
async fn console_socket(server: &TestServer, token: &str) -> Client {
    let cookie = format!("tandem_agent={token}");
    let mut client = Client::connect_with(
        &format!("{}/ws/agent", server.running.ws_url()),
        None,
        &[("Cookie", cookie.as_str())],
    )
    .await
    .expect("connect");
    client.hello(None).await;
    client
}

/// Alex, added, logged in and connected: the password, the token and the
/// socket.
async fn alex_connected(server: &TestServer) -> (String, String, Client) {
    let password = server.add_agent("alex@example.com", "Alex", 4).await;
    let token = server.login("alex@example.com", &password).await.unwrap();
    let socket = server.agent_client(&token).await;
    (password, token, socket)
}

/// The server closed the socket because its token was revoked.
async fn closed_as_revoked(client: &mut Client) {
    assert_eq!(client.expect_close().await, Some(CloseCode::Revoked.code()));
}

/// The socket still serves its agent.
async fn still_served(client: &mut Client) {
    client.go_online().await;
}

#[tokio::test]
async fn logout_closes_the_sockets_opened_with_that_token() {
    // No periodic re-check within the test: the logout itself must close them.
    let server =
        TestServer::start_with(|c| c.login.token_recheck = Duration::from_secs(3600)).await;
    let password = server.add_agent("alex@example.com", "Alex", 4).await;
    let token = server.login("alex@example.com", &password).await.unwrap();
    let other_token = server.login("alex@example.com", &password).await.unwrap();
    let mut by_hello = server.agent_client(&token).await;
    let mut by_cookie = console_socket(&server, &token).await;
    let mut other_window = server.agent_client(&other_token).await;

    let res = reqwest::Client::new()
        .post(server.http("/api/v1/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    closed_as_revoked(&mut by_hello).await;
    closed_as_revoked(&mut by_cookie).await;
    // Another login of the same agent is another token: it stays.
    still_served(&mut other_window).await;
    assert_eq!(me_status(&server, &token).await, 401);
}

#[tokio::test]
async fn a_password_changed_by_another_process_closes_the_agents_sockets() {
    let server = quick_recheck().await;
    let (password, token, mut by_hello) = alex_connected(&server).await;
    let mut by_cookie = console_socket(&server, &token).await;

    let cli = cli_store(&server).await;
    let changed = accounts::set_password(cli.as_ref(), "alex@example.com", "a brand new secret")
        .await
        .unwrap();
    assert!(changed);

    closed_as_revoked(&mut by_hello).await;
    closed_as_revoked(&mut by_cookie).await;
    // The old token opens nothing any more; the old password neither.
    assert_eq!(me_status(&server, &token).await, 401);
    let mut again = Client::connect(&format!("{}/ws/agent", server.running.ws_url()), None)
        .await
        .unwrap();
    again
        .send(ClientFrame::Hello {
            token: Some(token.clone()),
            page: None,
        })
        .await;
    assert_eq!(again.expect_close().await, Some(CloseCode::BadToken.code()));
    assert_eq!(
        try_login(&server, "alex@example.com", &password).await.0,
        401
    );
    let fresh = server
        .login("alex@example.com", "a brand new secret")
        .await
        .expect("the new password logs in");
    still_served(&mut server.agent_client(&fresh).await).await;
}

#[tokio::test]
async fn a_socket_outliving_its_token_is_closed_at_expiry() {
    let server = TestServer::start_with(|c| {
        c.login.token_recheck = RECHECK;
        c.login.token_ttl_ms = 1_500;
    })
    .await;
    let (_, token, mut socket) = alex_connected(&server).await;
    assert_eq!(socket.expect_close().await, Some(CloseCode::Expired.code()));
    assert_eq!(me_status(&server, &token).await, 401);
}

#[tokio::test]
async fn a_disabled_agent_is_disconnected_and_cannot_log_in_until_enabled() {
    let server = quick_recheck().await;
    let (password, token, mut socket) = alex_connected(&server).await;
    socket.go_online().await;

    let cli = cli_store(&server).await;
    assert!(
        accounts::set_status(cli.as_ref(), "alex@example.com", AgentStatus::Disabled)
            .await
            .unwrap()
    );
    closed_as_revoked(&mut socket).await;
    assert_eq!(me_status(&server, &token).await, 401);
    // The same answer as a wrong password: a disabled account is not confirmed.
    let (status, _, body) = try_login(&server, "alex@example.com", &password).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "bad_credentials");

    // Nobody is online now: a visitor asking for help is offered to no one
    // and told so.
    let (mut visitor, _, _) = server.visitor(None).await;
    visitor
        .send(ClientFrame::HelpRequest {
            client_id: None,
            topic: None,
            message: "anyone there?".into(),
            page: None,
        })
        .await;
    visitor
        .expect(|f| {
            matches!(
                f,
                ServerFrame::QueuePosition {
                    agents_online: 0,
                    ..
                }
            )
        })
        .await;

    assert!(
        accounts::set_status(cli.as_ref(), "alex@example.com", AgentStatus::Active)
            .await
            .unwrap()
    );
    let token = server
        .login("alex@example.com", &password)
        .await
        .expect("enabled again");
    still_served(&mut server.agent_client(&token).await).await;
}

#[tokio::test]
async fn a_removed_agents_conversations_keep_their_name() {
    let server = quick_recheck().await;
    let mut a = server.accepted_session("my parcel is late").await;
    a.agent
        .send(ClientFrame::ChatSend {
            session: a.session.clone(),
            client_id: None,
            text: "Alex here, let me look".into(),
        })
        .await;
    a.visitor
        .expect(|f| matches!(f, ServerFrame::Event { event, .. } if event.author_name.as_deref() == Some("Alex")))
        .await;
    a.visitor_ends().await;

    let cli = cli_store(&server).await;
    assert!(
        accounts::set_status(cli.as_ref(), "alex@example.com", AgentStatus::Removed)
            .await
            .unwrap()
    );
    closed_as_revoked(&mut a.agent).await;
    assert_eq!(me_status(&server, &a.agent_token).await, 401);
    let removed_again =
        accounts::set_status(cli.as_ref(), "alex@example.com", AgentStatus::Active).await;
    assert!(!removed_again.unwrap(), "removal cannot be undone");

    // The session row and its log still name Alex.
    let stored = server.stored_session(&a.session).await;
    assert_eq!(stored.agent.map(|a| a.name).as_deref(), Some("Alex"));

    // The customer comes back; Sam serves them and reads the earlier
    // conversation, Alex's name included. Alex is off the colleagues' list.
    let (mut sam, sam_token) = server.agent("sam@example.com", "Sam").await;
    sam.go_online().await;
    let (mut visitor, _, _) = server.visitor(Some(a.visitor_token.clone())).await;
    let second = visitor.ask_for_help("still late").await;
    sam.expect(|f| matches!(f, ServerFrame::Queue { items, .. } if items.iter().any(|i| i.session == second)))
        .await;
    sam.accept(&second).await;
    let panel = server
        .get_json(&format!("/api/v1/sessions/{second}/customer"), &sam_token)
        .await;
    let previous = &panel["previous"][0];
    assert_eq!(previous["session"]["agent"]["name"], "Alex", "{panel}");
    let said_by_alex = previous["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["author_name"] == "Alex" && e.to_string().contains("let me look"));
    assert!(said_by_alex, "{panel}");
    assert_eq!(listed_agents(&server, &sam_token).await, ["Sam"]);

    // Kim worked earlier today and has gone home; removed now, Kim leaves
    // the list too, though no socket of theirs was open to be closed.
    let (kim, _) = server.agent("kim@example.com", "Kim").await;
    kim.close().await;
    assert!(
        listed_agents(&server, &sam_token)
            .await
            .contains(&"Kim".to_string())
    );
    accounts::set_status(cli.as_ref(), "kim@example.com", AgentStatus::Removed)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + tandem_tests::WAIT;
    while listed_agents(&server, &sam_token).await != ["Sam"] {
        assert!(
            tokio::time::Instant::now() < deadline,
            "Kim is still listed"
        );
        tokio::time::sleep(RECHECK).await;
    }
}

/// The names on the supervisors' (and colleagues') list.
async fn listed_agents(server: &TestServer, token: &str) -> Vec<String> {
    let roster = server.get_json("/api/v1/supervisor", token).await;
    roster["live"]["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect()
}

/// Forty wrong passwords, then the right one; the statuses and the answers.
async fn guess_forty_times(
    server: &TestServer,
    email: &str,
    right: &str,
) -> Vec<(StatusCode, Option<u64>, serde_json::Value)> {
    let mut answers = Vec::new();
    for i in 0..40 {
        answers.push(try_login(server, email, &format!("wrong guess {i}")).await);
    }
    answers.push(try_login(server, email, right).await);
    answers
}

#[tokio::test]
async fn forty_wrong_passwords_then_the_right_one_are_throttled_with_retry_after() {
    // A first lock long enough that the forty guesses surely fall inside it
    // on a busy machine; that locks end is the throttle's unit tests' business.
    let server = TestServer::start_with(|c| c.login.throttle.base_delay_ms = 30_000).await;
    let password = server.add_agent("alex@example.com", "Alex", 4).await;
    let known = guess_forty_times(&server, "alex@example.com", &password).await;
    let first_429 = known
        .iter()
        .position(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .expect("throttled at some point");
    assert!(first_429 <= 10, "throttled only after {first_429} attempts");
    assert!(
        known[..first_429]
            .iter()
            .all(|(s, _, _)| *s == StatusCode::UNAUTHORIZED)
    );
    for (status, retry, body) in &known[first_429..] {
        assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(retry.is_some_and(|r| r >= 1), "Retry-After: {retry:?}");
        assert_eq!(body["code"], "too_many_attempts");
    }
    // The right password during the lock is refused too: no oracle.
    assert_eq!(known[40].0, StatusCode::TOO_MANY_REQUESTS);

    // An email nobody has gets exactly the same answers.
    let unknown = guess_forty_times(&server, "nobody@example.com", "whatever it is").await;
    let shape = |answers: &[(StatusCode, Option<u64>, serde_json::Value)]| {
        answers
            .iter()
            .map(|(s, r, b)| (*s, r.is_some(), b.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&known), shape(&unknown));

    assert!(known[40].1.is_some_and(|r| r <= 30));
}

#[tokio::test]
async fn guessing_across_many_emails_from_one_address_is_throttled() {
    let server = TestServer::start().await;
    let mut statuses = Vec::new();
    for i in 0..30 {
        let (status, retry, _) =
            try_login(&server, &format!("guess{i}@example.com"), "password guess").await;
        statuses.push((status, retry));
    }
    let throttled = statuses
        .iter()
        .position(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .expect("the address gets throttled");
    assert!(throttled <= 25, "only after {throttled} emails");
    assert!(statuses[throttled].1.is_some());
}

#[tokio::test]
async fn short_and_common_passwords_are_refused() {
    let server = TestServer::start().await;
    let store = server.running.store.clone();
    let add = |password: &'static str| {
        let store = store.clone();
        async move {
            accounts::add_agent(
                store.as_ref(),
                NewAgent {
                    email: "weak@example.com",
                    name: "Weak",
                    password,
                    skills: vec![],
                    capacity: 1,
                    roles: vec![],
                },
            )
            .await
        }
    };
    for weak in [
        "short1",
        "nine char",
        "password123",
        "Qwertyuiop",
        "Baseball2024!",
    ] {
        assert!(
            matches!(add(weak).await, Err(AccountError::Invalid(_))),
            "{weak:?} was accepted"
        );
    }
    add("correct horse battery staple")
        .await
        .expect("a long uncommon password");
    for weak in ["1234567890", "iloveyou12"] {
        assert!(
            matches!(
                accounts::set_password(store.as_ref(), "weak@example.com", weak).await,
                Err(AccountError::Invalid(_))
            ),
            "{weak:?} was accepted as a new password"
        );
    }
}

#[tokio::test]
async fn an_email_in_another_case_logs_in_as_the_same_agent() {
    let server = TestServer::start().await;
    let password = server.add_agent("alex@example.com", "Alex", 4).await;
    let (status, _, body) = try_login(&server, "Alex@Example.com", &password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["agent"]["email"], "alex@example.com");
    let (status, _, _) = try_login(&server, "  ALEX@EXAMPLE.COM ", &password).await;
    assert_eq!(status, StatusCode::OK);
    // And nobody can add the same address in other letters.
    let again = accounts::add_agent(
        server.running.store.as_ref(),
        NewAgent {
            email: "ALEX@example.com",
            name: "Alex Two",
            password: "another long secret",
            skills: vec![],
            capacity: 1,
            roles: vec![],
        },
    )
    .await;
    assert!(matches!(again, Err(AccountError::Exists)));
}
