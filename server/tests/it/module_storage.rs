//! The values the host keeps for modules: each user's own, instance-wide ones that
//! only administrators write, apart per module, with limits; the same values reach
//! the module's server code through `ModuleContext::storage()`.

use gantry_server::accounts::Role;
use reqwest::Client;
use serde_json::{json, Value};

use crate::{
    fixtures::{forge, notes},
    support::{sign_in_people, TestApp},
};

/// A server with `notes` and a drop-in `forge`, and signed-in clients for the
/// administrator `root` and the users `alice` and `bob`.
async fn app_with_people() -> (TestApp, Client, Client, Client, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .spawn()
        .await;
    let mut people = sign_in_people(
        &app,
        &[
            ("root", Role::Admin),
            ("alice", Role::User),
            ("bob", Role::User),
        ],
    )
    .await;
    let mut take = |name: &str| people.remove(name).unwrap();
    let (root, alice, bob) = (take("root"), take("alice"), take("bob"));
    (app, root, alice, bob, dir)
}

async fn call(
    app: &TestApp,
    client: &Client,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, Value) {
    app.call_raw(client, method, path, body).await
}

#[tokio::test]
async fn each_user_keeps_their_own_values() {
    let (app, _root, alice, bob, _dir) = app_with_people().await;
    let theme = "/api/modules/notes/storage/user/theme";
    let (status, stored) = call(
        &app,
        &alice,
        "PUT",
        theme,
        Some(r#"{"mode":"dark","size":3}"#),
    )
    .await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["value"], json!({"mode": "dark", "size": 3}));
    let (status, read) = call(&app, &alice, "GET", theme, None).await;
    assert_eq!(
        (status, read["value"]["mode"].clone()),
        (200, json!("dark"))
    );
    // Bob has none of Alice's, and his own does not touch hers.
    let (status, body) = call(&app, &bob, "GET", theme, None).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["module"], "notes");
    call(&app, &bob, "PUT", theme, Some(r#""light""#)).await;
    let (_, listed) = call(&app, &alice, "GET", "/api/modules/notes/storage/user", None).await;
    assert_eq!(listed["values"].as_array().unwrap().len(), 1);
    assert_eq!(listed["values"][0]["value"]["mode"], "dark");
    // Another module keeps its own.
    let (status, _) = call(
        &app,
        &alice,
        "GET",
        "/api/modules/forge/storage/user/theme",
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Deleting is one's own too.
    let (status, _) = call(&app, &bob, "DELETE", theme, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&app, &alice, "GET", theme, None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn instance_values_are_read_by_all_and_written_by_administrators() {
    let (app, root, alice, _bob, _dir) = app_with_people().await;
    let greeting = "/api/modules/notes/storage/instance/greeting";
    let (status, body) = call(&app, &alice, "PUT", greeting, Some(r#""hi from alice""#)).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = call(&app, &root, "PUT", greeting, Some(r#""welcome""#)).await;
    assert_eq!(status, 200);
    let (status, read) = call(&app, &alice, "GET", greeting, None).await;
    assert_eq!((status, read["value"].clone()), (200, json!("welcome")));
    // The module's own code reads the same value.
    let text = alice
        .get(app.url("/api/modules/notes/greeting"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "\"welcome\"");
    let (status, _) = call(&app, &alice, "DELETE", greeting, None).await;
    assert_eq!(status, 403);
    // Administrators' writes are audited, by key, without the value.
    let audited: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT actor, target, detail FROM audit_log WHERE action = 'module.storage_set'",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(audited.len(), 1);
    assert_eq!(
        (audited[0].0.as_str(), audited[0].1.as_str()),
        ("root", "notes greeting")
    );
    assert!(audited[0]
        .2
        .as_deref()
        .is_none_or(|d| !d.contains("welcome")));
}

#[tokio::test]
async fn bad_keys_values_and_scopes_are_refused_in_words() {
    let (app, _root, alice, _bob, _dir) = app_with_people().await;
    let base = "/api/modules/notes/storage";
    let (status, body) = call(
        &app,
        &alice,
        "PUT",
        &format!("{base}/user/no%20spaces"),
        Some("1"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (400, json!("key")),
        "{body}"
    );
    let (status, body) = call(
        &app,
        &alice,
        "PUT",
        &format!("{base}/user/k"),
        Some("{not json"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("JSON"),
        "{body}"
    );
    let big = format!("\"{}\"", "x".repeat(gantry_sdk::MAX_VALUE_BYTES));
    let (status, body) = call(&app, &alice, "PUT", &format!("{base}/user/k"), Some(&big)).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (413, json!("payload_too_large"))
    );
    let (status, body) = call(&app, &alice, "GET", &format!("{base}/elsewhere/k"), None).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = call(&app, &alice, "POST", &format!("{base}/user/k"), Some("1")).await;
    assert_eq!(status, 405, "{body}");
    // Nothing of the refused writes was kept.
    let (_, listed) = call(&app, &alice, "GET", &format!("{base}/user"), None).await;
    assert_eq!(listed["values"], json!([]));
}
