//! Declared data routes, through the real host: the in-tree drop-in Forge Templates
//! (`modules/forge`) served from its `templates` collection, and declarations the
//! host refuses.

use std::path::PathBuf;

use gantry_server::{auth::DevUser, modules::discovery, modules::migrate};
use serde_json::{json, Value};

use crate::{fixtures::drop_in, support::TestApp};

/// The repository's `modules/` folder: Forge is a drop-in there (Overlord, a crate,
/// has no `gantry-module.toml` and is not one).
fn in_tree_modules() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../modules")
}

async fn forge_app(user: DevUser) -> TestApp {
    TestApp::builder()
        .drop_in_dir(in_tree_modules())
        .dev_user(user)
        .spawn()
        .await
}

async fn call(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let path = format!("/api/modules/forge/collections/templates{path}");
    app.send_json(method, &path, body).await
}

#[tokio::test]
async fn forge_templates_are_served_from_its_collection() {
    let app = forge_app(DevUser::Admin).await;
    let status = app.module_status("forge").await;
    assert_eq!(status["state"], "running", "{status:#}");

    // The migration's example template.
    let (code, page) = call(&app, "GET", "", None).await;
    assert_eq!(code, 200, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["name"], "Release note");
    assert!(page["items"][0]["body"]
        .as_str()
        .unwrap()
        .contains("{{product}}"));

    let (code, created) = call(
        &app,
        "POST",
        "",
        Some(json!({ "name": "Bug report", "language": "markdown", "body": "Steps: {{steps}}" })),
    )
    .await;
    assert_eq!(code, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["description"], Value::Null);
    assert!(created["created_at"].as_i64().unwrap() > 0);

    // Bad input is refused with the field named; nothing is written.
    for (body, field) in [
        (json!({ "name": "No body" }), "body"),
        (json!({ "name": "  ", "body": "x" }), "name"),
        (json!({ "name": "x", "body": "y", "owner": "me" }), "owner"),
        (json!({ "name": "x", "body": 42 }), "body"),
    ] {
        let (code, err) = call(&app, "POST", "", Some(body)).await;
        assert_eq!(code, 400, "{err}");
        assert_eq!(err["error"]["field"], field);
        assert_eq!(err["error"]["module"], "forge");
    }
    let (code, _) = call(&app, "POST", "", Some(json!(["not", "an object"]))).await;
    assert_eq!(code, 400);

    // Search: every word, in any searched field; `%` is no wildcard.
    let (_, found) = call(&app, "GET", "?q=markdown%20steps", None).await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["id"], id);
    let (_, found) = call(&app, "GET", "?q=100%25", None).await;
    assert_eq!(found["total"], 0);
    let (_, paged) = call(&app, "GET", "?per_page=1&page=1", None).await;
    assert_eq!(paged["items"].as_array().unwrap().len(), 1);
    assert_eq!(paged["total"], 2);

    let (code, updated) = call(
        &app,
        "PUT",
        &format!("/{id}"),
        Some(json!({ "description": "For the issue tracker" })),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(updated["description"], "For the issue tracker");
    assert_eq!(updated["name"], "Bug report", "fields not sent are kept");
    let (code, _) = call(&app, "PUT", &format!("/{id}"), Some(json!({ "body": "" }))).await;
    assert_eq!(code, 400, "a required field cannot be blanked");

    assert_eq!(call(&app, "DELETE", &format!("/{id}"), None).await.0, 204);
    assert_eq!(call(&app, "GET", &format!("/{id}"), None).await.0, 404);
    assert_eq!(call(&app, "DELETE", &format!("/{id}"), None).await.0, 404);
    assert_eq!(call(&app, "GET", "/not-a-number", None).await.0, 404);
    let res = app.get("/api/modules/forge/collections/nope").await;
    assert_eq!(res.status(), 404);

    // Every write is in the audit trail under the module's name.
    let (_, audit) = app.get_json("/api/admin/audit?module=forge").await;
    let actions: Vec<_> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "collection.deleted",
            "collection.updated",
            "collection.created"
        ]
    );
    assert_eq!(audit["entries"][2]["target"], format!("templates {id}"));
}

#[tokio::test]
async fn users_read_forge_but_only_administrators_write() {
    let app = forge_app(DevUser::User).await;
    let (code, page) = call(&app, "GET", "", None).await;
    assert_eq!((code, page["total"].as_u64()), (200, Some(1)));
    let (code, err) = call(&app, "POST", "", Some(json!({ "name": "x", "body": "y" }))).await;
    assert_eq!(code, 403);
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("only administrators may add items of collection `templates`"));
    let id = page["items"][0]["id"].as_i64().unwrap();
    assert_eq!(call(&app, "DELETE", &format!("/{id}"), None).await.0, 403);
    // The Editor tab is the administrators'.
    let (_, modules) = app.get_json("/api/modules").await;
    let forge = modules
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "forge")
        .unwrap();
    let tabs: Vec<_> = forge["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect();
    assert_eq!(tabs, ["browse"]);
}

#[tokio::test]
async fn forge_migrations_go_down_and_up() {
    let app = forge_app(DevUser::Admin).await;
    let module = discovery::drop_in(&in_tree_modules().join("forge"))
        .module
        .unwrap();
    assert_eq!(migrate::down(&module, &app.db, 1).await.unwrap(), [1]);
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'forge_templates'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
    migrate::up(&module, &app.db).await.unwrap();
    let (code, page) = call(&app, "GET", "", None).await;
    assert_eq!((code, page["total"].as_u64()), (200, Some(1)));
}

#[tokio::test]
async fn bad_collection_declarations_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = |name: &str, table: &str, fields: &str| {
        format!(
            "name = \"{name}\"\nversion = \"0.1.0\"\nmigrations = \"migrations\"\n\
             [[collections]]\nname = \"items\"\ntable = \"{table}\"\nfields = [{fields}]\n"
        )
    };
    let migration = |table: &str| {
        [
            (
                "migrations/0001_items.up.sql".to_owned(),
                format!("CREATE TABLE {table} (id INTEGER PRIMARY KEY, created_at INTEGER, updated_at INTEGER, title TEXT);"),
            ),
            ("migrations/0001_items.down.sql".to_owned(), format!("DROP TABLE {table};")),
        ]
    };
    let files = |table: &str| migration(table);
    let write = |folder: &str, manifest: String, table: &str| {
        let owned = files(table);
        let borrowed: Vec<(&str, &str)> = owned
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        drop_in(dir.path(), folder, &manifest, &borrowed);
    };
    write(
        "foreign",
        manifest("foreign", "users", "\"title\""),
        "foreign_items",
    );
    write(
        "keeps",
        manifest("keeps", "keeps_items", "\"title\", \"id\""),
        "keeps_items",
    );
    write(
        "missing",
        manifest("missing", "missing_items", "\"title\", \"price\""),
        "missing_items",
    );
    write(
        "unowned",
        manifest("unowned", "unowned_items", "\"title\"") + "delete = \"owner\"\n",
        "unowned_items",
    );
    write(
        "choices",
        manifest(
            "choices",
            "choices_items",
            "{ name = \"title\", type = \"one_of\" }",
        ),
        "choices_items",
    );
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    for (module, problem) in [
        (
            "unowned",
            "a rule is `owner` but items have no owner (set `owner = true`)",
        ),
        ("choices", "field `title` is one_of but lists no values"),
    ] {
        let status = app.module_status(module).await;
        assert_eq!(status["state"], "invalid", "{status:#}");
        assert_eq!(
            status["error"]["message"],
            format!("module `{module}`: collection `items`: {problem}")
        );
    }
    let foreign = app.module_status("foreign").await;
    assert_eq!(foreign["state"], "invalid");
    assert_eq!(
        foreign["error"]["message"],
        "module `foreign`: collection `items`: table `users` must start with `foreign_`"
    );
    assert!(app.module_status("keeps").await["error"]["message"]
        .as_str()
        .unwrap()
        .contains("field `id` is kept by the host"));
    let missing = app.module_status("missing").await;
    assert_eq!(missing["state"], "failed");
    let message = missing["error"]["message"].as_str().unwrap();
    assert!(
        message
            .starts_with("module `missing`: collection `items` cannot use table `missing_items`:")
            && message.contains("price"),
        "{message}"
    );
}

#[tokio::test]
async fn a_collection_over_a_view_is_refused() {
    // A view named like a module's table, reading the host's accounts (module
    // migrations cannot create one on SQLite, but a database may hold one).
    let data = tempfile::tempdir().unwrap();
    let first = TestApp::builder().data_dir(data.path()).spawn().await;
    sqlx::query(
        "CREATE VIEW peek_items AS SELECT rowid AS id, 0 AS created_at, 0 AS updated_at, \
         password_hash AS title FROM users",
    )
    .execute(&first.db.pool)
    .await
    .unwrap();
    first.shutdown().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    drop_in(
        dir.path(),
        "peek",
        "name = \"peek\"\nversion = \"0.1.0\"\n\
         [[collections]]\nname = \"items\"\ntable = \"peek_items\"\nfields = [\"title\"]\n",
        &[],
    );
    let app = TestApp::builder()
        .data_dir(data.path())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let peek = app.module_status("peek").await;
    assert_ne!(peek["state"], "running", "{peek:#}");
    assert!(
        peek["error"]["message"]
            .as_str()
            .unwrap()
            .contains("serves base tables only"),
        "{peek:#}"
    );
    let (status, _) = app.get_json("/api/modules/peek/collections/items").await;
    assert_eq!(status, 503);
}
