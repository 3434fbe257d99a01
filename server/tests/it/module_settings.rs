//! Declared module settings: served from the declaration, checked on the server,
//! kept per instance or per user, secrets write-only and encrypted at rest, and
//! handed to the module's code with a change notification.

use axum::{extract::State, routing::get, Json, Router};
use gantry_sdk::{CurrentUser, Module, ModuleContext, Setting, SettingType};
use gantry_server::accounts::Role;
use reqwest::Client;
use serde_json::{json, Value};

use crate::support::{on_postgres, sign_in_people, TestApp};

const SECRET: &str = "sk-live-7d1f2e9a-the-key";

/// `tuner`: one setting of each kind, and routes that show what its code reads.
fn tuner() -> Module {
    async fn instance(State(ctx): State<ModuleContext>) -> Json<Value> {
        Json(Value::Object(ctx.settings().instance().await.unwrap().0))
    }
    async fn mine(State(ctx): State<ModuleContext>, user: CurrentUser) -> Json<Value> {
        Json(Value::Object(
            ctx.settings().user(&user.id).await.unwrap().0,
        ))
    }
    async fn saves(State(ctx): State<ModuleContext>) -> String {
        ctx.settings().changes().borrow().to_string()
    }
    Module::builder("tuner", "0.1.0")
        .setting(
            Setting::new("greeting", "Greeting", SettingType::String)
                .pattern("[a-z ]+")
                .default_value("hello"),
        )
        .setting(
            Setting::new("volume", "Volume", SettingType::Number)
                .range(Some(0.0), Some(11.0))
                .default_value(5)
                .required(),
        )
        .setting(Setting::new("loud", "Loud", SettingType::Bool))
        .setting(Setting::new("mode", "Mode", SettingType::Select).options(["fast", "safe"]))
        .setting(Setting::new("api_key", "API key", SettingType::Secret))
        .setting(Setting::new("nickname", "Nickname", SettingType::String).per_user())
        .setting(Setting::new("token", "Your token", SettingType::Secret).per_user())
        .router(
            Router::new()
                .route("/read/instance", get(instance))
                .route("/read/mine", get(mine))
                .route("/saves", get(saves)),
        )
        .build()
}

async fn app_with_people() -> (TestApp, Client, Client, Client) {
    let app = TestApp::builder().module(tuner()).spawn().await;
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
    (app, root, alice, bob)
}

const INSTANCE: &str = "/api/modules/tuner/settings/instance";

/// `PUT path` with `{"values": values}` as the user of `client`.
async fn save(app: &TestApp, client: &Client, path: &str, values: Value) -> (u16, Value) {
    app.call(client, "PUT", path, Some(json!({ "values": values })))
        .await
}

/// The HTML of the page at `path` as the user of `client` sees it.
async fn page(app: &TestApp, client: &Client, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
const MINE: &str = "/api/modules/tuner/settings/user";

#[tokio::test]
async fn instance_settings_start_at_their_defaults_and_are_saved_checked() {
    let (app, root, _alice, _bob) = app_with_people().await;
    let (status, view) = app.call(&root, "GET", INSTANCE, None).await;
    assert_eq!(status, 200, "{view}");
    let keys: Vec<&str> = view["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["greeting", "volume", "loud", "mode", "api_key"]);
    assert_eq!(
        view["values"],
        json!({"greeting": "hello", "volume": 5, "loud": null, "mode": null})
    );
    assert_eq!(view["secrets"], json!({"api_key": false}));

    let (status, saved) = save(
        &app,
        &root,
        INSTANCE,
        json!({"volume": 7, "loud": true, "mode": "safe", "greeting": "good day"}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["values"],
        json!({"greeting": "good day", "volume": 7, "loud": true, "mode": "safe"})
    );
    let (_, read) = app
        .call(&root, "GET", "/api/modules/tuner/read/instance", None)
        .await;
    assert_eq!(read["volume"], 7, "the module reads what was saved: {read}");

    // Each refusal names the field; nothing of a refused save is kept.
    for (values, field, words) in [
        (json!({"volume": 12}), "volume", "must be at most 11"),
        (json!({"volume": "loud"}), "volume", "must be a number"),
        (
            json!({"greeting": "Hello!"}),
            "greeting",
            "must match `[a-z ]+`",
        ),
        (
            json!({"mode": "slow"}),
            "mode",
            "must be one of: fast, safe",
        ),
        (json!({"loud": "yes"}), "loud", "must be true or false"),
        (
            json!({"nickname": "x"}),
            "nickname",
            "has no instance-wide setting `nickname`",
        ),
        (json!({"api_key": ""}), "api_key", "is empty"),
        (
            json!({"volume": 1, "colour": "red"}),
            "colour",
            "has no instance-wide setting `colour`",
        ),
    ] {
        let (status, body) = app
            .call(&root, "PUT", INSTANCE, Some(json!({ "values": values })))
            .await;
        assert_eq!(status, 400, "{values}: {body}");
        assert_eq!(body["error"]["field"], field, "{body}");
        assert_eq!(body["error"]["module"], "tuner", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{values}: {message}");
    }
    let (_, view) = app.call(&root, "GET", INSTANCE, None).await;
    assert_eq!(
        view["values"]["volume"], 7,
        "nothing of a refused save: {view}"
    );

    // `null` goes back to the default.
    let (status, view) = save(&app, &root, INSTANCE, json!({"volume": null})).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["values"]["volume"], 5);
    // A body of the wrong shape is refused in the API's words.
    let (status, body) = app
        .call(&root, "PUT", INSTANCE, Some(json!({"volume": 3})))
        .await;
    assert!(status == 400 || status == 422, "{status} {body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert_eq!(
        app.audit_actions(&root, "module.settings").await,
        ["module.settings_saved", "module.settings_saved"]
    );
}

#[tokio::test]
async fn a_secret_is_written_once_encrypted_and_never_read_back() {
    let (app, root, alice, _bob) = app_with_people().await;
    let (status, saved) = save(&app, &root, INSTANCE, json!({"api_key": SECRET})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["secrets"]["api_key"], true);
    assert!(!saved.to_string().contains(SECRET), "{saved}");
    // The module's code reads it; no API, page or audit entry shows it.
    let (_, read) = app
        .call(&root, "GET", "/api/modules/tuner/read/instance", None)
        .await;
    assert_eq!(read["api_key"], SECRET);
    for path in [
        INSTANCE,
        "/api/modules",
        "/api/admin/modules",
        "/api/admin/audit",
        "/admin",
    ] {
        let (_, body) = app.call(&root, "GET", path, None).await;
        assert!(
            !body.to_string().contains(SECRET),
            "{path} shows the secret"
        );
    }
    // Users see the values but not even whether the secret is set.
    let (status, view) = app.call(&alice, "GET", INSTANCE, None).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["secrets"], json!({}));
    assert_eq!(view["values"]["volume"], 5);
    // At rest: neither the secrets table nor the module storage holds it in clear.
    let sealed: Vec<String> = sqlx::query_scalar("SELECT sealed FROM secrets")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert!(!sealed.is_empty());
    let in_hex = SECRET
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    assert!(sealed
        .iter()
        .all(|s| !s.contains(SECRET) && !s.contains(&in_hex)));
    let kept: Vec<String> = sqlx::query_scalar("SELECT value FROM module_storage")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert!(kept.iter().all(|v| !v.contains(SECRET)), "{kept:?}");
    // Saving other values leaves it alone; null removes it.
    save(&app, &root, INSTANCE, json!({"loud": false})).await;
    let (_, read) = app
        .call(&root, "GET", "/api/modules/tuner/read/instance", None)
        .await;
    assert_eq!(read["api_key"], SECRET);
    let (status, view) = save(&app, &root, INSTANCE, json!({"api_key": null})).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["secrets"]["api_key"], false);
    let (_, read) = app
        .call(&root, "GET", "/api/modules/tuner/read/instance", None)
        .await;
    assert_eq!(read["api_key"], Value::Null);
}

#[tokio::test]
async fn users_keep_their_own_settings_and_only_administrators_save_the_instance() {
    let (app, root, alice, bob) = app_with_people().await;
    let (status, body) = save(&app, &alice, INSTANCE, json!({"volume": 1})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body["error"]["message"],
        "module `tuner`: instance-wide settings are set by administrators"
    );
    let (status, view) = app.call(&alice, "GET", MINE, None).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["values"], json!({"nickname": null}));
    assert_eq!(view["secrets"], json!({"token": false}));
    let (status, view) = save(
        &app,
        &alice,
        MINE,
        json!({"nickname": "ally", "token": "alice-own-token"}),
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["values"]["nickname"], "ally");
    assert_eq!(view["secrets"]["token"], true);
    // Bob has none of Alice's; the module reads each one's own.
    let (_, view) = app.call(&bob, "GET", MINE, None).await;
    assert_eq!(view["values"]["nickname"], Value::Null);
    assert_eq!(view["secrets"]["token"], false);
    let (_, read) = app
        .call(&alice, "GET", "/api/modules/tuner/read/mine", None)
        .await;
    assert_eq!(
        read,
        json!({"nickname": "ally", "token": "alice-own-token"})
    );
    let (_, read) = app
        .call(&bob, "GET", "/api/modules/tuner/read/mine", None)
        .await;
    assert_eq!(read, json!({"nickname": null, "token": null}));
    // A user's own settings are not instance ones, and the other way round.
    let (status, body) = save(&app, &alice, MINE, json!({"volume": 3})).await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (400, json!("volume"))
    );
    // Per-user saves are not administrators' actions: no audit entry.
    assert!(app.audit_actions(&root, "module.settings").await.is_empty());
}

#[tokio::test]
async fn the_module_hears_of_each_save() {
    let (app, root, alice, _bob) = app_with_people().await;
    let saves = async |client: &Client| {
        let (_, count) = app
            .call(client, "GET", "/api/modules/tuner/saves", None)
            .await;
        count
    };
    assert_eq!(saves(&root).await, 0);
    save(&app, &root, INSTANCE, json!({"volume": 2})).await;
    assert_eq!(saves(&root).await, 1);
    save(&app, &alice, MINE, json!({"nickname": "a"})).await;
    assert_eq!(saves(&root).await, 2);
    // A refused save changes nothing.
    save(&app, &root, INSTANCE, json!({"volume": 99})).await;
    assert_eq!(saves(&root).await, 2);
}

#[tokio::test]
async fn on_postgres_the_module_on_another_instance_hears_of_a_save() {
    if !on_postgres() {
        return;
    }
    let (first, root, _alice, _bob) = app_with_people().await;
    let second = TestApp::builder()
        .module(tuner())
        .database(&first.database_url)
        .data_dir(first.data_dir.path())
        .spawn()
        .await;
    let saves_on_second = async || {
        let (status, count) = second
            .call(&root, "GET", "/api/modules/tuner/saves", None)
            .await;
        assert_eq!(status, 200, "{count}");
        count.as_u64().unwrap()
    };
    assert_eq!(saves_on_second().await, 0);
    // Saved on the first until the second (whose listener starts on its own) hears.
    for volume in 1..=10 {
        save(&first, &root, INSTANCE, json!({ "volume": volume })).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        if saves_on_second().await > 0 {
            let (_, read) = second
                .call(&root, "GET", "/api/modules/tuner/read/instance", None)
                .await;
            assert_eq!(read["volume"], volume, "{read}");
            return;
        }
    }
    panic!("the second instance's module never heard of a save");
}

#[tokio::test]
async fn the_admin_page_and_settings_page_get_a_settings_tab_for_the_module() {
    let (app, root, alice, _bob) = app_with_people().await;
    let (_, admin_modules) = app.call(&root, "GET", "/api/modules", None).await;
    let settings = &admin_modules[0]["settings"];
    assert_eq!(settings.as_array().unwrap().len(), 7, "{admin_modules}");
    // Users are told only of the settings they may set.
    let (_, user_modules) = app.call(&alice, "GET", "/api/modules", None).await;
    let keys: Vec<&str> = user_modules[0]["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["nickname", "token"]);
    let html = page(&app, &root, "/admin").await;
    assert!(html.contains(r#"href="/admin/tuner/settings""#), "{html}");
    let html = page(&app, &alice, "/settings").await;
    assert!(
        html.contains(r#"href="/settings/tuner/settings""#),
        "{html}"
    );
}

#[tokio::test]
async fn a_bad_declaration_makes_the_module_invalid_with_the_reason() {
    let broken = Module::builder("knobs", "0.1.0")
        .setting(Setting::new("mode", "Mode", SettingType::Select))
        .build();
    let app = TestApp::builder()
        .module(broken)
        .dev_user(gantry_server::auth::DevUser::Admin)
        .spawn()
        .await;
    let status = app.module_status("knobs").await;
    assert_eq!(status["state"], "invalid", "{status}");
    assert_eq!(
        status["error"]["message"],
        "module `knobs`: setting `mode`: a select needs options"
    );
}

#[tokio::test]
async fn a_drop_in_declares_settings_and_dependencies_in_its_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dial")).unwrap();
    std::fs::write(
        dir.path().join("dial/gantry-module.toml"),
        r#"name = "dial"
display_name = "Dial"
version = "0.1.0"
depends = { tuner = ">=0.1, <0.2" }

[[settings]]
key = "level"
label = "Level"
type = "number"
min = 1
max = 3
default = 2
"#,
    )
    .unwrap();
    let app = TestApp::builder()
        .module(tuner())
        .drop_in_dir(dir.path())
        .dev_user(gantry_server::auth::DevUser::Admin)
        .spawn()
        .await;
    let status = app.module_status("dial").await;
    assert_eq!(status["state"], "running", "{status}");
    assert_eq!(status["depends"], json!({"tuner": ">=0.1, <0.2"}));
    let (code, view) = app.get_json("/api/modules/dial/settings/instance").await;
    assert_eq!(code, 200, "{view}");
    assert_eq!(view["values"], json!({"level": 2}));
    let (code, body) = app
        .send_json(
            "PUT",
            "/api/modules/dial/settings/instance",
            Some(json!({"values": {"level": 3.0}})),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["values"]["level"], json!(3), "kept as a whole number");
}
