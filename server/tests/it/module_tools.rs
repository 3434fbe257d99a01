//! Module tools over HTTP, through the real host: declared tools listed per user,
//! arguments checked against their JSON Schema before the module sees them, the
//! admin rule applied by the host, a collection searched by declaration alone, and a
//! schema that is not one refusing the module.

use gantry_sdk::prelude::*;
use gantry_sdk::Tool;
use gantry_server::accounts::Role;
use serde_json::{json, Value};

use crate::{
    fixtures::drop_in,
    support::{sign_in_people, People, TestApp},
};

async fn echo(user: CurrentUser, Json(args): Json<Value>) -> Json<Value> {
    Json(json!({ "text": args["text"], "user": user.name }))
}

async fn wipe(RequireAdmin(admin): RequireAdmin) -> Json<Value> {
    Json(json!({ "wiped_by": admin.name }))
}

/// A compiled-in module with a tool for everyone and one for administrators.
fn toolbox() -> Module {
    Module::builder("toolbox", "0.1.0")
        .router(
            Router::new()
                .route("/tools/echo", post(echo))
                .route("/tools/wipe", post(wipe)),
        )
        .nav_item(NavItem::new("toolbox", "Toolbox", "/toolbox"))
        .tool(Tool::new("echo", "Says the text back.").parameters(json!({
            "type": "object",
            "properties": { "text": { "type": "string", "maxLength": 20 } },
            "required": ["text"],
        })))
        .tool(
            Tool::new("wipe", "Wipes everything.")
                .admin_only()
                .confirm(),
        )
        .build()
}

async fn app_with_people(builder: crate::support::TestAppBuilder) -> (TestApp, People) {
    let app = builder.spawn().await;
    let people = sign_in_people(&app, &[("root", Role::Admin), ("alice", Role::User)]).await;
    (app, people)
}

fn tool_names(modules: &Value, module: &str) -> Vec<String> {
    let module = modules
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == module)
        .unwrap_or_else(|| panic!("no `{module}` in {modules:#}"));
    module["tools"]
        .as_array()
        .map(|tools| {
            tools
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn tools_are_listed_per_user_checked_by_the_host_and_answered_by_the_module() {
    let (app, people) = app_with_people(TestApp::builder().module(toolbox())).await;
    let (root, alice) = (&people["root"], &people["alice"]);

    // `/api/modules` lists what each may call.
    let (_, modules) = app.call(alice, "GET", "/api/modules", None).await;
    assert_eq!(tool_names(&modules, "toolbox"), ["echo"]);
    let (_, modules) = app.call(root, "GET", "/api/modules", None).await;
    assert_eq!(tool_names(&modules, "toolbox"), ["echo", "wipe"]);
    let wipe = &modules.as_array().unwrap()[0]["tools"][1];
    assert_eq!(wipe["confirm"], true);
    assert_eq!(wipe["requires_admin"], true);

    // A call reaches the module's router with the caller.
    let echo = "/api/modules/toolbox/tools/echo";
    let (code, answer) = app
        .call(alice, "POST", echo, Some(json!({ "text": "hi" })))
        .await;
    assert_eq!(code, 200, "{answer}");
    assert_eq!(answer, json!({ "text": "hi", "user": "alice" }));

    // Arguments that do not match the schema never reach it.
    let (code, answer) = app
        .call(alice, "POST", echo, Some(json!({ "text": 5 })))
        .await;
    assert_eq!(code, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_arguments");
    assert_eq!(answer["error"]["field"], "arguments");
    assert_eq!(answer["error"]["module"], "toolbox");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "tool `toolbox/echo`: the arguments do not match its parameters at `/text`"
        ),
        "{message}"
    );
    let (code, answer) = app.call(alice, "POST", echo, Some(json!({}))).await;
    assert_eq!(code, 422, "{answer}");
    let (code, answer) = app.call_raw(alice, "POST", echo, Some("{text")).await;
    assert_eq!(code, 400, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("tool `toolbox/echo`: the arguments are not JSON"));
    let (code, _) = app.call(alice, "GET", echo, None).await;
    assert_eq!(code, 405);

    // The admin rule is the host's: the module's handler is never asked.
    let wipe = "/api/modules/toolbox/tools/wipe";
    let (code, answer) = app.call(alice, "POST", wipe, None).await;
    assert_eq!(code, 403, "{answer}");
    assert_eq!(
        answer["error"]["message"],
        "tool `toolbox/wipe` is for administrators only"
    );
    let (code, answer) = app.call(root, "POST", wipe, None).await;
    assert_eq!(code, 200, "{answer}");
    assert_eq!(answer["wiped_by"], "root");

    let (code, answer) = app
        .call(alice, "POST", "/api/modules/toolbox/tools/nope", None)
        .await;
    assert_eq!(code, 404);
    assert_eq!(
        answer["error"]["message"],
        "module `toolbox` has no tool `nope`"
    );
}

const SHELF: &str = r#"
name = "shelf"
version = "0.1.0"
migrations = "migrations"

[[nav_items]]
id = "shelf"
label = "Shelf"
route = "/shelf"

[[collections]]
name = "books"
table = "shelf_books"
fields = ["title", "author"]
search = ["title", "author"]

[[tools]]
name = "search_books"
description = "Finds books by title or author."
collection = "books"
"#;

#[tokio::test]
async fn a_collection_tool_searches_the_collection_with_no_module_code() {
    let dir = tempfile::tempdir().unwrap();
    let up = if crate::support::on_postgres() {
        "CREATE TABLE shelf_books (id BIGSERIAL PRIMARY KEY, created_at BIGINT NOT NULL, \
         updated_at BIGINT NOT NULL, title TEXT, author TEXT);"
    } else {
        "CREATE TABLE shelf_books (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL, \
         updated_at INTEGER NOT NULL, title TEXT, author TEXT);"
    };
    drop_in(
        dir.path(),
        "shelf",
        SHELF,
        &[
            ("migrations/0001_books.up.sql", up),
            ("migrations/0001_books.down.sql", "DROP TABLE shelf_books;"),
        ],
    );
    let (app, people) = app_with_people(TestApp::builder().drop_in_dir(dir.path())).await;
    let (root, alice) = (&people["root"], &people["alice"]);
    for (title, author) in [
        ("The Left Hand of Darkness", "Le Guin"),
        ("A Wizard of Earthsea", "Le Guin"),
        ("Dune", "Herbert"),
    ] {
        let (code, body) = app
            .call(
                root,
                "POST",
                "/api/modules/shelf/collections/books",
                Some(json!({ "title": title, "author": author })),
            )
            .await;
        assert_eq!(code, 201, "{body}");
    }
    let tool = "/api/modules/shelf/tools/search_books";
    let (code, found) = app
        .call(alice, "POST", tool, Some(json!({ "query": "guin" })))
        .await;
    assert_eq!(code, 200, "{found}");
    assert_eq!(found["total"], 2, "{found}");
    let (_, found) = app
        .call(alice, "POST", tool, Some(json!({ "query": "dune" })))
        .await;
    assert_eq!(found["items"][0]["title"], "Dune", "{found}");
    // Its one argument is `query`.
    let (code, answer) = app
        .call(alice, "POST", tool, Some(json!({ "q": "dune" })))
        .await;
    assert_eq!(code, 422, "{answer}");
}

#[tokio::test]
async fn a_tool_whose_parameters_are_not_a_json_schema_refuses_the_module() {
    let dir = tempfile::tempdir().unwrap();
    drop_in(
        dir.path(),
        "broken",
        r#"
name = "broken"
version = "0.1.0"

[[tools]]
name = "find"
description = "Finds."
parameters = { type = "object", properties = { q = { type = "strin" } } }
"#,
        &[],
    );
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(gantry_server::auth::DevUser::Admin)
        .spawn()
        .await;
    let status = app.module_status("broken").await;
    assert_eq!(status["state"], "invalid", "{status:#}");
    assert_eq!(status["error"]["step"], "validation");
    let message = status["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("module `broken`: tool `find`: parameters is not a valid JSON Schema"),
        "{message}"
    );
}

#[tokio::test]
async fn a_sidecars_tools_are_checked_however_the_path_is_spelled() {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = reached.clone();
    let sidecar = axum::Router::new().fallback(move |body: String| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            axum::Json(json!({ "got": body }))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, sidecar).await });
    let dir = tempfile::tempdir().unwrap();
    drop_in(
        dir.path(),
        "side",
        &format!(
            r#"
name = "side"
version = "0.1.0"

[[nav_items]]
id = "side"
label = "Side"
route = "/side"

[[tools]]
name = "wipe"
description = "Wipes."
requires_admin = true

[backend]
proxy = "{url}"
"#
        ),
        &[],
    );
    let (app, people) = app_with_people(TestApp::builder().drop_in_dir(dir.path())).await;
    let (root, alice) = (&people["root"], &people["alice"]);
    for path in [
        "/api/modules/side/tools/wipe",
        "/api/modules/side//tools/wipe",
        "/api/modules/side///tools/wipe",
    ] {
        let (code, answer) = app.call(alice, "POST", path, None).await;
        assert_eq!(code, 403, "{path}: {answer}");
    }
    assert_eq!(reached.load(Ordering::SeqCst), 0, "never forwarded");
    let (code, answer) = app
        .call(
            root,
            "POST",
            "/api/modules/side//tools/wipe",
            Some(json!({})),
        )
        .await;
    assert_eq!(code, 200, "{answer}");
    assert_eq!(answer["got"], "{}");
    assert_eq!(reached.load(Ordering::SeqCst), 1);
}
