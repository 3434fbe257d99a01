//! Connections are bounded: a client that sends half a request is cut off, and
//! graceful shutdown has a deadline after which the modules' hooks still run.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use gantry_server::{auth::DevUser, ServeLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{fixtures::counted_shutdown, model_server::FakeModelServer, support::TestApp};

/// Sends `bytes` on a new connection to an app whose header time limit is 1 s, and
/// reads until the server closes it: what it answered, and the app.
async fn answer_until_closed(bytes: &[u8]) -> (String, TestApp) {
    let app = TestApp::builder()
        .limits(ServeLimits {
            header_read_timeout: Duration::from_secs(1),
            ..ServeLimits::default()
        })
        .spawn()
        .await;
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut answer = Vec::new();
    // Bounded only so that a server that never lets go fails the test instead of
    // hanging it.
    let closed =
        tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    assert!(
        closed.is_ok(),
        "the server still holds the connection open after 20 s"
    );
    (String::from_utf8_lossy(&answer).into_owned(), app)
}

#[tokio::test]
async fn a_half_sent_request_is_cut_off_after_the_header_time_limit() {
    let (answer, app) = answer_until_closed(b"GET /healthz HTTP/1.1\r\nHost: gantry\r\n").await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    // Whole requests are still answered.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

/// A kept-alive connection that sends nothing more is closed after the same time
/// limit: idle connections cannot pile up either.
#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_time_limit() {
    let (answer, _app) =
        answer_until_closed(b"GET /healthz HTTP/1.1\r\nHost: gantry\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn shutdown_waits_for_open_answers_only_so_long_and_hooks_still_run() {
    let models = FakeModelServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let app = TestApp::builder()
        .module(counted_shutdown(calls.clone()))
        .dev_user(DevUser::Admin)
        .limits(ServeLimits {
            shutdown_grace: Duration::from_secs(1),
            ..ServeLimits::default()
        })
        .spawn()
        .await;
    crate::chat::connect_default(&app, &models.url).await;
    let (_, conv) = app.send_json("POST", "/api/chat/conversations", None).await;
    // An answer that would take a minute.
    let mut res = app
        .client
        .post(app.url(&format!(
            "/api/chat/conversations/{}/messages",
            conv["id"].as_str().unwrap()
        )))
        .header("origin", &app.base_url)
        .json(&serde_json::json!({"content": "go", "model": "default/slow"}))
        .send()
        .await
        .unwrap();
    res.chunk().await.unwrap().expect("the answer begins");
    let stopped = tokio::time::timeout(Duration::from_secs(20), app.shutdown()).await;
    assert!(
        stopped.is_ok(),
        "shutdown still waits for the open answer after 20 s"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1, "on_shutdown ran");
    drop(res);
}
