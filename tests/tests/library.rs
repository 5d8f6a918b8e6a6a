//! The agents' library over REST: canned responses and articles are added,
//! listed, replaced and removed by agents only; bad items get a clear 400,
//! a shortcut another response uses gets 409, and nothing changes.

use serde_json::{Value, json};
use tandem_tests::TestServer;

async fn call(
    server: &TestServer,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method, server.http(path))
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn agents_keep_canned_responses_and_articles() {
    let server = TestServer::start().await;
    let (_agent, token) = server.agent("kim@example.com", "Kim").await;
    let post = |body: Value| {
        call(
            &server,
            &token,
            reqwest::Method::POST,
            "/api/v1/library",
            Some(body),
        )
    };

    let (status, body) = post(json!({"kind": "canned", "shortcut": "/THX", "title": " Thanks ", "body": "Thanks for waiting!"})).await;
    assert_eq!(status, 201, "{body}");
    let thanks = body["item"].clone();
    assert_eq!(thanks["shortcut"], "thx", "lowercased, without the slash");
    assert_eq!(thanks["title"], "Thanks");
    let (status, _) = post(json!({"kind": "article", "title": "Returns", "body": "60 days.", "url": "https://shop.example/returns", "keywords": ["Return", "refund", "return "]})).await;
    assert_eq!(status, 201);

    // A canned response sent without a shortcut gets one from its title.
    let (status, made) =
        post(json!({"kind": "canned", "title": "Thanks for waiting", "body": "Thanks!"})).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["item"]["shortcut"], "thanks-for-waiting");

    // Bad items: each refused with a reason, nothing stored.
    for (bad, why) in [
        (
            json!({"kind": "canned", "shortcut": "two words", "title": "t", "body": "x"}),
            "shortcut",
        ),
        (
            json!({"kind": "article", "title": "", "body": "x"}),
            "title",
        ),
        (
            json!({"kind": "article", "title": "t", "body": "   "}),
            "text",
        ),
        (
            json!({"kind": "article", "title": "t", "body": "x", "url": "javascript:alert(1)"}),
            "url",
        ),
        (
            json!({"kind": "article", "title": "t", "body": "y".repeat(5000)}),
            "body",
        ),
        (
            json!({"kind": "poem", "title": "t", "body": "x"}),
            "library item",
        ),
    ] {
        let (status, body) = post(bad).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["code"], "invalid_item");
        assert!(body["detail"].as_str().unwrap().contains(why), "{body}");
    }
    // A taken shortcut.
    let (status, body) =
        post(json!({"kind": "canned", "shortcut": "thx", "title": "Other", "body": "y"})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "shortcut_taken");

    let (status, list) = call(
        &server,
        &token,
        reqwest::Method::GET,
        "/api/v1/library",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{list}");
    assert_eq!(items[0]["keywords"], json!(["return", "refund"]), "{list}");

    // Replace by id, then delete.
    let id = thanks["id"].as_str().unwrap();
    let (status, body) = post(json!({"id": id, "kind": "canned", "shortcut": "thx", "title": "Thanks", "body": "Thank you for your patience."})).await;
    assert_eq!(status, 200, "{body}");
    let path = format!("/api/v1/library/{id}");
    assert_eq!(
        call(&server, &token, reqwest::Method::DELETE, &path, None)
            .await
            .0,
        204
    );
    assert_eq!(
        call(&server, &token, reqwest::Method::DELETE, &path, None)
            .await
            .0,
        404
    );

    // Not signed in: nothing to read or write.
    assert_eq!(
        call(
            &server,
            "nope",
            reqwest::Method::GET,
            "/api/v1/library",
            None
        )
        .await
        .0,
        401
    );
    assert_eq!(
        call(
            &server,
            "nope",
            reqwest::Method::POST,
            "/api/v1/library",
            Some(json!({"kind": "article", "title": "t", "body": "x"}))
        )
        .await
        .0,
        401
    );
}
