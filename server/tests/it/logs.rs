//! Admin → Logs: the kept lines filtered by level and module, new lines followed live,
//! for administrators only; secrets never among them.

use futures::StreamExt;
use gantry_server::auth::DevUser;
use serde_json::{json, Value};
use tracing_subscriber::layer::SubscriberExt;

use crate::support::TestApp;

async fn admin_app() -> TestApp {
    TestApp::builder().dev_user(DevUser::Admin).spawn().await
}

fn messages(lines: &Value) -> Vec<String> {
    lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn kept_lines_are_filtered_by_level_and_module() {
    let app = admin_app().await;
    // This test's thread (the server runs on it too) logs into the app's buffer.
    let _logging =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(app.logs.layer()));
    tracing::info!(rows = 3, "the host tidied up");
    tracing::warn!(module = "hello", "the lamp flickers");
    tracing::error!(module = "forge", "a template is broken");

    let all: Value = app.get("/api/admin/logs").await.json().await.unwrap();
    let said = messages(&all);
    let tidied = said.iter().position(|m| m == "the host tidied up rows=3");
    let flickers = said.iter().position(|m| m == "the lamp flickers");
    assert!(
        tidied.is_some() && flickers > tidied,
        "oldest first: {said:?}"
    );
    let line = all
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["message"] == "the lamp flickers")
        .unwrap();
    assert_eq!(line["level"], "WARN");
    assert_eq!(line["module"], "hello");
    assert!(line["at_ms"].as_i64().unwrap() > 1_700_000_000_000);

    let warn: Value = app
        .get("/api/admin/logs?level=warn")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        messages(&warn),
        ["the lamp flickers", "a template is broken"]
    );
    let hello: Value = app
        .get("/api/admin/logs?module=hello")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(messages(&hello), ["the lamp flickers"]);
    let host: Value = app
        .get("/api/admin/logs?module=host&level=info")
        .await
        .json()
        .await
        .unwrap();
    assert!(messages(&host).contains(&"the host tidied up rows=3".to_owned()));
    assert!(!messages(&host).iter().any(|m| m == "the lamp flickers"));

    let bad = app.get("/api/admin/logs?level=loud").await;
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["field"], "level");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`loud`"));
}

#[tokio::test]
async fn new_lines_arrive_live_as_they_are_logged() {
    let app = admin_app().await;
    let _logging =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(app.logs.layer()));
    let res = app.get("/api/admin/logs/live?module=hello").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    // Logged once the stream is open: another module's line is left out.
    tracing::warn!(module = "forge", "not for this follower");
    tracing::warn!(module = "hello", "the lamp is back");
    let mut body = res.bytes_stream();
    let mut seen = String::new();
    while !seen.contains("the lamp is back") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), body.next())
            .await
            .expect("a line within 5 s")
            .expect("the stream stays open")
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: line"), "{seen}");
    assert!(!seen.contains("not for this follower"), "{seen}");
}

#[tokio::test]
async fn the_log_is_for_administrators_only() {
    let app = TestApp::builder().dev_user(DevUser::User).spawn().await;
    for path in ["/api/admin/logs", "/api/admin/logs/live"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 403, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "forbidden", "{path}");
    }
    let anonymous = TestApp::spawn().await;
    assert_eq!(anonymous.get("/api/admin/logs").await.status(), 401);
}

#[tokio::test]
async fn a_connection_key_never_reaches_the_log() {
    let app = admin_app().await;
    // Debug and worse from every crate: more than the default `info` lets through.
    let _logging = tracing::subscriber::set_default(
        tracing_subscriber::registry()
            .with(tracing_subscriber::filter::LevelFilter::DEBUG)
            .with(app.logs.layer()),
    );
    let secret = "sk-never-in-the-log-4711";
    let (status, _) = app
        .send_json(
            "POST",
            "/api/admin/llm/connections",
            Some(json!({"name": "keyed", "base_url": "http://127.0.0.1:9/v1", "api_key": secret})),
        )
        .await;
    assert_eq!(status, 201);
    // Using it: the model list asks the (unreachable) server with the key.
    let _ = app.get("/api/admin/llm/connections").await;
    let _ = app.get("/api/models").await;
    let all = app
        .get("/api/admin/logs?level=debug")
        .await
        .text()
        .await
        .unwrap();
    assert!(all.len() > 2, "something was logged: {all}");
    assert!(!all.contains(secret), "{all}");
}

#[test]
fn log_format_json_writes_one_json_object_a_line() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gantry"))
        .args(["--log-format", "json", "serve", "--addr", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("GANTRY_DEV_USER")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let listening = line.contains("Gantry listening");
            let _ = tx.send(line);
            if listening {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(60)) {
        lines.push(line);
        if lines.last().unwrap().contains("Gantry listening") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        lines.last().is_some_and(|l| l.contains("Gantry listening")),
        "{lines:#?}"
    );
    for line in &lines {
        let object: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(object["level"].is_string(), "{line}");
        assert!(object["fields"]["message"].is_string(), "{line}");
    }
}
