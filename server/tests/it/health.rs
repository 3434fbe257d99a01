use serde_json::Value;

use crate::support::TestApp;

#[tokio::test]
async fn healthz_reports_a_reachable_database() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["kind"], "sqlite");
    assert_eq!(body["database"]["reachable"], true);
}

#[tokio::test]
async fn healthz_answers_503_when_the_database_is_gone() {
    // Signed out (a load balancer): the status, not the database's own words.
    let anon = TestApp::spawn().await;
    anon.db.pool.close().await;
    let res = anon.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["database"]["reachable"], false);
    let error = body["database"]["error"].as_str().unwrap();
    assert!(
        !error.contains("closed") && error.contains("server log"),
        "{error}"
    );
    // An administrator is told why.
    let app = TestApp::builder()
        .dev_user(gantry_server::auth::DevUser::Admin)
        .spawn()
        .await;
    app.db.pool.close().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["database"]["reachable"], false);
    assert!(body["database"]["error"]
        .as_str()
        .unwrap()
        .contains("closed"));
}

#[tokio::test]
async fn graceful_shutdown_stops_the_server() {
    let app = TestApp::spawn().await;
    let base_url = app.base_url.clone();
    app.shutdown().await.expect("clean shutdown");
    assert!(reqwest::get(format!("{base_url}/healthz")).await.is_err());
}
