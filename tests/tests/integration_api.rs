//! The integration API with API tokens: scopes, revocation, conversations
//! (filters, pages, one in full), customers (lookup, export, erasure),
//! call-backs, figures, Idempotency-Key, and problem details for errors.
//! Every answer is checked against the server's OpenAPI document
//! (`tandem_tests::rest`).

use protocol::api::AgentRole;
use protocol::{AgentInfo, Callback, ClientFrame, PageInfo, SessionState, VisitorIdentity};
use serde_json::{Value, json};
use tandem_server::clock::now_ms;
use tandem_server::store::{SessionRecord, Wrapup};
use tandem_tests::rest::Rest;
use tandem_tests::{SITE, TestServer};

/// Signs in an account holding exactly `roles`; returns its token.
async fn account(server: &TestServer, email: &str, roles: &[AgentRole]) -> String {
    let password = server
        .add_agent_with_roles(email, email, &[], 2, roles)
        .await;
    server.login(email, &password).await.unwrap()
}

/// Makes an API token of `scope` as `admin`; returns its secret.
async fn token(rest: &Rest, admin: &str, scope: &str) -> String {
    let made = rest
        .call(
            "POST",
            "/api/v1/tokens",
            Some(admin),
            Some(json!({"name": format!("{scope} sync"), "scope": scope})),
            &[],
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let secret = made.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("tdm_") && secret.len() > 40, "{secret}");
    secret
}

fn canned(shortcut: &str) -> Value {
    json!({"kind": "canned", "shortcut": shortcut, "title": "Hi", "body": "Hello!"})
}

async fn setup() -> (TestServer, Rest, String) {
    let server = TestServer::start().await;
    let rest = Rest::new(&server.http("")).await;
    let admin = account(&server, "root@example.com", &[AgentRole::Admin]).await;
    (server, rest, admin)
}

#[tokio::test]
async fn each_scope_reaches_exactly_its_routes_until_revoked() {
    let (server, rest, admin) = setup().await;
    let read = token(&rest, &admin, "read").await;
    let write = token(&rest, &admin, "write").await;
    let full = token(&rest, &admin, "admin").await;
    let (mut visitor, _, _) = server.visitor(None).await;
    visitor.ask_for_help("hello").await;
    let vid = server.running.store.open_sessions().await.unwrap()[0]
        .visitor_id
        .clone();

    // (method, path, body, status for the read, write and admin token)
    let rows: Vec<(&str, String, Option<Value>, [u16; 3])> = vec![
        ("GET", "/api/v1/conversations".into(), None, [200; 3]),
        ("GET", "/api/v1/callbacks".into(), None, [200; 3]),
        (
            "GET",
            "/api/v1/customers?by=email&key=x@example.com".into(),
            None,
            [200; 3],
        ),
        ("GET", format!("/api/v1/customers/{vid}"), None, [200; 3]),
        ("GET", "/api/v1/agents".into(), None, [200; 3]),
        ("GET", "/api/v1/sites".into(), None, [200; 3]),
        ("GET", format!("/api/v1/sites/{SITE}"), None, [200; 3]),
        ("GET", "/api/v1/library".into(), None, [200; 3]),
        ("GET", "/api/v1/figures/today".into(), None, [200; 3]),
        (
            "POST",
            "/api/v1/library".into(),
            Some(canned("a")),
            [403, 201, 201],
        ),
        ("GET", "/api/v1/tokens".into(), None, [403, 403, 200]),
        (
            "GET",
            format!("/api/v1/customers/{vid}/export"),
            None,
            [403, 403, 200],
        ),
        // The console's own routes want an agent's sign-in, not a token.
        ("GET", "/api/v1/me".into(), None, [401; 3]),
        ("GET", "/api/v1/supervisor".into(), None, [401; 3]),
    ];
    for (method, path, body, expected) in &rows {
        for (secret, want) in [&read, &write, &full].into_iter().zip(expected) {
            let body = body.clone().map(|mut b| {
                // A fresh shortcut each time, so a second POST is no conflict.
                b["shortcut"] = json!(format!(
                    "s{}",
                    now_ms() % 1_000_000 + u64::from(*want) as i64
                ));
                b
            });
            let a = rest.call(method, path, Some(secret), body, &[]).await;
            assert_eq!(a.status, *want, "{method} {path}: {:?}", a.body);
            if a.status == 403 {
                assert_eq!(a.body["code"], "forbidden");
            }
        }
    }

    // Agents stand for the scope of their roles: supervisors read, agents nothing.
    let supervisor = account(&server, "sup@example.com", &[AgentRole::Supervisor]).await;
    let agent = account(&server, "agent@example.com", &[AgentRole::Agent]).await;
    assert_eq!(
        rest.get("/api/v1/conversations", &supervisor).await.status,
        200
    );
    assert_eq!(rest.get("/api/v1/conversations", &agent).await.status, 403);
    assert_eq!(rest.get("/api/v1/tokens", &supervisor).await.status, 403);

    // Listed without secrets, with who made them and when they were last used.
    let listed = rest.get("/api/v1/tokens", &full).await;
    let tokens = listed.body["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 3);
    let text = listed.body.to_string();
    assert!(
        !text.contains(&read[4..]) && !text.contains("secret"),
        "{text}"
    );
    assert!(tokens.iter().all(|t| t["last_used_at"].is_i64()), "{text}");
    assert!(tokens.iter().all(|t| t["created_by"].is_string()), "{text}");

    // Revoked: refused at once; unknown and malformed tokens likewise.
    let read_id = tokens.iter().find(|t| t["scope"] == "read").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let gone = rest
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{read_id}"),
            Some(&full),
            None,
            &[],
        )
        .await;
    assert_eq!(gone.status, 204);
    for bad in [
        read.clone(),
        "tdm_nope".into(),
        format!("tdm_{}", "x".repeat(300)),
    ] {
        let a = rest.get("/api/v1/conversations", &bad).await;
        assert_eq!(
            (a.status, a.body["code"].as_str()),
            (401, Some("not_authenticated"))
        );
    }
    let again = rest
        .call(
            "DELETE",
            &format!("/api/v1/tokens/{read_id}"),
            Some(&full),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (again.status, again.body["code"].as_str()),
        (404, Some("unknown_token"))
    );
    let none = rest
        .call("GET", "/api/v1/conversations", None, None, &[])
        .await;
    assert_eq!(none.status, 401);
    let bad_scope = rest
        .call(
            "POST",
            "/api/v1/tokens",
            Some(&full),
            Some(json!({"name": "x", "scope": "root"})),
            &[],
        )
        .await;
    assert_eq!(bad_scope.status, 422, "{:?}", bad_scope.body);
}

/// A stored session of `site`, requested at `at`, for the listing tests.
fn stored(id: &str, site: &str, at: i64, state: SessionState) -> SessionRecord {
    SessionRecord {
        id: id.into(),
        site: site.into(),
        visitor_id: "v_list".into(),
        visitor_name: None,
        state,
        topic: None,
        first_message: "hi".into(),
        page: None,
        agent: None,
        requested_at: at,
        accepted_at: None,
        ended_at: (state == SessionState::Ended).then_some(at + 1),
        ended_by: None,
        last_seq: 0,
        receipts: Default::default(),
        callback: None,
        wrapup: None,
    }
}

#[tokio::test]
async fn conversations_are_filtered_and_paged_newest_first() {
    let (server, rest, admin) = setup().await;
    let read = token(&rest, &admin, "read").await;
    let store = server.running.store.as_ref();
    store.touch_visitor("v_list", SITE, 1).await.unwrap();
    store.touch_visitor("v_list", "other", 1).await.unwrap();
    server.add_agent("ana@example.com", "Ana", 2).await;
    let ana = store
        .agent_credentials("ana@example.com")
        .await
        .unwrap()
        .unwrap()
        .0;
    // Seven sessions: two share a request time (the id breaks the tie).
    let t0 = 1_700_000_000_000;
    for (i, at) in [0, 10, 20, 20, 30, 40, 50].into_iter().enumerate() {
        let site = if i == 6 { "other" } else { SITE };
        let state = if i % 2 == 0 {
            SessionState::Ended
        } else {
            SessionState::Queued
        };
        let mut s = stored(&format!("s_{i}"), site, t0 + at, state);
        if i == 2 {
            s.agent = Some(AgentInfo {
                id: ana.id.clone(),
                name: "Ana".into(),
            });
        }
        store.create_session(&s).await.unwrap();
        // The agent, state and call-back are the mutable parts.
        store.update_session(&s).await.unwrap();
        if i == 4 {
            let w = Wrapup {
                disposition: "sale".into(),
                note: None,
                at: t0 + 60,
            };
            assert!(store.set_wrapup("s_4", &w).await.unwrap());
        }
    }

    // Pages of three: 3 + 3 + 1, newest first, each session once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for expected in [3, 3, 1] {
        let path = match &cursor {
            Some(c) => format!("/api/v1/conversations?limit=3&cursor={c}"),
            None => "/api/v1/conversations?limit=3".into(),
        };
        let page = rest.get(&path, &read).await;
        assert_eq!(page.status, 200);
        let list = page.body["conversations"].as_array().unwrap();
        assert_eq!(list.len(), expected, "{path}");
        seen.extend(
            list.iter()
                .map(|c| c["session"]["id"].as_str().unwrap().to_string()),
        );
        cursor = page.body["next_cursor"].as_str().map(str::to_string);
    }
    assert_eq!(cursor, None, "the last page says so");
    assert_eq!(seen, ["s_6", "s_5", "s_4", "s_3", "s_2", "s_1", "s_0"]);

    let ids = |v: &Value| -> Vec<String> {
        v["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["session"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    let cases = [
        ("site=other".to_string(), vec!["s_6"]),
        ("state=queued".to_string(), vec!["s_5", "s_3", "s_1"]),
        (format!("agent={}", ana.id), vec!["s_2"]),
        ("disposition=sale".into(), vec!["s_4"]),
        (
            format!("from={}&to={}", t0 + 20, t0 + 40),
            vec!["s_4", "s_3", "s_2"],
        ),
        (
            format!("site={SITE}&state=ended&from={}", t0 + 1),
            vec!["s_4", "s_2"],
        ),
    ];
    for (query, want) in cases {
        let a = rest
            .get(&format!("/api/v1/conversations?{query}"), &read)
            .await;
        assert_eq!(ids(&a.body), want, "{query}");
    }
    let wrapped = rest
        .get("/api/v1/conversations?disposition=sale", &read)
        .await;
    assert_eq!(
        wrapped.body["conversations"][0]["wrapup"]["disposition"],
        "sale"
    );

    // Mistakes are refused with a reason, as problem details.
    for query in [
        "limit=0",
        "limit=201",
        "cursor=%25%25",
        "state=lost",
        "colour=red",
        "from=soon",
    ] {
        let a = rest
            .get(&format!("/api/v1/conversations?{query}"), &read)
            .await;
        assert_eq!(
            (a.status, a.body["code"].as_str()),
            (400, Some("invalid_request")),
            "{query}"
        );
    }
    let unknown = rest.get("/api/v1/conversations/s_nope", &read).await;
    assert_eq!(
        (unknown.status, unknown.body["code"].as_str()),
        (404, Some("unknown_session"))
    );
}

#[tokio::test]
async fn one_conversation_comes_with_its_log_notes_wrapup_and_page_trail() {
    let (server, rest, admin) = setup().await;
    let read = token(&rest, &admin, "read").await;
    let mut chat = server.accepted_session("My parcel is late").await;
    let page = PageInfo {
        url: "http://shop.test/orders/42".into(),
        title: "Order 42".into(),
    };
    chat.visitor.send(ClientFrame::PageView { page }).await;
    chat.agent
        .send(ClientFrame::NoteAdd {
            session: chat.session.clone(),
            text: "VIP customer".into(),
        })
        .await;
    chat.agent
        .send(ClientFrame::ChatSend {
            session: chat.session.clone(),
            client_id: None,
            text: "Let me look".into(),
        })
        .await;
    chat.visitor_ends().await;
    chat.agent
        .send(ClientFrame::SessionWrapup {
            session: chat.session.clone(),
            disposition: "resolved".into(),
            note: Some("sent a new one".into()),
        })
        .await;
    // The wrap-up is stored once the hub has it; wait for it.
    for _ in 0..100 {
        if server.stored_session(&chat.session).await.wrapup.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let a = rest
        .get(&format!("/api/v1/conversations/{}", chat.session), &read)
        .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let kinds: Vec<&str> = a.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "requested",
        "agent_joined",
        "note",
        "message",
        "ended",
        "wrapup",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let note = a.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "note")
        .unwrap();
    assert_eq!(note["text"], "VIP customer");
    assert_eq!(a.body["wrapup"]["disposition"], "resolved");
    assert_eq!(a.body["session"]["state"], "ended");
    let trail: Vec<&str> = a.body["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect();
    assert!(trail.contains(&"http://shop.test/orders/42"), "{trail:?}");

    let figures = rest.get("/api/v1/figures/today", &read).await;
    assert!(
        figures.body["today"]["offered"].as_u64().unwrap() >= 1,
        "{:?}",
        figures.body
    );
    assert_eq!(figures.body["today"]["dispositions"]["resolved"], 1);
}

#[tokio::test]
async fn customers_are_found_exported_and_erased() {
    let (server, rest, admin) = setup().await;
    let read = token(&rest, &admin, "read").await;
    let full = token(&rest, &admin, "admin").await;
    let (mut visitor, _, _) = server.visitor(None).await;
    visitor
        .send(ClientFrame::Identify {
            identity: VisitorIdentity {
                id: Some("crm-77".into()),
                name: Some("Kim".into()),
                email: Some("Kim@Example.com".into()),
                ..Default::default()
            },
            token: None,
            hash: None,
        })
        .await;
    let session = visitor.ask_for_help("Can I change my address?").await;
    let vid = server.stored_session(&session).await.visitor_id;

    for query in [
        "by=email&key=kim@example.COM",
        "by=external_id&key=crm-77",
        &format!("by=email&key=kim@example.com&site={SITE}"),
    ] {
        let found = rest.get(&format!("/api/v1/customers?{query}"), &read).await;
        let customers = found.body["customers"].as_array().unwrap();
        assert_eq!(customers.len(), 1, "{query}: {:?}", found.body);
        assert_eq!(customers[0]["customer"]["id"], vid.as_str());
        assert_eq!(
            customers[0]["conversations"][0]["session"]["id"],
            session.as_str()
        );
    }
    for query in [
        "by=email&key=nobody@example.com",
        "by=external_id&key=crm-7",
        "by=email&key=kim@example.com&site=other",
        "by=external_id&key=Kim@Example.com",
    ] {
        let found = rest.get(&format!("/api/v1/customers?{query}"), &read).await;
        assert_eq!(found.body["customers"], json!([]), "{query}");
    }
    for query in [
        "",
        "by=email",
        "key=a@b.c",
        "by=phone&key=1",
        "by=email&key=",
    ] {
        let a = rest.get(&format!("/api/v1/customers?{query}"), &read).await;
        assert_eq!(a.status, 400, "{query}");
    }

    let export = rest
        .get(&format!("/api/v1/customers/{vid}/export"), &full)
        .await;
    assert_eq!(export.body["visitors"][0]["identity"]["name"], "Kim");
    assert_eq!(
        export.body["visitors"][0]["sessions"][0]["first_message"],
        "Can I change my address?"
    );

    // Erasure waits for the conversation to end, and erases nothing before.
    let open = rest
        .call(
            "DELETE",
            &format!("/api/v1/customers/{vid}"),
            Some(&full),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (open.status, open.body["code"].as_str()),
        (409, Some("session_open"))
    );
    assert_eq!(
        rest.get(&format!("/api/v1/customers/{vid}"), &read)
            .await
            .status,
        200
    );
    visitor.end_session(&session).await;
    let refused = rest
        .call(
            "DELETE",
            &format!("/api/v1/customers/{vid}"),
            Some(&read),
            None,
            &[],
        )
        .await;
    assert_eq!(refused.status, 403);
    let erased = rest
        .call(
            "DELETE",
            &format!("/api/v1/customers/{vid}"),
            Some(&full),
            None,
            &[],
        )
        .await;
    assert_eq!(erased.status, 200, "{:?}", erased.body);
    assert_eq!(erased.body["sessions"], 1);
    assert_eq!(erased.body["visitors_deleted"], 1);
    for path in [
        format!("/api/v1/customers/{vid}"),
        format!("/api/v1/customers/{vid}/export"),
    ] {
        let a = rest.get(&path, &full).await;
        assert_eq!(
            (a.status, a.body["code"].as_str()),
            (404, Some("unknown_customer")),
            "{path}"
        );
    }
    let found = rest
        .get("/api/v1/customers?by=email&key=kim@example.com", &read)
        .await;
    assert_eq!(found.body["customers"], json!([]));
    // The conversation still counts, anonymous.
    let kept = rest
        .get(&format!("/api/v1/conversations/{session}"), &read)
        .await;
    assert_eq!(kept.status, 200);
    assert!(!kept.body.to_string().contains("Kim"), "{:?}", kept.body);
}

#[tokio::test]
async fn call_backs_are_listed_by_state() {
    let (server, rest, admin) = setup().await;
    let read = token(&rest, &admin, "read").await;
    let store = server.running.store.as_ref();
    store.touch_visitor("v_list", SITE, 1).await.unwrap();
    let at = now_ms() + 3_600_000;
    let mut waiting = stored("s_cb1", SITE, now_ms(), SessionState::Queued);
    waiting.callback = Some(Callback::Phone {
        phone: "+33 6 12 34 56 78".into(),
        at: Some(at),
    });
    let mut done = stored("s_cb2", SITE, now_ms() - 10, SessionState::Ended);
    done.callback = Some(Callback::Message {
        email: "ann@example.com".into(),
    });
    for s in [&waiting, &done] {
        store.create_session(s).await.unwrap();
        store.update_session(s).await.unwrap();
    }
    store
        .create_session(&stored("s_plain", SITE, now_ms(), SessionState::Queued))
        .await
        .unwrap();

    let all = rest.get("/api/v1/callbacks", &read).await;
    let ids: Vec<&str> = all.body["callbacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["session"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["s_cb1", "s_cb2"]);
    assert_eq!(all.body["callbacks"][0]["due_at"], at);
    let todo = rest.get("/api/v1/callbacks?state=queued", &read).await;
    assert_eq!(todo.body["callbacks"].as_array().unwrap().len(), 1);
    assert_eq!(todo.body["callbacks"][0]["callback"]["kind"], "phone");
    let dealt = rest.get("/api/v1/callbacks?state=ended", &read).await;
    assert_eq!(dealt.body["callbacks"][0]["session"]["id"], "s_cb2");
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_answer_and_refuse_another_request() {
    let (_server, rest, admin) = setup().await;
    let write = token(&rest, &admin, "write").await;
    let full = token(&rest, &admin, "admin").await;
    let key = [("Idempotency-Key", "7f6c1d2e-order-1")];
    let first = rest
        .call(
            "POST",
            "/api/v1/library",
            Some(&write),
            Some(canned("once")),
            &key,
        )
        .await;
    assert_eq!(first.status, 201);
    let again = rest
        .call(
            "POST",
            "/api/v1/library",
            Some(&write),
            Some(canned("once")),
            &key,
        )
        .await;
    assert_eq!((again.status, &again.body), (201, &first.body));
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert!(first.headers.get("idempotent-replayed").is_none());
    let items = rest.get("/api/v1/library", &write).await;
    assert_eq!(
        items.body["items"].as_array().unwrap().len(),
        1,
        "done once"
    );

    let other = rest
        .call(
            "POST",
            "/api/v1/library",
            Some(&write),
            Some(canned("twice")),
            &key,
        )
        .await;
    assert_eq!(
        (other.status, other.body["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    // Keys are the caller's own: another token's same key is a new request.
    let theirs = rest
        .call(
            "POST",
            "/api/v1/library",
            Some(&full),
            Some(canned("theirs")),
            &key,
        )
        .await;
    assert_eq!(theirs.status, 201);
    // A refusal is kept too: the retry is refused the same way.
    let dup = [("Idempotency-Key", "dup-1")];
    let taken = rest
        .call(
            "POST",
            "/api/v1/library",
            Some(&write),
            Some(canned("once")),
            &dup,
        )
        .await;
    assert_eq!(taken.status, 409);
    let taken_again = rest
        .call(
            "POST",
            "/api/v1/library",
            Some(&write),
            Some(canned("once")),
            &dup,
        )
        .await;
    assert_eq!((taken_again.status, &taken_again.body), (409, &taken.body));

    // A token's secret is shown once: a retry gets its id, never the secret.
    let k = [("Idempotency-Key", "token-1")];
    let body = json!({"name": "CRM", "scope": "read"});
    let made = rest
        .call(
            "POST",
            "/api/v1/tokens",
            Some(&full),
            Some(body.clone()),
            &k,
        )
        .await;
    assert_eq!(made.status, 201);
    let secret = made.body["secret"].as_str().unwrap();
    let retry = rest
        .call("POST", "/api/v1/tokens", Some(&full), Some(body), &k)
        .await;
    assert_eq!(
        (retry.status, retry.body["code"].as_str()),
        (409, Some("idempotency_key_used"))
    );
    assert!(!retry.body.to_string().contains(&secret[4..]));
    assert!(
        retry.body["detail"]
            .as_str()
            .unwrap()
            .contains(made.body["token"]["id"].as_str().unwrap())
    );

    let long = "k".repeat(256);
    let bad = rest
        .call(
            "POST",
            "/api/v1/library",
            Some(&write),
            Some(canned("x")),
            &[("Idempotency-Key", long.as_str())],
        )
        .await;
    assert_eq!(bad.status, 400);
    // Without a valid caller, a key costs nothing and gets 401.
    let stranger = rest
        .call(
            "POST",
            "/api/v1/library",
            Some("tdm_forged"),
            Some(canned("x")),
            &[("Idempotency-Key", "a")],
        )
        .await;
    assert_eq!(stranger.status, 401);
}

#[tokio::test]
async fn errors_are_problem_details_and_the_reference_lists_every_code() {
    let (server, rest, admin) = setup().await;
    let full = token(&rest, &admin, "admin").await;
    let nope = rest.get("/api/v1/nope", &full).await;
    assert_eq!(
        (nope.status, nope.body["code"].as_str()),
        (404, Some("not_found"))
    );
    let patch = rest
        .call("PATCH", "/api/v1/library", Some(&full), None, &[])
        .await;
    assert_eq!(patch.status, 405);
    assert!(patch.headers.contains_key("allow"));
    let http = reqwest::Client::new();
    let send = |body: &'static str, kind: &'static str| {
        http.post(server.http("/api/v1/tokens"))
            .bearer_auth(&full)
            .header("content-type", kind)
            .body(body)
            .send()
    };
    let malformed = send("{\"name\": ", "application/json").await.unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(
        malformed.headers()["content-type"],
        "application/problem+json"
    );
    let text = send("{}", "text/plain").await.unwrap();
    assert_eq!(text.status(), 415);
    let huge = http
        .post(server.http("/api/v1/tokens"))
        .bearer_auth(&full)
        .json(&json!({"name": "x".repeat(70_000), "scope": "read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    let problem: Value = huge.json().await.unwrap();
    assert_eq!(problem["code"], "too_large");

    // The reference page: every code and every operation, under a strict CSP.
    let page = http.get(server.http("/api/v1/docs")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = page.text().await.unwrap();
    for (code, _) in tandem_server::http::PROBLEMS {
        assert!(html.contains(&format!("id=\"problem-{code}\"")), "{code}");
    }
    for path in rest.document()["paths"].as_object().unwrap().keys() {
        assert!(html.contains(&format!("<code>{path}</code>")), "{path}");
    }
}

/// The check every answer above passed can fail: wrong shapes, statuses,
/// media types and codes are caught.
#[tokio::test]
async fn the_document_check_catches_answers_that_are_not_as_documented() {
    let (_server, rest, _admin) = setup().await;
    let json = "application/json";
    let site = json!({"id": "shop", "name": "Shop", "origins": [], "voice": "agent",
        "hours": null, "timezone": null, "max_wait_secs": null, "retain_days": null});
    assert_eq!(
        rest.conforms("GET", "/api/v1/sites/shop", 200, json, &site),
        Ok(())
    );
    let wrong = [json!({"id": 5}), json!({"sites": "none"}), {
        let mut s = site.clone();
        s["voice"] = json!("loud");
        s
    }];
    for body in wrong {
        assert!(
            rest.conforms("GET", "/api/v1/sites/shop", 200, json, &body)
                .is_err(),
            "{body}"
        );
    }
    assert!(
        rest.conforms("GET", "/api/v1/sites/shop", 200, "text/html", &site)
            .is_err()
    );
    let problem = json!({"type": "/api/v1/docs#problem-forbidden", "title": "Forbidden",
        "status": 403, "detail": "no", "code": "forbidden"});
    let kind = "application/problem+json";
    assert_eq!(
        rest.conforms("GET", "/api/v1/sites", 403, kind, &problem),
        Ok(())
    );
    let mut unlisted = problem.clone();
    unlisted["code"] = json!("teapot");
    unlisted["type"] = json!("/api/v1/docs#problem-teapot");
    assert!(
        rest.conforms("GET", "/api/v1/sites", 403, kind, &unlisted)
            .is_err()
    );
    assert!(
        rest.conforms("GET", "/api/v1/sites", 403, json, &problem)
            .is_err()
    );
    assert!(
        rest.conforms("GET", "/api/v1/unlisted", 200, json, &site)
            .is_err()
    );
}

/// Runs a `tandem` command line in-process, as the operator would.
async fn tandem(args: &[&str]) -> i32 {
    use clap::Parser;
    let cli = tandem_server::cli::Cli::try_parse_from(
        std::iter::once("tandem").chain(args.iter().copied()),
    )
    .expect("the command line parses");
    tandem_server::cli::run(cli)
        .await
        .expect("the command runs")
}

#[tokio::test]
async fn an_operator_makes_lists_and_revokes_tokens_from_the_shell() {
    let server = TestServer::start().await;
    let db = server.database_url();
    let db = ["--database-url", db.as_str()];
    let create = [
        &[
            "token",
            "create",
            "--name",
            "Warehouse export",
            "--scope",
            "read",
        ][..],
        &db,
    ]
    .concat();
    assert_eq!(tandem(&create).await, 0);
    let tokens = server.running.store.api_tokens().await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        (tokens[0].name.as_str(), tokens[0].created_by.as_deref()),
        ("Warehouse export", None)
    );
    assert_eq!(tandem(&[&["token", "list"][..], &db].concat()).await, 0);
    let id = tokens[0].id.as_str();
    assert_eq!(
        tandem(&[&["token", "revoke", id][..], &db].concat()).await,
        0
    );
    assert_eq!(
        tandem(&[&["token", "revoke", id][..], &db].concat()).await,
        4
    );
    assert!(
        server.running.store.api_tokens().await.unwrap()[0]
            .revoked_at
            .is_some()
    );
    use clap::Parser;
    let bad = tandem_server::cli::Cli::try_parse_from([
        "tandem", "token", "create", "--name", "x", "--scope", "root",
    ]);
    assert!(bad.is_err(), "an unknown scope is refused");
}
