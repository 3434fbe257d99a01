//! Chat through the real server, against the test model server: streamed answers
//! and their stored outcome, stop, regenerate and edit, conversations, search and
//! export, personas, model server connections and their write-only keys.

mod admin;
mod conversations;
mod knowledge;
mod streaming;
mod tls;
mod tools;

use gantry_server::auth::DevUser;
use serde_json::{json, Value};

use crate::{model_server::FakeModelServer, support::TestApp};

/// A server acting as an administrator, with the connection `default` to `models`
/// and `default/echo` as the default model.
async fn chat_app(models: &FakeModelServer) -> TestApp {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    connect(&app, "default", &models.url, json!({})).await;
    let (status, body) = app
        .send_json(
            "PUT",
            "/api/admin/llm/models/default/echo",
            Some(json!({"default": true})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    app
}

/// Adds the connection `default` to `url`, with `default/echo` the default model.
pub async fn connect_default(app: &TestApp, url: &str) {
    connect(app, "default", url, json!({})).await;
}

/// Adds the connection `name` to `url` with `extra` fields; returns it.
async fn connect(app: &TestApp, name: &str, url: &str, extra: Value) -> Value {
    let mut body = json!({"name": name, "base_url": url});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let (status, conn) = app
        .send_json("POST", "/api/admin/llm/connections", Some(body))
        .await;
    assert_eq!(status, 201, "{conn}");
    conn
}

/// A new conversation's id.
async fn new_conversation(app: &TestApp, body: Option<Value>) -> String {
    let (status, conv) = app.send_json("POST", "/api/chat/conversations", body).await;
    assert_eq!(status, 201, "{conv}");
    conv["id"].as_str().unwrap().to_owned()
}

/// A streamed answer as its events: `(event, data)`.
#[derive(Debug)]
struct Streamed {
    status: u16,
    events: Vec<(String, Value)>,
}

impl Streamed {
    /// The text of every `delta`.
    fn text(&self) -> String {
        self.events
            .iter()
            .filter(|(e, _)| e == "delta")
            .map(|(_, d)| d["content"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The data of the last event, which must be `name`.
    fn last(&self, name: &str) -> &Value {
        let (event, data) = self.events.last().expect("at least one event");
        assert_eq!(event, name, "{:#?}", self.events);
        data
    }
}

/// Parses a `text/event-stream` body.
fn parse_events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut event = String::from("message");
            let mut data = String::new();
            for line in block.lines() {
                if let Some(name) = line.strip_prefix("event:") {
                    event = name.trim().to_owned();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            (!data.is_empty()).then(|| (event, serde_json::from_str(&data).expect("JSON data")))
        })
        .collect()
}

/// POSTs `body` to `path` and reads the whole answer (a stream, or an error).
async fn post_stream(app: &TestApp, path: &str, body: Value) -> Streamed {
    let res = app
        .client
        .post(app.url(path))
        .header("origin", &app.base_url)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let is_stream = res
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/event-stream"));
    let text = res.text().await.expect("body");
    let events = if is_stream {
        parse_events(&text)
    } else {
        vec![(
            "http".to_owned(),
            serde_json::from_str(&text).expect("a JSON error"),
        )]
    };
    Streamed { status, events }
}

/// Sends `content` in conversation `id` (with `model` when given).
async fn send(app: &TestApp, id: &str, content: &str, model: Option<&str>) -> Streamed {
    let mut body = json!({ "content": content });
    if let Some(model) = model {
        body["model"] = model.into();
    }
    post_stream(app, &format!("/api/chat/conversations/{id}/messages"), body).await
}

/// The stored messages of conversation `id`.
async fn stored(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, body) = app.get_json(&format!("/api/chat/conversations/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body["messages"].as_array().unwrap().clone()
}
