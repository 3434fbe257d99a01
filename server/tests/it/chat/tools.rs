//! Module tools in Chat, through the real server and the test model server's `tool`
//! model: a conversation's chosen tools offered to the model, its calls run through
//! the module's router as the conversation's user, results given back, failures
//! and slow tools turned into error results, admin-only tools out of a user's
//! reach, `confirm` tools waiting for the user's OK, and loops bounded.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use futures::StreamExt;
use gantry_sdk::{prelude::*, ClientAddress, Tool};
use gantry_server::accounts::Role;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::parse_events;
use crate::{
    model_server::FakeModelServer,
    support::{sign_in_people, People, TestApp},
};

/// A module with tools for users (`echo`, `slow`, `fail`, `big`) and a `confirm` one for
/// administrators (`wipe`, which counts its runs in `wiped`).
fn toolbox(wiped: Arc<AtomicUsize>) -> Module {
    let wipe = move |RequireAdmin(admin): RequireAdmin| {
        let wiped = wiped.clone();
        async move {
            wiped.fetch_add(1, Ordering::SeqCst);
            Json(json!({ "wiped_by": admin.name }))
        }
    };
    Module::builder("toolbox", "0.1.0")
        .router(
            Router::new()
                .route(
                    "/tools/echo",
                    post(
                        |user: CurrentUser,
                         ClientAddress(address): ClientAddress,
                         Json(args): Json<Value>| async move {
                            Json(
                                json!({ "text": args["text"], "user": user.name, "from": address }),
                            )
                        },
                    ),
                )
                .route(
                    "/tools/slow",
                    post(|| async {
                        tokio::time::sleep(Duration::from_secs(10)).await;
                        Json(json!({ "late": true }))
                    }),
                )
                .route(
                    "/tools/fail",
                    post(|| async {
                        Err::<Json<Value>, _>(ApiError::bad_request("the echo chamber is closed"))
                    }),
                )
                .route(
                    "/tools/big",
                    post(|| async { Json(json!({ "text": "x".repeat(100_000) })) }),
                )
                .route("/tools/wipe", post(wipe)),
        )
        .nav_item(NavItem::new("toolbox", "Toolbox", "/toolbox"))
        .tool(Tool::new("echo", "Says the text back.").parameters(json!({
            "type": "object",
            "properties": { "text": { "type": "string" } },
            "required": ["text"],
        })))
        .tool(Tool::new("slow", "Takes its time."))
        .tool(Tool::new("fail", "Always fails."))
        .tool(Tool::new("big", "Answers 100 KB."))
        .tool(
            Tool::new("wipe", "Wipes everything.")
                .admin_only()
                .confirm(),
        )
        .build()
}

/// A server with the toolbox (tools given 1 s), the test model server as
/// `default`, an administrator `root` and a user `alice`.
async fn tools_app(models: &FakeModelServer, wiped: Arc<AtomicUsize>) -> (TestApp, People) {
    let app = TestApp::builder()
        .module(toolbox(wiped))
        .sidecar_timeout(Duration::from_secs(1))
        .spawn()
        .await;
    let people = sign_in_people(&app, &[("root", Role::Admin), ("alice", Role::User)]).await;
    let (status, body) = app
        .call(
            &people["root"],
            "POST",
            "/api/admin/llm/connections",
            Some(json!({"name": "default", "base_url": models.url})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    (app, people)
}

/// A conversation of the user on `client` offering `tools`.
async fn conversation_with(app: &TestApp, client: &reqwest::Client, tools: &[&str]) -> String {
    let (status, conv) = app
        .call(client, "POST", "/api/chat/conversations", Some(json!({})))
        .await;
    assert_eq!(status, 201, "{conv}");
    let id = conv["id"].as_str().unwrap().to_owned();
    let (status, conv) = app
        .call(
            client,
            "PATCH",
            &format!("/api/chat/conversations/{id}"),
            Some(json!({ "tools": tools })),
        )
        .await;
    assert_eq!(status, 200, "{conv}");
    assert_eq!(conv["tools"], json!(tools));
    id
}

/// Starts sending `content` to the `tool` model; the answer's events arrive on the
/// receiver as they come.
fn start_send(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    content: &str,
) -> mpsc::UnboundedReceiver<(String, Value)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let request = client
        .post(app.url(&format!("/api/chat/conversations/{id}/messages")))
        .header("origin", &app.base_url)
        .json(&json!({ "content": content, "model": "default/tool" }));
    tokio::spawn(async move {
        let res = request.send().await.expect("request");
        assert_eq!(res.status(), 200);
        let mut body = res.bytes_stream();
        let mut text = String::new();
        while let Some(Ok(bytes)) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&bytes));
            while let Some(end) = text.find("\n\n") {
                let block: String = text.drain(..end + 2).collect();
                for event in parse_events(&block) {
                    let _ = tx.send(event);
                }
            }
        }
    });
    rx
}

/// Every event of the answer to `content`.
async fn send_all(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    content: &str,
) -> Vec<(String, Value)> {
    let mut rx = start_send(app, client, id, content);
    let mut events = Vec::new();
    while let Some(event) = rx.recv().await {
        events.push(event);
    }
    events
}

/// The last state of each tool call among `events`, in order.
fn calls(events: &[(String, Value)]) -> Vec<Value> {
    let mut calls: Vec<Value> = Vec::new();
    for (name, data) in events {
        if name == "tool_call" {
            let call = data["call"].clone();
            match calls.iter_mut().find(|c| c["id"] == call["id"]) {
                Some(known) => *known = call,
                None => calls.push(call),
            }
        }
    }
    calls
}

fn last<'a>(events: &'a [(String, Value)], name: &str) -> &'a Value {
    let (event, data) = events.last().expect("events");
    assert_eq!(event, name, "{events:#?}");
    data
}

#[tokio::test]
async fn the_model_calls_a_conversations_tools_as_its_user_and_reads_their_results() {
    let models = FakeModelServer::start().await;
    let wiped = Arc::new(AtomicUsize::new(0));
    let (app, people) = tools_app(&models, wiped.clone()).await;
    let alice = &people["alice"];

    // A user may choose only tools she may call.
    let id = conversation_with(
        &app,
        alice,
        &["toolbox/echo", "toolbox/fail", "toolbox/slow"],
    )
    .await;
    let (status, body) = app
        .call(
            alice,
            "PATCH",
            &format!("/api/chat/conversations/{id}"),
            Some(json!({ "tools": ["toolbox/wipe"] })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "tools");
    assert_eq!(
        body["error"]["message"],
        "`tools` names `toolbox/wipe`, which is not a tool you may use"
    );

    let events = send_all(&app, alice, &id, r#"CALL toolbox__echo {"text": "hi"}"#).await;
    let done = last(&events, "done");
    let found = calls(&events);
    assert_eq!(found.len(), 1, "{events:#?}");
    assert_eq!(found[0]["status"], "done");
    assert_eq!(found[0]["module"], "toolbox");
    assert_eq!(found[0]["tool"], "echo");
    assert_eq!(found[0]["arguments"], json!({"text": "hi"}));
    // The module sees the user, and the address the turn came from (for its audit).
    assert_eq!(
        found[0]["result"],
        json!({"text": "hi", "user": "alice", "from": "127.0.0.1"})
    );
    assert_eq!(
        done["message"]["content"],
        r#"Tool said: {"from":"127.0.0.1","text":"hi","user":"alice"}"#
    );
    assert_eq!(done["message"]["tool_calls"][0]["status"], "done");

    // The model was offered the tools, then given the result under the call's id.
    let requests = models.requests();
    let offered: Vec<&str> = requests[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["toolbox__echo", "toolbox__slow", "toolbox__fail"]);
    assert_eq!(
        requests[0]["tools"][0]["function"]["parameters"]["required"],
        json!(["text"])
    );
    let answer = requests[1]["messages"].as_array().unwrap();
    let asked = &answer[answer.len() - 2];
    assert_eq!(asked["role"], "assistant");
    assert_eq!(asked["tool_calls"][0]["id"], "call_0");
    assert_eq!(asked["tool_calls"][0]["function"]["name"], "toolbox__echo");
    let result = &answer[answer.len() - 1];
    assert_eq!(result["role"], "tool");
    assert_eq!(result["tool_call_id"], "call_0");

    // Reloading shows the same calls.
    let (_, detail) = app
        .call(alice, "GET", &format!("/api/chat/conversations/{id}"), None)
        .await;
    let stored = detail["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(stored["tool_calls"], done["message"]["tool_calls"]);

    // Arguments that do not fit, a failing tool and a slow one each give the model
    // an error to read; the turn goes on.
    let events = send_all(
        &app,
        alice,
        &id,
        "CALL toolbox__echo {\"text\": 5}\nCALL toolbox__fail {}\nCALL toolbox__slow {}",
    )
    .await;
    last(&events, "done");
    let found = calls(&events);
    let errors: Vec<&str> = found.iter().map(|c| c["error"].as_str().unwrap()).collect();
    assert!(found.iter().all(|c| c["status"] == "failed"), "{found:#?}");
    assert!(
        errors[0].starts_with(
            "tool `toolbox/echo`: the arguments do not match its parameters at `/text`"
        ),
        "{errors:?}"
    );
    assert_eq!(errors[1], "the echo chamber is closed");
    assert_eq!(errors[2], "tool `toolbox/slow` did not answer within 1 s");
    let messages = models.requests().last().unwrap()["messages"].clone();
    let results: Vec<&Value> = messages
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .collect();
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[1]["content"],
        r#"{"error":"the echo chamber is closed"}"#
    );

    // An admin-only tool the model asks for in a user's conversation never runs.
    let events = send_all(&app, alice, &id, "CALL toolbox__wipe {}").await;
    let found = calls(&events);
    assert_eq!(found[0]["status"], "failed");
    assert_eq!(
        found[0]["error"],
        "no tool `toolbox__wipe` is offered in this conversation"
    );
    assert_eq!(wiped.load(Ordering::SeqCst), 0);

    // A model that keeps calling tools is stopped after five rounds: the sixth
    // request may not call any, so it answers in words.
    let before = models.requests().len();
    let events = send_all(&app, alice, &id, "LOOP").await;
    let done = last(&events, "done");
    assert_eq!(calls(&events).len(), 5);
    let requests = &models.requests()[before..];
    assert_eq!(requests.len(), 6);
    assert_eq!(requests[5]["tool_choice"], "none", "{}", requests[5]);
    assert_eq!(requests[4].get("tool_choice"), None);
    assert!(done["message"]["content"]
        .as_str()
        .unwrap()
        .starts_with("Tool said:"));
}

#[tokio::test]
async fn a_confirm_tool_runs_only_after_its_users_ok() {
    let models = FakeModelServer::start().await;
    let wiped = Arc::new(AtomicUsize::new(0));
    let (app, people) = tools_app(&models, wiped.clone()).await;
    let (root, alice) = (&people["root"], &people["alice"]);
    let id = conversation_with(&app, root, &["toolbox/wipe"]).await;

    for approve in [true, false] {
        let before = wiped.load(Ordering::SeqCst);
        let mut events = start_send(&app, root, &id, "CALL toolbox__wipe {}");
        let (name, first) = events.recv().await.expect("a first event");
        assert_eq!(name, "tool_call");
        assert_eq!(first["call"]["status"], "awaiting_confirmation");
        assert_eq!(first["call"]["confirm"], true);
        let call = first["call"]["id"].as_str().unwrap().to_owned();
        let confirm = format!("/api/chat/tool-calls/{call}/confirm");
        // Nothing has run, and nobody else can answer for root.
        assert_eq!(wiped.load(Ordering::SeqCst), before);
        let (status, body) = app
            .call(alice, "POST", &confirm, Some(json!({ "approve": true })))
            .await;
        assert_eq!(status, 404, "{body}");
        let (status, body) = app
            .call(root, "POST", &confirm, Some(json!({ "approve": approve })))
            .await;
        assert_eq!(status, 204, "{body}");
        let mut rest = Vec::new();
        while let Some(event) = events.recv().await {
            rest.push(event);
        }
        let done = last(&rest, "done");
        let call = &calls(&rest)[0];
        if approve {
            assert_eq!(call["status"], "done", "{rest:#?}");
            assert_eq!(call["result"], json!({"wiped_by": "root"}));
            assert_eq!(wiped.load(Ordering::SeqCst), 1);
        } else {
            assert_eq!(call["status"], "declined", "{rest:#?}");
            assert_eq!(call["error"], "the user declined to run it");
            assert_eq!(wiped.load(Ordering::SeqCst), 1);
            assert_eq!(
                done["message"]["content"],
                r#"Tool said: {"error":"the user declined to run it"}"#
            );
        }
        // Answered once: a second answer finds nothing waiting.
        let (status, _) = app
            .call(root, "POST", &confirm, Some(json!({ "approve": true })))
            .await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn the_ok_for_a_confirm_tool_may_reach_another_instance() {
    let models = FakeModelServer::start().await;
    let wiped = Arc::new(AtomicUsize::new(0));
    let (first, people) = tools_app(&models, wiped.clone()).await;
    let second = TestApp::builder()
        .module(toolbox(wiped.clone()))
        .database(&first.database_url)
        .data_dir(first.data_dir.path())
        .spawn()
        .await;
    let root = &people["root"];
    let id = conversation_with(&first, root, &["toolbox/wipe"]).await;
    // The turn streams from the first instance; the OK goes to the second (a
    // load balancer's choice), the cookie being the host's on every port.
    let mut events = start_send(&first, root, &id, "CALL toolbox__wipe {}");
    let (_, asked) = events.recv().await.expect("a first event");
    assert_eq!(asked["call"]["status"], "awaiting_confirmation");
    let confirm = format!(
        "/api/chat/tool-calls/{}/confirm",
        asked["call"]["id"].as_str().unwrap()
    );
    let (status, body) = second
        .call(root, "POST", &confirm, Some(json!({ "approve": true })))
        .await;
    assert_eq!(status, 204, "{body}");
    let mut rest = Vec::new();
    while let Some(event) = events.recv().await {
        rest.push(event);
    }
    last(&rest, "done");
    assert_eq!(calls(&rest)[0]["status"], "done", "{rest:#?}");
    assert_eq!(wiped.load(Ordering::SeqCst), 1);
    // Answered once, on either instance.
    for app in [&first, &second] {
        let (status, _) = app
            .call(root, "POST", &confirm, Some(json!({ "approve": true })))
            .await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn a_long_tool_answer_is_cut_not_failed() {
    let models = FakeModelServer::start().await;
    let (app, people) = tools_app(&models, Arc::default()).await;
    let alice = &people["alice"];
    let id = conversation_with(&app, alice, &["toolbox/big"]).await;
    let events = send_all(&app, alice, &id, "CALL toolbox__big {}").await;
    last(&events, "done");
    let call = &calls(&events)[0];
    // The tool ran: its answer is kept, cut, and the model is told so.
    assert_eq!(call["status"], "done", "{call}");
    let result = call["result"].as_str().unwrap();
    assert!(
        result.ends_with("… (cut: the tool answered more)"),
        "{}",
        &result[result.len() - 80..]
    );
    assert!(result.chars().count() < 17_000);
}

#[tokio::test]
async fn a_tool_gone_since_it_was_chosen_does_not_block_changing_the_others() {
    let models = FakeModelServer::start().await;
    let (app, people) = tools_app(&models, Arc::default()).await;
    let (root, alice) = (&people["root"], &people["alice"]);
    let id = conversation_with(&app, alice, &["toolbox/echo"]).await;
    let (status, body) = app
        .call(
            root,
            "PATCH",
            "/api/admin/modules/toolbox",
            Some(json!({ "enabled": false })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for _ in 0..100 {
        let (_, modules) = app.call(alice, "GET", "/api/modules", None).await;
        if modules.as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let path = format!("/api/chat/conversations/{id}");
    // Keeping the gone tool is allowed; adding another the user cannot use is not.
    let (status, body) = app
        .call(
            alice,
            "PATCH",
            &path,
            Some(json!({ "tools": ["toolbox/echo"] })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .call(
            alice,
            "PATCH",
            &path,
            Some(json!({ "tools": ["toolbox/echo", "toolbox/fail"] })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = app
        .call(alice, "PATCH", &path, Some(json!({ "tools": [] })))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tools"], json!([]));
}
