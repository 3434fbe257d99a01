//! Discovery and validation: compiled-in and drop-in modules, and broken ones beside
//! good ones.

use gantry_server::auth::DevUser;
use serde_json::json;

use crate::{
    fixtures::{drop_in, forge, notes, notes_builder, secrets},
    support::TestApp,
};

#[tokio::test]
async fn api_modules_lists_a_compiled_in_module_with_the_designs_fields() {
    let app = TestApp::builder()
        .module(notes())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let (status, body) = app.get_json("/api/modules").await;
    assert_eq!(status, 200);
    let notes = &body[0];
    assert_eq!(notes["name"], "notes");
    assert_eq!(notes["display_name"], "Notes");
    assert_eq!(notes["version"], "0.3.1");
    assert_eq!(notes["description"], "Short notes");
    assert_eq!(
        notes["nav_items"][0],
        json!({"id": "notes", "label": "Notes", "icon": "note", "route": "/notes", "order": 30,
               "requires_admin": false, "frontend_component": ""})
    );
    assert_eq!(notes["tabs"].as_array().unwrap().len(), 3);
    assert_eq!(notes["tabs"][0]["section"], serde_json::Value::Null);
    assert_eq!(notes["tabs"][2]["section"], "settings");
    let bundle = notes["frontend_bundle"].as_str().unwrap();
    assert!(
        bundle.starts_with("/api/modules/notes/bundle.js?v=") && bundle.len() > 35,
        "{bundle}"
    );
}

#[tokio::test]
async fn a_drop_in_folder_is_a_module() {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let (_, body) = app.get_json("/api/modules").await;
    assert_eq!(body[0]["name"], "forge");
    assert_eq!(body[0]["nav_items"][0]["route"], "/forge");
    let bundle = body[0]["frontend_bundle"].as_str().unwrap();
    let res = app.get(bundle).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "export const Browse = {};\n");
}

#[tokio::test]
async fn non_admins_see_neither_admin_items_nor_admin_only_modules() {
    let app = TestApp::builder()
        .module(notes())
        .module(secrets())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let (_, body) = app.get_json("/api/modules").await;
    let names: Vec<_> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["name"])
        .collect();
    assert_eq!(names, ["notes"]);
    let tabs: Vec<_> = body[0]["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(tabs, ["all", "prefs"]);

    let admin = TestApp::builder()
        .module(notes())
        .module(secrets())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let (_, body) = admin.get_json("/api/modules").await;
    assert_eq!(body.as_array().unwrap().len(), 2);
    assert_eq!(body[0]["tabs"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn anonymous_requests_are_refused() {
    let app = TestApp::builder().module(notes()).spawn().await;
    let (status, body) = app.get_json("/api/modules").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert_eq!(app.get("/api/modules/notes/hello").await.status(), 401);
    assert_eq!(app.get("/api/admin/modules").await.status(), 401);
}

#[tokio::test]
async fn the_status_endpoint_is_for_admins() {
    let app = TestApp::builder()
        .module(notes())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let (status, body) = app.get_json("/api/admin/modules").await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "forbidden");
}

#[tokio::test]
async fn a_broken_module_is_reported_and_skipped_beside_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    drop_in(
        dir.path(),
        "broken",
        "name = \"broken\"\nversion = 3\n",
        &[],
    );
    drop_in(
        dir.path(),
        "typo",
        "name = \"typo\"\nversion = \"0.1.0\"\nfrontend_bundel = \"x.js\"\n",
        &[],
    );
    drop_in(
        dir.path(),
        "tab-typo",
        "name = \"tab-typo\"\nversion = \"0.1.0\"\nfrontend_bundle = \"x.js\"\n\
         [[tabs]]\nid = \"a\"\nlabel = \"A\"\nfrontend_component = \"A\"\nsectoin = \"admin\"\n",
        &[("x.js", "")],
    );
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;

    let (_, listed) = app.get_json("/api/modules").await;
    let names: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["name"])
        .collect();
    assert_eq!(names, ["notes", "forge"]);

    let broken = app.module_status("broken").await;
    assert_eq!(broken["state"], "invalid");
    assert_eq!(broken["error"]["step"], "discovery");
    let message = broken["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("module folder `broken`: cannot read gantry-module.toml:")
            && message.contains("version"),
        "{message}"
    );
    let typo = app.module_status("typo").await;
    assert!(
        typo["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `frontend_bundel`"),
        "{typo}"
    );
    // A typo inside a tab is caught too, not silently dropped.
    let tab_typo = app.module_status("tab-typo").await;
    assert!(
        tab_typo["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `sectoin`"),
        "{tab_typo}"
    );
    assert_eq!(app.module_status("forge").await["state"], "running");
    assert_eq!(app.get("/api/modules/notes/hello").await.status(), 200);
}

#[tokio::test]
async fn invalid_manifests_are_refused_with_the_module_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("bad-version", "version = \"1.x\"", "version `1.x` is not semver"),
        (
            "bad-prefix",
            "version = \"0.1.0\"\nrouter_prefix = \"/api/elsewhere\"",
            "router_prefix must be `/api/modules/bad-prefix`, not `/api/elsewhere`",
        ),
        (
            "bad-route",
            "version = \"0.1.0\"\n[[nav_items]]\nid = \"a\"\nlabel = \"A\"\nroute = \"/admin\"",
            "nav item `a` route `/admin` clashes with the host's `/admin`",
        ),
        (
            "future",
            "version = \"0.1.0\"\nhost_version = \">=99\"",
            "supports Gantry `>=99`, but this host is",
        ),
        (
            "bad-section",
            "version = \"0.1.0\"\nfrontend_bundle = \"i.js\"\n[[tabs]]\nid = \"t\"\nlabel = \"T\"\nfrontend_component = \"T\"\nsection = \"sidebar\"",
            "unknown variant `sidebar`, expected `admin` or `settings`",
        ),
        (
            "no-component",
            "version = \"0.1.0\"\n[[tabs]]\nid = \"t\"\nlabel = \"T\"",
            "tab `t` has no frontend_component",
        ),
        (
            "escape",
            "version = \"0.1.0\"\nfrontend_bundle = \"../secret.js\"",
            "frontend_bundle `../secret.js` is outside the module's folder",
        ),
        (
            "missing-bundle",
            "version = \"0.1.0\"\nfrontend_bundle = \"dist/index.js\"",
            "frontend_bundle `dist/index.js` does not exist",
        ),
    ];
    std::fs::write(dir.path().join("secret.js"), "secret").unwrap();
    for (name, rest, _) in &cases {
        drop_in(
            dir.path(),
            name,
            &format!("name = \"{name}\"\n{rest}\n"),
            &[("i.js", "")],
        );
    }
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    for (name, _, expected) in cases {
        let status = app.module_status(name).await;
        let message = status["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{name}: {message}");
        let state = if name == "future" {
            "incompatible"
        } else {
            "invalid"
        };
        assert_eq!(status["state"], state, "{name}");
        // Refused modules are never served.
        let res = app.get(&format!("/api/modules/{name}/anything")).await;
        assert_eq!(res.status(), 503, "{name}");
    }
}

#[tokio::test]
async fn duplicate_names_and_routes_are_refused_for_the_later_module() {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "notes");
    drop_in(
        dir.path(),
        "copycat",
        "name = \"copycat\"\nversion = \"0.1.0\"\n[[nav_items]]\nid = \"n\"\nlabel = \"N\"\nroute = \"/notes\"\n",
        &[],
    );
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let statuses = app.get_json("/api/admin/modules").await.1;
    let notes: Vec<_> = statuses
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["name"] == "notes")
        .collect();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["state"], "running");
    assert_eq!(notes[0]["source"]["kind"], "compiled_in");
    assert_eq!(notes[1]["state"], "invalid");
    assert_eq!(
        notes[1]["error"]["message"],
        "module `notes`: another module already has this name"
    );
    assert_eq!(
        app.module_status("copycat").await["error"]["message"],
        "module `copycat`: nav route `/notes` already belongs to module `notes`"
    );
}

#[tokio::test]
async fn admin_status_reports_state_timings_bundle_and_migrations() {
    let app = TestApp::builder()
        .module(notes_builder().build())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let notes = app.module_status("notes").await;
    assert_eq!(notes["state"], "running");
    assert_eq!(notes["error"], serde_json::Value::Null);
    assert_eq!(notes["router_prefix"], "/api/modules/notes");
    assert!(notes["timings"]["migrations_ms"].as_f64().unwrap() >= 0.0);
    assert!(notes["timings"]["startup_ms"].as_f64().is_some());
    let bundle_size = std::fs::metadata(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/notes/frontend/index.js"
    ))
    .unwrap()
    .len();
    assert_eq!(notes["bundle"]["size"], bundle_size);
    assert_eq!(notes["bundle"]["hash"].as_str().unwrap().len(), 16);
    assert_eq!(
        notes["migrations"],
        json!([
            {"version": 1, "description": "items", "applied": true},
            {"version": 2, "description": "tags", "applied": true}
        ])
    );
}
