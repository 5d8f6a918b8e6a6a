//! Where /metrics answers: nowhere on the public listener by default, there
//! only with the bearer token when one is set, and on its own listener
//! (`--metrics-listen`). What it counts is tested in supervisor.rs.

use tandem_tests::TestServer;

const TOKEN: &str = "scrape-4f0c2a9e71b3d8e6";

async fn get(url: &str, bearer: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn is_metrics(body: &str) -> bool {
    body.lines()
        .any(|l| l == "# TYPE tandem_requests_total counter")
}

#[tokio::test]
async fn metrics_are_not_public_by_default() {
    let server = TestServer::start().await;
    let (status, body) = get(&server.http("/metrics"), None).await;
    assert_eq!(status, 404, "{body}");
    assert!(server.running.metrics_addr.is_none());
}

#[tokio::test]
async fn metrics_on_the_public_listener_need_the_bearer_token() {
    let server = TestServer::start_with(|c| c.metrics.token = Some(TOKEN.into())).await;
    let url = server.http("/metrics");
    for wrong in [
        None,
        Some(""),
        Some("scrape-4f0c2a9e71b3d8e7"),
        Some("scrape"),
    ] {
        let (status, body) = get(&url, wrong).await;
        assert_eq!(status, 401, "{wrong:?}");
        assert!(!is_metrics(&body), "{body}");
    }
    let (status, body) = get(&url, Some(TOKEN)).await;
    assert_eq!(status, 200);
    assert!(is_metrics(&body), "{body}");
}

#[tokio::test]
async fn metrics_listen_serves_only_metrics() {
    let server = TestServer::start_with(|c| {
        c.metrics.listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let addr = server.running.metrics_addr.expect("a metrics listener");
    let (status, body) = get(&format!("http://{addr}/metrics"), None).await;
    assert_eq!(status, 200);
    assert!(is_metrics(&body), "{body}");
    // Nothing else is served there, and the public listener still has no /metrics.
    for path in ["/healthz", "/api/v1/supervisor", "/agent"] {
        assert_eq!(
            get(&format!("http://{addr}{path}"), None).await.0,
            404,
            "{path}"
        );
    }
    assert_eq!(get(&server.http("/metrics"), None).await.0, 404);

    // With a token as well, the metrics listener asks for it too.
    let both = TestServer::start_with(|c| {
        c.metrics.listen = Some("127.0.0.1:0".parse().unwrap());
        c.metrics.token = Some(TOKEN.into());
    })
    .await;
    let url = format!("http://{}/metrics", both.running.metrics_addr.unwrap());
    assert_eq!(get(&url, None).await.0, 401);
    assert_eq!(get(&url, Some(TOKEN)).await.0, 200);
}
