//! `GET /metrics`: Prometheus's text format, for the configured addresses or the
//! metrics token only.

use gantry_server::metrics::MetricsAccess;

use crate::support::TestApp;

async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(app.url("/metrics"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn metrics_are_off_unless_an_address_or_a_token_is_configured() {
    let app = TestApp::spawn().await;
    let res = scrape(&app, None).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 403, "{}", &text[..text.len().min(300)]);
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
}

#[tokio::test]
async fn the_token_reads_counts_by_route_pattern_and_the_instances_gauges() {
    let app = TestApp::builder()
        .metrics(MetricsAccess {
            from: Vec::new(),
            token: Some("scrape-me-please".into()),
        })
        .spawn()
        .await;
    assert_eq!(scrape(&app, None).await.status(), 403);
    // A wrong token is refused as a metrics token, not taken for an account's.
    assert_eq!(scrape(&app, Some("scrape-me-wrong!")).await.status(), 403);

    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/api/no/such/thing/4711").await.status(), 404);
    let res = scrape(&app, Some("scrape-me-please")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            r#"gantry_http_requests_total{method="GET",route="/healthz",status="200"} 2"#
        ),
        "{text}"
    );
    // The route is the pattern, never the path (no unbounded label values).
    assert!(
        text.contains(r#"route="/api/{*rest}",status="404"} 1"#),
        "{text}"
    );
    assert!(!text.contains("4711"), "{text}");
    assert!(
        text.contains(r#"gantry_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 2"#),
        "{text}"
    );
    for gauge in [
        "gantry_db_pool_connections ",
        "gantry_db_pool_idle_connections ",
        "gantry_chat_answers_in_flight 0",
    ] {
        assert!(text.contains(gauge), "{gauge} in {text}");
    }
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[tokio::test]
async fn a_listed_address_reads_without_a_token_and_sees_module_states() {
    let app = TestApp::builder()
        .module(gantry_sdk::Module::builder("quiet", "0.1.0").build())
        .metrics(MetricsAccess {
            from: vec!["127.0.0.1".parse().unwrap()],
            token: None,
        })
        .spawn()
        .await;
    let res = scrape(&app, None).await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(
        text.contains(r#"gantry_module_state{module="quiet",state="running"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"gantry_module_step_seconds{module="quiet",step="discovery"}"#),
        "{text}"
    );
}

#[tokio::test]
async fn chat_answers_in_flight_count_while_they_stream() {
    let models = crate::model_server::FakeModelServer::start().await;
    let app = TestApp::builder()
        .dev_user(gantry_server::auth::DevUser::Admin)
        .metrics(MetricsAccess {
            from: Vec::new(),
            token: Some("scrape-me-please".into()),
        })
        .spawn()
        .await;
    crate::chat::connect_default(&app, &models.url).await;
    let (status, conversation) = app.send_json("POST", "/api/chat/conversations", None).await;
    assert_eq!(status, 201, "{conversation}");
    let id = conversation["id"].as_str().unwrap();
    let in_flight = || async {
        let text = scrape(&app, Some("scrape-me-please"))
            .await
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("gantry_chat_answers_in_flight "))
            .map(|n| n.trim().to_owned())
            .unwrap()
    };
    assert_eq!(in_flight().await, "0");

    // `slow` writes a piece every 100 ms: the answer is in flight once it has begun.
    let mut answer = app
        .client
        .post(app.url(&format!("/api/chat/conversations/{id}/messages")))
        .header("origin", &app.base_url)
        .json(&serde_json::json!({"content": "take your time", "model": "default/slow"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.chunk().await.unwrap().expect("a first piece");
    assert_eq!(in_flight().await, "1");

    // Leaving stops it, and it is counted no more.
    drop(answer);
    for _ in 0..50 {
        if in_flight().await == "0" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the stopped answer is still counted in flight");
}
