//! `gantry dev`: the module under development is taken in again on each change to
//! its folder, without a restart: its new bundle (at a new URL, so open pages
//! remount it), its new migrations, and a broken manifest's reason until the next
//! save recovers.

use std::{path::Path, time::Duration};

use futures::StreamExt;
use gantry_server::auth::DevUser;
use serde_json::Value;

use crate::support::TestApp;

const MANIFEST: &str = r#"name = "sketch"
display_name = "Sketch"
version = "0.1.0"
frontend_bundle = "index.js"
migrations = "migrations"

[[nav_items]]
id = "sketch"
label = "Sketch"
route = "/sketch"
frontend_component = "Pad"
"#;

fn write(folder: &Path, path: &str, text: &str) {
    let path = folder.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn bundle(said: &str) -> String {
    format!(
        "window.__GANTRY_MODULES__ ??= {{}};\nwindow.__GANTRY_MODULES__.sketch = {{ abi: 1, components: {{ Pad: (el) => {{ el.textContent = \"{said}\"; }} }} }};\n"
    )
}

/// Migration `name` creating `table`, for both databases.
fn migration(folder: &Path, name: &str, table: &str) {
    for (dialect, key) in [
        ("sqlite", "INTEGER PRIMARY KEY"),
        ("postgres", "BIGSERIAL PRIMARY KEY"),
    ] {
        write(
            folder,
            &format!("migrations/{dialect}/{name}.down.sql"),
            &format!("DROP TABLE {table};\n"),
        );
        write(
            folder,
            &format!("migrations/{dialect}/{name}.up.sql"),
            &format!("CREATE TABLE {table} (id {key}, body TEXT NOT NULL);\n"),
        );
    }
}

/// Module `sketch`'s status once `holds` (the folder is followed: nobody asks for
/// the reload), within 10 s.
async fn until(app: &TestApp, what: &str, holds: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let status = app.module_status("sketch").await;
        if holds(&status) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: {:#}", app.module_status("sketch").await)
}

/// Sketch's bundle URL in `/api/modules`, if it is listed.
async fn bundle_url(app: &TestApp) -> Option<String> {
    let (status, modules) = app.get_json("/api/modules").await;
    assert_eq!(status, 200, "{modules}");
    modules
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "sketch")
        .map(|m| m["frontend_bundle"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn each_change_to_the_folder_is_taken_in_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("sketch");
    write(&folder, "gantry-module.toml", MANIFEST);
    write(&folder, "index.js", &bundle("first"));
    migration(&folder, "0001_pages", "sketch_pages");
    let app = TestApp::builder()
        .dev_user(DevUser::Admin)
        .dev_module(&folder)
        .spawn()
        .await;
    assert_eq!(app.module_status("sketch").await["state"], "running");
    let first = bundle_url(&app).await.expect("listed");
    let mut events = app.get("/api/events").await.bytes_stream();

    // A new bundle: served at a new URL, so open pages mount it again.
    write(&folder, "index.js", &bundle("second"));
    until(&app, "the new bundle", |s| {
        !first.ends_with(s["bundle"]["hash"].as_str().unwrap_or_default())
    })
    .await;
    let second = bundle_url(&app).await.expect("still listed");
    assert_ne!(first, second);
    let code = app.get(&second).await.text().await.unwrap();
    assert!(code.contains("\"second\""), "{code}");

    // A new migration is applied, and its table is there.
    migration(&folder, "0002_notes", "sketch_notes");
    until(&app, "the new migration applied", |s| {
        s["migrations"].as_array().unwrap().len() == 2
            && s["migrations"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["applied"] == true)
    })
    .await;
    sqlx::query("INSERT INTO sketch_notes (body) VALUES ('kept')")
        .execute(&app.db.pool)
        .await
        .unwrap();

    // A broken manifest: the module stops, with why, and leaves the users' list.
    write(
        &folder,
        "gantry-module.toml",
        "name = \"sketch\"\nversion = ",
    );
    let broken = until(&app, "refused", |s| s["state"] == "invalid").await;
    let why = broken["error"]["message"].as_str().unwrap();
    assert!(why.contains("gantry-module.toml"), "{why}");
    assert_eq!(bundle_url(&app).await, None);
    // An administrator's open page hears why.
    let problems = next_event(&mut events, "problems", |data| data.contains("sketch")).await;
    assert!(problems.contains("gantry-module.toml"), "{problems}");

    // The next good save recovers, data kept.
    write(&folder, "gantry-module.toml", MANIFEST);
    until(&app, "running again", |s| s["state"] == "running").await;
    assert!(bundle_url(&app).await.is_some());
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sketch_notes")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(kept, 1);
    next_event(&mut events, "problems", |data| data == "{}").await;

    // A migration edited after it was applied is refused, with why; put back, the
    // module runs again.
    for dialect in ["sqlite", "postgres"] {
        let path = format!("migrations/{dialect}/0001_pages.up.sql");
        let edited = std::fs::read_to_string(folder.join(&path)).unwrap() + "-- edited\n";
        write(&folder, &path, &edited);
    }
    let refused = until(&app, "the edited migration refused", |s| {
        s["state"] == "failed"
    })
    .await;
    let why = refused["error"]["message"].as_str().unwrap();
    assert!(why.contains("modified") || why.contains("changed"), "{why}");
    migration(&folder, "0001_pages", "sketch_pages");
    until(&app, "running once it is put back", |s| {
        s["state"] == "running"
    })
    .await;
}

#[tokio::test]
async fn the_scaffolders_module_works_under_gantry_dev_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    gantry_server::module_command::new(
        "jotter",
        gantry_server::module_command::Kind::Js,
        dir.path(),
    )
    .unwrap();
    let folder = dir.path().join("jotter");
    let app = TestApp::builder()
        .dev_user(DevUser::Admin)
        .dev_module(&folder)
        .spawn()
        .await;
    let first = app.module_status("jotter").await;
    assert_eq!(first["state"], "running", "{first:#}");
    let code = std::fs::read_to_string(folder.join("index.js")).unwrap();
    write(&folder, "index.js", &format!("{code}\n// saved again\n"));
    for _ in 0..100 {
        let now = app.module_status("jotter").await;
        if now["bundle"]["hash"] != first["bundle"]["hash"] && now["state"] == "running" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the saved bundle was not taken in: {:#}",
        app.module_status("jotter").await
    );
}

/// What the build put in sketch's static files.
async fn served(app: &TestApp) -> String {
    let response = app.get("/modules/sketch/static/pkg/said.txt").await;
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_frontend_is_built_before_each_reading_and_a_failed_build_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("sketch");
    let sources = dir.path().join("sketch-frontend");
    let manifest = MANIFEST.replace(
        "frontend_bundle = \"index.js\"\n",
        "frontend_bundle = \"index.js\"\nstatic_dir = \"static\"\n",
    );
    write(&folder, "gantry-module.toml", &manifest);
    write(&folder, "index.js", &bundle("first"));
    migration(&folder, "0001_pages", "sketch_pages");
    write(&sources, "said.txt", "broken");
    // A stand-in for a compiler: "builds" the sources into the module's static
    // files, and fails like cargo when they say `broken`.
    let build = "if grep -q broken ../sketch-frontend/said.txt; then \
           echo '   Compiling sketch v0.1.0'; \
           echo 'error[E0425]: cannot find value `said` in this scope' >&2; exit 101; \
         fi; mkdir -p static/pkg && cp ../sketch-frontend/said.txt static/pkg/said.txt";
    let app = TestApp::builder()
        .dev_user(DevUser::Admin)
        .dev_module(&folder)
        .dev_build(build, Some(sources.clone()))
        .spawn()
        .await;

    // Built before it is first read: a failed build stops the module with the
    // compiler's first error.
    let failed = app.module_status("sketch").await;
    let why = failed["error"]["message"].as_str().unwrap();
    assert!(
        why.contains("module `sketch`: its frontend did not build"),
        "{why}"
    );
    assert!(
        why.contains("error[E0425]: cannot find value `said`"),
        "{why}"
    );
    assert!(!why.contains("Compiling"), "{why}");
    assert_eq!(bundle_url(&app).await, None);

    // The next build that passes brings it back.
    write(&sources, "said.txt", "one");
    let first = until(&app, "running once built", |s| s["state"] == "running").await;
    assert_eq!(served(&app).await, "one");

    // A change to the sources outside the module's folder: built, then read again
    // (a new bundle URL, so open pages remount it).
    write(&sources, "said.txt", "two");
    let rebuilt = until(&app, "rebuilt", |s| {
        s["bundle"]["hash"] != first["bundle"]["hash"] && s["state"] == "running"
    })
    .await;
    assert_eq!(served(&app).await, "two");
    // The build's own output is not a change to take in: no second round.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let settled = app.module_status("sketch").await;
    assert_eq!(settled["bundle"]["hash"], rebuilt["bundle"]["hash"]);

    // A failed build after a change stops it again; the next good one recovers.
    write(&sources, "said.txt", "broken");
    let failed = until(&app, "the failed build", |s| s["error"].is_object()).await;
    let why = failed["error"]["message"].as_str().unwrap();
    assert!(why.contains("error[E0425]"), "{why}");
    write(&sources, "said.txt", "three");
    until(&app, "running again", |s| s["state"] == "running").await;
    assert_eq!(served(&app).await, "three");
}

/// The data of the next `kind` event that `wanted`, within 10 s.
async fn next_event(
    events: &mut (impl futures::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin),
    kind: &str,
    wanted: impl Fn(&str) -> bool,
) -> String {
    let mut buffer = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        while let Some((event, rest)) = buffer.split_once("\n\n") {
            let (event, rest) = (event.to_owned(), rest.to_owned());
            buffer = rest;
            let data = event
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .unwrap_or_default();
            if event.lines().any(|l| l == format!("event: {kind}")) && wanted(data) {
                return data.to_owned();
            }
        }
        let chunk = tokio::time::timeout_at(deadline, events.next())
            .await
            .unwrap_or_else(|_| panic!("no wanted `{kind}` event within 10 s"))
            .expect("the stream goes on")
            .unwrap();
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}
