//! Streamed answers: the order of events, what is stored, failures, stop,
//! regenerate, edit, and the history sent to the model.

use std::time::Duration;

use serde_json::json;

use super::{chat_app, connect, new_conversation, parse_events, post_stream, send, stored};
use crate::model_server::FakeModelServer;

/// Starts a `default/slow` answer in conversation `id` and reads it until `seen`
/// has arrived: the open response and the text so far.
async fn slow_answer_until(
    app: &crate::support::TestApp,
    id: &str,
    seen: &str,
) -> (reqwest::Response, String) {
    let mut res = app
        .client
        .post(app.url(&format!("/api/chat/conversations/{id}/messages")))
        .header("origin", &app.base_url)
        .json(&json!({"content": "Tell me a long story", "model": "default/slow"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut text = String::new();
    while !text.contains(seen) {
        let chunk = tokio::time::timeout(Duration::from_secs(10), res.chunk())
            .await
            .expect("a token within 10 s")
            .unwrap()
            .expect("more of the stream");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    (res, text)
}

#[tokio::test]
async fn an_answer_streams_in_order_and_is_stored_with_usage() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let id = new_conversation(&app, None).await;

    let answer = send(&app, &id, "What is a gantry crane?", None).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.text(), "You said: What is a gantry crane?");
    assert!(
        answer.events.iter().filter(|(e, _)| e == "delta").count() > 1,
        "tokens arrive as several deltas: {:#?}",
        answer.events
    );
    let done = &answer.last("done")["message"];
    assert_eq!(done["status"], "complete");
    assert_eq!(done["role"], "assistant");
    assert_eq!(done["model"], "default/echo");
    assert_eq!(done["content"], "You said: What is a gantry crane?");
    assert_eq!(done["usage"]["prompt_tokens"], 11);
    assert!(done["duration_ms"].as_i64().unwrap() >= 0);

    // What was sent: the model's own name, streamed, with usage asked for.
    let request = &models.requests()[0];
    assert_eq!(request["model"], "echo");
    assert_eq!(request["stream"], true);
    assert_eq!(request["stream_options"]["include_usage"], true);
    assert_eq!(
        request["messages"],
        json!([{"role": "user", "content": "What is a gantry crane?"}])
    );

    let messages = stored(&app, &id).await;
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[1]["id"], done["id"]);
    assert_eq!(messages[1]["status"], "complete");
    // The first message titles the conversation.
    let (_, conv) = app.get_json(&format!("/api/chat/conversations/{id}")).await;
    assert_eq!(conv["conversation"]["title"], "What is a gantry crane?");

    // The next message carries the history.
    let second = send(&app, &id, "And a gantry robot?", None).await;
    second.last("done");
    let request = &models.requests()[1];
    let roles: Vec<&str> = request["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
}

#[tokio::test]
async fn failures_are_error_events_and_never_stored_as_the_models_words() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    // A connection whose server is down: a port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down_url = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    connect(&app, "down", &down_url, json!({})).await;
    connect(&app, "quick", &models.url, json!({"timeout_secs": 1})).await;

    for (model, code, partial) in [
        ("default/broken", "model_server_error", ""),
        ("default/cut", "model_server_cut", "Half an answer"),
        ("down/echo", "model_server_unreachable", ""),
        ("quick/hang", "model_server_timeout", ""),
    ] {
        let id = new_conversation(&app, None).await;
        let answer = send(&app, &id, "Hello?", Some(model)).await;
        assert_eq!(answer.status, 200, "{model}");
        let error = answer.last("error");
        assert_eq!(error["error"]["code"], code, "{model}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        let connection = model.split('/').next().unwrap();
        assert!(
            message.contains(&format!("`{connection}`")),
            "{model}: {message}"
        );
        assert_eq!(error["message"]["status"], "failed", "{model}");

        let messages = stored(&app, &id).await;
        assert_eq!(messages.len(), 2, "{model}");
        assert_eq!(messages[0]["content"], "Hello?");
        assert_eq!(messages[1]["status"], "failed", "{model}");
        assert_eq!(
            messages[1]["content"], partial,
            "{model}: what arrived is kept"
        );
        assert_eq!(messages[1]["error"], message, "{model}");
    }
    // Users are told which connection is not answering, and why.
    let (_, list) = app.get_json("/api/models").await;
    let unavailable = list["unavailable"].as_array().unwrap();
    assert_eq!(unavailable.len(), 1, "{list:#}");
    assert_eq!(unavailable[0]["connection"], "down");
    assert!(list["models"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["connection"] != "down"));
    // The unreachable server's error says why, in words.
    let id = new_conversation(&app, None).await;
    let answer = send(&app, &id, "Hello?", Some("down/echo")).await;
    let message = answer.last("error")["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.to_lowercase().contains("refused"), "{message}");
}

#[tokio::test]
async fn a_server_refusing_stream_options_is_asked_again_without() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let id = new_conversation(&app, None).await;
    let answer = send(&app, &id, "hi", Some("default/no-usage-option")).await;
    let done = &answer.last("done")["message"];
    assert_eq!(done["content"], "You said: hi");
    assert!(done.get("usage").is_none(), "{done}");
    let requests = models.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].get("stream_options").is_none());
}

#[tokio::test]
async fn bad_messages_are_refused_before_anything_is_stored() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let id = new_conversation(&app, None).await;
    let path = format!("/api/chat/conversations/{id}/messages");
    for (body, status, code) in [
        (json!({"content": "   "}), 400, "bad_request"),
        (
            json!({"content": "x".repeat(70_000)}),
            413,
            "message_too_long",
        ),
        (
            json!({"content": "hi", "model": "default/nonexistent"}),
            400,
            "unknown_model",
        ),
        (
            json!({"content": "hi", "model": "nowhere/echo"}),
            400,
            "unknown_model",
        ),
    ] {
        let answer = post_stream(&app, &path, body).await;
        assert_eq!(answer.status, status, "{:?}", answer.events);
        assert_eq!(answer.last("http")["error"]["code"], code);
    }
    assert!(stored(&app, &id).await.is_empty());
    let answer = post_stream(
        &app,
        "/api/chat/conversations/nope/messages",
        json!({"content": "hi"}),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert!(models.requests().is_empty());
}

#[tokio::test]
async fn stopping_cancels_the_model_servers_stream_and_keeps_the_partial_answer() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let id = new_conversation(&app, None).await;
    let (res, _) = slow_answer_until(&app, &id, "t2 ").await;
    // The browser's Stop button: the request goes away.
    drop(res);
    models.wait_closed_early().await;

    let mut answer = None;
    for _ in 0..100 {
        let messages = stored(&app, &id).await;
        if messages[1]["status"] == "stopped" {
            answer = Some(messages[1].clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answer = answer.expect("the answer is stored as stopped");
    let content = answer["content"].as_str().unwrap();
    assert!(content.starts_with("t0 t1 t2 "), "{content}");
    assert!(!content.contains("t599"), "{content}");
}

#[tokio::test]
async fn regenerate_replaces_the_last_answer_and_edit_drops_what_followed() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let id = new_conversation(&app, None).await;
    send(&app, &id, "first", None).await.last("done");
    send(&app, &id, "second", None).await.last("done");
    let before = stored(&app, &id).await;
    assert_eq!(before.len(), 4);

    let again = post_stream(
        &app,
        &format!("/api/chat/conversations/{id}/regenerate"),
        json!({}),
    )
    .await;
    let new_answer = &again.last("done")["message"];
    let after = stored(&app, &id).await;
    assert_eq!(after.len(), 4);
    assert_ne!(after[3]["id"], before[3]["id"]);
    assert_eq!(after[3]["id"], new_answer["id"]);
    assert_eq!(after[3]["content"], "You said: second");

    // Editing the first message drops everything after it and answers it again.
    let first_id = after[0]["id"].as_str().unwrap();
    let edited = post_stream(
        &app,
        &format!("/api/chat/conversations/{id}/messages/{first_id}/edit"),
        json!({"content": "first, edited"}),
    )
    .await;
    assert_eq!(edited.text(), "You said: first, edited");
    let after_edit = stored(&app, &id).await;
    assert_eq!(after_edit.len(), 2);
    assert_eq!(after_edit[0]["id"], first_id);
    assert_eq!(after_edit[0]["content"], "first, edited");
    let last_request = models.requests().last().unwrap().clone();
    assert_eq!(
        last_request["messages"],
        json!([{"role": "user", "content": "first, edited"}])
    );

    // An answer cannot be edited as if it were the user's.
    let answer_id = after_edit[1]["id"].as_str().unwrap();
    let refused = post_stream(
        &app,
        &format!("/api/chat/conversations/{id}/messages/{answer_id}/edit"),
        json!({"content": "x"}),
    )
    .await;
    assert_eq!(refused.status, 400);
    // Nothing to regenerate in an empty conversation.
    let empty = new_conversation(&app, None).await;
    let nothing = post_stream(
        &app,
        &format!("/api/chat/conversations/{empty}/regenerate"),
        json!({}),
    )
    .await;
    assert_eq!(nothing.status, 409);
}

#[tokio::test]
async fn a_long_history_drops_the_oldest_turns_but_keeps_the_system_prompt() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    connect(&app, "small", &models.url, json!({"context_tokens": 400})).await;
    let (status, persona) = app
        .send_json(
            "POST",
            "/api/personas",
            Some(json!({"name": "Terse", "system_prompt": "Answer in one line.", "temperature": 0.2})),
        )
        .await;
    assert_eq!(status, 201, "{persona}");
    let id = new_conversation(
        &app,
        Some(json!({"model": "small/echo", "persona_id": persona["id"]})),
    )
    .await;
    for i in 0..6 {
        let text = format!("turn {i} {}", "words ".repeat(40));
        send(&app, &id, &text, None).await.last("done");
    }
    let request = models.requests().last().unwrap().clone();
    assert_eq!(request["temperature"], 0.2);
    let messages = request["messages"].as_array().unwrap();
    assert_eq!(
        messages[0],
        json!({"role": "system", "content": "Answer in one line."})
    );
    let last = messages.last().unwrap()["content"].as_str().unwrap();
    assert!(last.starts_with("turn 5 "), "{last}");
    assert!(
        messages.len() < 1 + 11,
        "some of the 11 stored turns were dropped: {}",
        messages.len()
    );
    assert!(messages
        .iter()
        .all(|m| !m["content"].as_str().unwrap().starts_with("turn 0 ")));
    assert_eq!(
        messages[1]["role"], "user",
        "the history starts with a question"
    );
}

#[tokio::test]
async fn deleting_a_conversation_mid_answer_ends_the_stream_with_an_error() {
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let id = new_conversation(&app, None).await;
    let (mut res, mut text) = slow_answer_until(&app, &id, "t1 ").await;
    let (status, _) = app
        .send_json("DELETE", &format!("/api/chat/conversations/{id}"), None)
        .await;
    assert_eq!(status, 204);
    let rest = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = res.chunk().await.unwrap() {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(
        rest.is_ok(),
        "the stream ends once the answer has nowhere to go"
    );
    let events = parse_events(&text);
    let (event, data) = events.last().unwrap();
    assert_eq!(
        event,
        "error",
        "{}",
        &text[text.len().saturating_sub(300)..]
    );
    assert_eq!(data["error"]["code"], "not_found");
    models.wait_closed_early().await;
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM chat_messages WHERE conversation_id = $1")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(n, 0, "nothing of the deleted conversation is written back");
}

#[tokio::test]
async fn many_messages_sent_at_once_are_all_answered() {
    // Each turn's writes are one transaction; on SQLite a deferred one failed with
    // "database is locked" when another turn committed first (2 of 50 in the bench).
    let models = FakeModelServer::start().await;
    let app = chat_app(&models).await;
    let mut ids = Vec::new();
    for _ in 0..40 {
        ids.push(new_conversation(&app, None).await);
    }
    let answers =
        futures::future::join_all(ids.iter().map(|id| send(&app, id, "All at once", None))).await;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{:#?}", answer.events);
        assert_eq!(
            answer.last("done")["message"]["status"],
            "complete",
            "{:#?}",
            answer.events
        );
    }
}
