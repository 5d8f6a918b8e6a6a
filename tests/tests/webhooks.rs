//! Webhooks against a real HTTP receiver on 127.0.0.1 that fails, stays
//! silent past the timeout, goes away, comes back and then succeeds: every
//! event arrives, signed, with its id and the conversation's seq; notes
//! only where asked for; attempts visible and redeliverable; events wait
//! in the store across a server restart; unsafe subscriptions refused.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use protocol::api::AgentRole;
use protocol::{ClientFrame, EventBody, ServerFrame, VisitorIdentity};
use serde_json::{Value, json};
use tandem_server::webhooks::sign::signature;
use tandem_tests::TestServer;
use tandem_tests::rest::Rest;
use tandem_tests::webhook_receiver::{Answer, Received, Receiver};

async fn admin(server: &TestServer) -> String {
    let password = server
        .add_agent_with_roles("root@example.com", "Root", &[], 2, &[AgentRole::Admin])
        .await;
    server.login("root@example.com", &password).await.unwrap()
}

/// Subscribes `url` to `events`; returns the subscription's id and secret.
async fn subscribe(rest: &Rest, token: &str, url: &str, events: &[&str]) -> (String, String) {
    let made = rest
        .call(
            "POST",
            "/api/v1/webhooks",
            Some(token),
            Some(json!({"url": url, "events": events})),
            &[],
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["webhook"]["id"].as_str().unwrap().to_string();
    let secret = made.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    (id, secret)
}

/// Waits (up to 30 s) until `done` holds for what `receiver` got.
async fn until(
    receiver: &Receiver,
    what: &str,
    done: impl Fn(&[Received]) -> bool,
) -> Vec<Received> {
    for _ in 0..600 {
        let got = receiver.received();
        if done(&got) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not received; got {:#?}", receiver.received());
}

/// Distinct events by id (retries repeat an id), checking every copy's
/// signature and headers on the way.
fn events(got: &[Received], secret: &str) -> BTreeMap<String, Value> {
    let mut by_id = BTreeMap::new();
    for r in got {
        let sig = r.header("tandem-signature").expect("signed");
        let t: i64 = sig
            .strip_prefix("t=")
            .and_then(|s| s.split(',').next())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            sig,
            signature(secret, t, r.body.as_bytes()),
            "the signature verifies"
        );
        assert!(
            (t - tandem_server::clock::now_ms() / 1000).abs() < 120,
            "a fresh time"
        );
        let body = r.json();
        assert_eq!(r.header("tandem-event-id"), body["id"].as_str());
        assert_eq!(r.header("tandem-event-type"), body["type"].as_str());
        assert_eq!(r.header("content-type"), Some("application/json"));
        if let Some(first) = by_id.insert(body["id"].as_str().unwrap().to_string(), body.clone()) {
            assert_eq!(first, body, "a retry sends the same body");
        }
    }
    by_id
}

fn types(events: &BTreeMap<String, Value>) -> BTreeSet<String> {
    events
        .values()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_event_arrives_through_failures_silence_and_a_receiver_restart() {
    let server = TestServer::start().await;
    let rest = Rest::new(&server.http("")).await;
    let token = admin(&server).await;
    // The first attempt gets a 500, the second no answer within the 1 s timeout.
    let mut hook =
        Receiver::start(&[Answer::Status(500), Answer::Silence(Duration::from_secs(3))]).await;
    let notes = Receiver::start(&[]).await;
    let wanted = [
        "conversation.queued",
        "conversation.accepted",
        "message",
        "conversation.ended",
        "wrapup.saved",
        "customer.identified",
    ];
    let (hook_id, secret) = subscribe(&rest, &token, &hook.url("/tandem"), &wanted).await;
    let (_, notes_secret) = subscribe(&rest, &token, &notes.url("/notes"), &["note"]).await;

    let mut chat = server.accepted_session("My parcel is late").await;
    let identity = VisitorIdentity {
        id: Some("crm-9".into()),
        name: Some("Kim".into()),
        ..Default::default()
    };
    chat.visitor
        .send(ClientFrame::Identify {
            identity,
            token: None,
            hash: None,
        })
        .await;
    chat.agent
        .send(ClientFrame::NoteAdd {
            session: chat.session.clone(),
            text: "VIP".into(),
        })
        .await;
    chat.agent
        .send(ClientFrame::ChatSend {
            session: chat.session.clone(),
            client_id: None,
            text: "Let me look".into(),
        })
        .await;
    // Logged before the visitor's end (another socket, so not ordered with it).
    chat.agent
        .expect(|f| {
            matches!(f, ServerFrame::Event { event, .. }
            if matches!(&event.body, EventBody::Message { text, .. } if text == "Let me look"))
        })
        .await;
    // The receiver goes away for a while (connections refused), then comes back.
    until(&hook, "the first attempts", |got| got.len() >= 2).await;
    hook.stop();
    chat.visitor_ends().await;
    chat.agent
        .send(ClientFrame::SessionWrapup {
            session: chat.session.clone(),
            disposition: "resolved".into(),
            note: None,
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    hook.restart(&[]).await;

    let want: BTreeSet<String> = wanted.iter().map(|s| s.to_string()).collect();
    let got = until(
        &hook,
        "every subscribed type and the agent's message",
        |got| {
            let e = events(got, &secret);
            types(&e) == want && e.values().any(|e| e["entry"]["text"] == "Let me look")
        },
    )
    .await;
    let delivered = events(&got, &secret);
    assert!(got.len() > delivered.len(), "failed attempts were retried");
    for e in delivered.values() {
        assert_ne!(e["type"], "note", "notes only where asked for");
        if e["type"] != "customer.identified" {
            assert_eq!(e["conversation"]["id"], chat.session.as_str(), "{e}");
            assert!(e["entry"]["seq"].as_u64().unwrap() >= 1, "{e}");
        }
    }
    let seqs: BTreeSet<u64> = delivered
        .values()
        .filter_map(|e| e["entry"]["seq"].as_u64())
        .collect();
    let conversation_events = delivered
        .values()
        .filter(|e| e["entry"].is_object())
        .count();
    assert_eq!(seqs.len(), conversation_events, "one seq per log entry");
    let identified = delivered
        .values()
        .find(|e| e["type"] == "customer.identified")
        .unwrap();
    assert_eq!(identified["customer"]["identity"]["name"], "Kim");
    let message = delivered
        .values()
        .find(|e| e["entry"]["text"] == "Let me look")
        .unwrap();
    assert_eq!(message["type"], "message");

    let notes_got = until(&notes, "the note", |got| !got.is_empty()).await;
    let noted = events(&notes_got, &notes_secret);
    assert_eq!(types(&noted), BTreeSet::from(["note".to_string()]));
    assert_eq!(noted.values().next().unwrap()["entry"]["text"], "VIP");

    // The attempts are visible: all delivered in the end, some after failures.
    let path = format!("/api/v1/webhooks/{hook_id}/deliveries");
    let mut deliveries = Vec::new();
    for _ in 0..600 {
        deliveries = rest.get(&path, &token).await.body["deliveries"]
            .as_array()
            .unwrap()
            .clone();
        if deliveries.iter().all(|d| d["state"] == "delivered") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        deliveries.iter().all(|d| d["state"] == "delivered"),
        "{deliveries:#?}"
    );
    assert_eq!(deliveries.len(), delivered.len());
    assert!(
        deliveries
            .iter()
            .any(|d| d["attempts"].as_u64().unwrap() >= 2),
        "{deliveries:#?}"
    );

    // Redelivered on demand: the same event, the same body, once more.
    let one = &deliveries[0];
    let before = hook.received().len();
    let again = rest
        .call(
            "POST",
            &format!("{path}/{}/redeliver", one["id"].as_str().unwrap()),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(again.status, 202);
    let got = until(&hook, "the redelivery", |got| got.len() > before).await;
    let last = got.last().unwrap();
    assert_eq!(last.json()["id"], one["event_id"]);
    assert_eq!(last.json(), delivered[one["event_id"].as_str().unwrap()]);
    let unknown = rest
        .call(
            "POST",
            &format!("{path}/dlv_nope/redeliver"),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (unknown.status, unknown.body["code"].as_str()),
        (404, Some("unknown_delivery"))
    );
}

#[tokio::test]
async fn events_wait_in_the_store_across_a_restart_until_the_receiver_is_back() {
    let server = TestServer::start().await;
    let rest = Rest::new(&server.http("")).await;
    let token = admin(&server).await;
    let mut hook = Receiver::start(&[]).await;
    hook.stop();
    let (_, secret) = subscribe(
        &rest,
        &token,
        &hook.url("/h"),
        &["conversation.queued", "message"],
    )
    .await;
    let (mut visitor, _, _) = server.visitor(None).await;
    let session = visitor.ask_for_help("Hello?").await;
    visitor.close().await;
    // Tried and refused at least once, then the server restarts.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let server = server.restart().await;
    hook.restart(&[]).await;
    let got = until(&hook, "the queued event", |got| {
        types(&events(got, &secret)).contains("conversation.queued")
    })
    .await;
    let queued = events(&got, &secret)
        .into_values()
        .find(|e| e["type"] == "conversation.queued")
        .unwrap();
    assert_eq!(queued["conversation"]["id"], session.as_str());
    drop(server);
}

#[tokio::test]
async fn unsafe_or_malformed_subscriptions_are_refused() {
    let server = TestServer::start_with(|c| c.webhooks.allow_private = false).await;
    let rest = Rest::new(&server.http("")).await;
    let token = admin(&server).await;
    let refused = [
        json!({"url": "http://crm.example.com/h", "events": ["message"]}),
        json!({"url": "https://127.0.0.1:9/h", "events": ["message"]}),
        json!({"url": "https://169.254.169.254/latest", "events": ["message"]}),
        json!({"url": "https://localhost/h", "events": ["message"]}),
        json!({"url": "https://crm.example.com/h", "events": []}),
    ];
    for body in refused {
        let a = rest
            .call(
                "POST",
                "/api/v1/webhooks",
                Some(&token),
                Some(body.clone()),
                &[],
            )
            .await;
        assert_eq!(
            (a.status, a.body["code"].as_str()),
            (400, Some("invalid_request")),
            "{body}"
        );
    }
    let unknown_type = json!({"url": "https://crm.example.com/h", "events": ["everything"]});
    let a = rest
        .call(
            "POST",
            "/api/v1/webhooks",
            Some(&token),
            Some(unknown_type),
            &[],
        )
        .await;
    assert_eq!(a.status, 422);
    let (id, _) = subscribe(
        &rest,
        &token,
        "https://crm.example.com/h",
        &["message", "message"],
    )
    .await;
    let listed = rest.get("/api/v1/webhooks", &token).await;
    assert_eq!(listed.body["webhooks"][0]["events"], json!(["message"]));
    assert!(
        !listed.body.to_string().contains("whsec_"),
        "secrets are never listed"
    );

    let read = rest
        .call(
            "POST",
            "/api/v1/tokens",
            Some(&token),
            Some(json!({"name": "r", "scope": "read"})),
            &[],
        )
        .await
        .body["secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(rest.get("/api/v1/webhooks", &read).await.status, 403);
    let gone = rest
        .call(
            "DELETE",
            &format!("/api/v1/webhooks/{id}"),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(gone.status, 204);
    let again = rest
        .call(
            "DELETE",
            &format!("/api/v1/webhooks/{id}"),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (again.status, again.body["code"].as_str()),
        (404, Some("unknown_webhook"))
    );
    let deliveries = rest
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), &token)
        .await;
    assert_eq!(deliveries.status, 404);
}

/// The first ```` ```lang ```` block after `heading` in docs/api.md.
fn snippet(heading: &str, lang: &str) -> String {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md")).unwrap();
    let after = &doc[doc.find(heading).expect("the heading")..];
    let start = after.find(&format!("```{lang}\n")).expect("the block") + lang.len() + 4;
    let end = start + after[start..].find("```").expect("its end");
    after[start..end].to_string()
}

/// Runs a documented verification snippet; what `verify` said.
fn run_snippet(
    program: &str,
    code: &str,
    secret: &str,
    header: &str,
    body: &std::path::Path,
) -> String {
    let out = std::process::Command::new(program)
        .args(["-c", code])
        .arg(secret)
        .arg(header)
        .arg(body)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn the_documented_verification_snippets_accept_real_signatures_and_nothing_else() {
    let dir = tandem_tests::scratch_dir();
    let body_file = dir.0.join("body.json");
    let body = r#"{"id":"evt_s_1_2","type":"message","text":"héllo"}"#;
    std::fs::write(&body_file, body).unwrap();
    let secret = "whsec_documented";
    let now = tandem_server::clock::now_ms() / 1000;
    let python = snippet("### Verifying a delivery", "python")
        + "\nimport sys\nprint(verify(sys.argv[1], sys.argv[2], open(sys.argv[3], 'rb').read()))\n";
    let node = snippet("### Verifying a delivery", "js")
        + "\nconst [s, h, f] = process.argv.slice(1);\nconsole.log(verify(s, h, require('node:fs').readFileSync(f)) ? 'True' : 'False');\n";
    let cases = [
        (signature(secret, now, body.as_bytes()), "True"),
        (signature("whsec_other", now, body.as_bytes()), "False"),
        (signature(secret, now, b"{\"id\":\"evt_forged\"}"), "False"),
        (signature(secret, now - 3600, body.as_bytes()), "False"),
        ("t=abc,v1=00".to_string(), "False"),
    ];
    for (header, want) in cases {
        assert_eq!(
            run_snippet("python3", &python, secret, &header, &body_file),
            want,
            "python, {header}"
        );
        let node_code = node.clone();
        let out = std::process::Command::new("node")
            .args(["-e", &node_code])
            .arg(secret)
            .arg(&header)
            .arg(&body_file)
            .output()
            .expect("node runs");
        assert!(
            out.status.success(),
            "node: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            want,
            "node, {header}"
        );
    }
}
