//! Admin → Models and personas: connections with write-only API keys (encrypted at
//! rest, never returned or logged), reachability in words, the models users may
//! pick, shared and own personas, and administrators-only refusals.

use app::chat_api::PersonaInput;
use gantry_server::{
    auth::DevUser,
    chat::personas::{self, Owner},
};
use serde_json::json;

use super::{chat_app, connect, new_conversation, send};
use crate::{model_server::FakeModelServer, support::TestApp};

#[tokio::test]
async fn api_keys_are_write_only_and_encrypted_at_rest() {
    let key = "sk-test-very-secret-0123456789";
    let models = FakeModelServer::start_with_key(Some(key)).await;
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let created = connect(&app, "hosted", &models.url, json!({"api_key": key})).await;
    assert_eq!(created["api_key_set"], true);
    assert!(created.get("api_key").is_none());

    // The key is used: the server that needs it lists its models and answers.
    let (status, list) = app.get_json("/api/admin/llm/connections").await;
    assert_eq!(status, 200);
    let conn = &list["connections"][0];
    assert_eq!(conn["reachable"], true, "{list:#}");
    assert_eq!(conn["connection"]["api_key_set"], true);
    let id = new_conversation(&app, Some(json!({"model": "hosted/echo"}))).await;
    send(&app, &id, "hi", None).await.last("done");

    // Never returned, never in the audit trail, never stored as plain text.
    for path in [
        "/api/admin/llm/connections",
        "/api/admin/audit",
        "/api/models",
    ] {
        let text = app.get(path).await.text().await.unwrap();
        assert!(!text.contains(key), "{path} shows the key: {text}");
    }
    let sealed: Vec<String> = sqlx::query_scalar("SELECT sealed FROM secrets")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(sealed.len(), 1);
    assert!(!sealed[0].contains(key) && !sealed[0].contains(&hex(key)));

    // A wrong key is refused by the server, and Admin says so in words.
    let conn_id = created["id"].as_str().unwrap();
    let (status, _) = app
        .send_json(
            "PATCH",
            &format!("/api/admin/llm/connections/{conn_id}"),
            Some(json!({"api_key": "wrong"})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, list) = app.get_json("/api/admin/llm/connections").await;
    let conn = &list["connections"][0];
    assert_eq!(conn["reachable"], false);
    let error = conn["error"].as_str().unwrap();
    assert!(
        error.contains("`hosted`") && error.contains("401"),
        "{error}"
    );
    // Removing it.
    let (_, updated) = app
        .send_json(
            "PATCH",
            &format!("/api/admin/llm/connections/{conn_id}"),
            Some(json!({"api_key": ""})),
        )
        .await;
    assert_eq!(updated["api_key_set"], false);

    let actions = app.audit_actions(&app.client, "llm.").await;
    for action in ["llm.connection_created", "llm.connection_updated"] {
        assert!(actions.iter().any(|a| a == action), "{actions:?}");
    }
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn users_see_the_offered_models_and_the_default() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let (status, list) = app.get_json("/api/models").await;
    assert_eq!(status, 200);
    let entries = list["models"].as_array().unwrap();
    assert_eq!(entries.len(), crate::model_server::MODELS.len());
    let echo = entries.iter().find(|m| m["id"] == "default/echo").unwrap();
    assert_eq!(
        echo,
        &json!({"id": "default/echo", "name": "echo", "connection": "default", "default": true})
    );

    let (status, _) = app
        .send_json(
            "PUT",
            "/api/admin/llm/models/default/slow",
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(status, 204);
    let (_, list) = app.get_json("/api/models").await;
    assert!(list["models"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["id"] != "default/slow"));
    let id = new_conversation(&app, None).await;
    let refused = send(&app, &id, "hi", Some("default/slow")).await;
    assert_eq!(refused.status, 400);
    let (_, admin) = app.get_json("/api/admin/llm/connections").await;
    assert_eq!(admin["default_model"], "default/echo");
    let slow = admin["connections"][0]["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "default/slow")
        .unwrap()
        .clone();
    assert_eq!(slow["enabled"], false);
}

#[tokio::test]
async fn with_no_connection_there_are_no_models_and_sending_says_why() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let (status, list) = app.get_json("/api/models").await;
    assert_eq!(status, 200);
    assert_eq!(list, json!({"models": [], "unavailable": []}));
    let id = new_conversation(&app, None).await;
    let answer = send(&app, &id, "anyone there?", None).await;
    assert_eq!(answer.status, 409);
    assert_eq!(answer.last("http")["error"]["code"], "no_model");
}

#[tokio::test]
async fn connections_are_checked_and_unique() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    for (body, field) in [
        (
            json!({"name": "Bad Name", "base_url": "http://127.0.0.1:1/v1"}),
            "name",
        ),
        (json!({"name": "ok", "base_url": "ftp://x"}), "base_url"),
        (
            json!({"name": "ok", "base_url": "http://127.0.0.1:1/v1", "timeout_secs": 0}),
            "timeout_secs",
        ),
    ] {
        let (status, err) = app
            .send_json("POST", "/api/admin/llm/connections", Some(body))
            .await;
        assert_eq!(status, 400, "{err}");
        assert_eq!(err["error"]["field"], field);
    }
    connect(&app, "ok", "http://127.0.0.1:1/v1", json!({})).await;
    let (status, err) = app
        .send_json(
            "POST",
            "/api/admin/llm/connections",
            Some(json!({"name": "ok", "base_url": "http://127.0.0.1:2/v1"})),
        )
        .await;
    assert_eq!(status, 409, "{err}");
}

#[tokio::test]
async fn model_administration_is_refused_to_users() {
    let app = TestApp::builder().dev_user(DevUser::User).spawn().await;
    for (method, path, body) in [
        ("GET", "/api/admin/llm/connections", None),
        (
            "POST",
            "/api/admin/llm/connections",
            Some(json!({"name": "x", "base_url": "http://127.0.0.1:1"})),
        ),
        ("PATCH", "/api/admin/llm/connections/x", Some(json!({}))),
        ("DELETE", "/api/admin/llm/connections/x", None),
        (
            "PUT",
            "/api/admin/llm/models/a/b",
            Some(json!({"default": true})),
        ),
        ("GET", "/api/admin/personas", None),
        ("POST", "/api/admin/personas", Some(json!({"name": "x"}))),
    ] {
        let (status, body) = app.send_json(method, path, body).await;
        assert_eq!(status, 403, "{method} {path}: {body}");
    }
    let anon = TestApp::spawn().await;
    let (status, _) = anon.get_json("/api/chat/conversations").await;
    assert_eq!(status, 401);
    let (status, _) = anon.get_json("/api/models").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn personas_are_own_or_shared_and_deleting_one_leaves_its_conversations() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let (status, shared) = app
        .send_json(
            "POST",
            "/api/admin/personas",
            Some(json!({"name": "Reviewer", "system_prompt": "Review code."})),
        )
        .await;
    assert_eq!(status, 201, "{shared}");
    assert_eq!(shared["shared"], true);
    let (_, own) = app
        .send_json(
            "POST",
            "/api/personas",
            Some(json!({"name": "Mine", "system_prompt": "Be kind.", "temperature": 0.5})),
        )
        .await;
    assert_eq!(own["shared"], false);
    let (_, list) = app.get_json("/api/personas").await;
    assert_eq!(list["personas"].as_array().unwrap().len(), 2);
    let (status, err) = app
        .send_json(
            "POST",
            "/api/personas",
            Some(json!({"name": "Hot", "temperature": 9.0})),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (400, Some("temperature"))
    );

    // Someone else's persona cannot be used.
    let theirs = personas::create(
        &app.db,
        Owner::User("someone-else"),
        &PersonaInput {
            name: "Theirs".into(),
            ..PersonaInput::default()
        },
    )
    .await
    .unwrap();
    let (status, err) = app
        .send_json(
            "POST",
            "/api/chat/conversations",
            Some(json!({"persona_id": theirs.id})),
        )
        .await;
    assert_eq!(status, 404, "{err}");
    assert_eq!(err["error"]["field"], "persona_id");
    let (status, _) = app
        .send_json("DELETE", &format!("/api/personas/{}", theirs.id), None)
        .await;
    assert_eq!(status, 404);

    // A conversation with the shared persona sends its prompt; deleting the persona
    // leaves the conversation on the default.
    let id = new_conversation(&app, Some(json!({"persona_id": shared["id"]}))).await;
    send(&app, &id, "check this", None).await.last("done");
    assert_eq!(
        models.requests().last().unwrap()["messages"][0]["content"],
        "Review code."
    );
    let shared_id = shared["id"].as_str().unwrap();
    let (status, _) = app
        .send_json("DELETE", &format!("/api/admin/personas/{shared_id}"), None)
        .await;
    assert_eq!(status, 204);
    let (_, detail) = app.get_json(&format!("/api/chat/conversations/{id}")).await;
    assert_eq!(
        detail["conversation"]["persona_id"],
        serde_json::Value::Null
    );
    send(&app, &id, "again", None).await.last("done");
    assert_eq!(
        models.requests().last().unwrap()["messages"][0]["role"],
        "user"
    );
}
