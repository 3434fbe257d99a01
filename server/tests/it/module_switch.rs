//! Disabling and enabling modules at runtime: hooks, the API's 503, `/api/modules`,
//! the live stream, restarts, a second instance and the command line.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use axum::{routing::get, Router};
use futures::StreamExt;
use gantry_sdk::{Module, NavItem};
use gantry_server::auth::DevUser;
use serde_json::{json, Value};

use crate::support::TestApp;

/// Counts of a module's `on_startup` and `on_shutdown` calls.
#[derive(Clone, Default)]
struct Hooks {
    started: Arc<AtomicUsize>,
    stopped: Arc<AtomicUsize>,
}

impl Hooks {
    fn counts(&self) -> (usize, usize) {
        (
            self.started.load(Ordering::SeqCst),
            self.stopped.load(Ordering::SeqCst),
        )
    }
}

/// `radio`: a page, an API answering `/ping`, and hooks that count.
fn radio(hooks: &Hooks) -> Module {
    let (started, stopped) = (hooks.started.clone(), hooks.stopped.clone());
    Module::builder("radio", "0.2.0")
        .display_name("Radio")
        .nav_item(NavItem::new("radio", "Radio", "/radio"))
        .router(Router::new().route("/ping", get(|| async { "pong" })))
        .on_startup(move |_ctx| {
            let started = started.clone();
            async move {
                started.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(())
            }
        })
        .on_shutdown(move |_ctx| {
            let stopped = stopped.clone();
            async move {
                stopped.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(())
            }
        })
        .build()
}

async fn admin_app(hooks: &Hooks) -> TestApp {
    TestApp::builder()
        .module(radio(hooks))
        .dev_user(DevUser::Admin)
        .spawn()
        .await
}

async fn switch(app: &TestApp, name: &str, enabled: bool) -> (u16, Value) {
    app.send_json(
        "PATCH",
        &format!("/api/admin/modules/{name}"),
        Some(json!({ "enabled": enabled })),
    )
    .await
}

async fn listed(app: &TestApp, name: &str) -> bool {
    let (status, list) = app.get_json("/api/modules").await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().iter().any(|m| m["name"] == name)
}

/// Waits (up to 10 s) until `GET /api/modules/radio/ping` answers `status` on `app`.
async fn until_ping_answers(app: &TestApp, status: u16) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let res = app.get("/api/modules/radio/ping").await;
        let got = res.status().as_u16();
        let body = res.text().await.unwrap();
        if got == status {
            return serde_json::from_str(&body).unwrap_or(Value::String(body));
        }
        assert!(
            Instant::now() < deadline,
            "{} answered {got} {body}, not {status}",
            app.base_url
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn disabling_stops_a_module_and_enabling_starts_it_again() {
    let hooks = Hooks::default();
    let app = admin_app(&hooks).await;
    assert_eq!(hooks.counts(), (1, 0));
    assert_eq!(until_ping_answers(&app, 200).await, "pong");

    let (status, body) = switch(&app, "radio", false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "disabled", "{body}");
    assert_eq!(hooks.counts(), (1, 1), "on_shutdown ran once");
    let refused = until_ping_answers(&app, 503).await;
    assert_eq!(refused["error"]["code"], "module_disabled", "{refused}");
    assert_eq!(refused["error"]["message"], "module `radio` is disabled");
    assert_eq!(refused["error"]["module"], "radio");
    assert!(!listed(&app, "radio").await, "gone from /api/modules");
    assert_eq!(app.module_status("radio").await["state"], "disabled");
    // Its page is gone from the sidebar of a page rendered now.
    let page = app.get("/").await.text().await.unwrap();
    assert!(!page.contains("href=\"/radio\""), "no sidebar link");

    // Asking again changes nothing and runs no hook.
    let (status, _) = switch(&app, "radio", false).await;
    assert_eq!(status, 200);
    assert_eq!(hooks.counts(), (1, 1));

    let (status, body) = switch(&app, "radio", true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "running", "{body}");
    assert_eq!(hooks.counts(), (2, 1), "on_startup ran again");
    assert_eq!(until_ping_answers(&app, 200).await, "pong");
    assert!(listed(&app, "radio").await);
    assert_eq!(
        app.audit_actions(&app.client, "module.").await,
        ["module.enabled", "module.disabled"],
        "each change is audited once, newest first"
    );
}

#[tokio::test]
async fn only_administrators_switch_modules_and_bad_requests_say_why() {
    let hooks = Hooks::default();
    let user_app = TestApp::builder()
        .module(radio(&hooks))
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let (status, body) = switch(&user_app, "radio", false).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(hooks.counts(), (1, 0), "nothing stopped");
    assert_eq!(until_ping_answers(&user_app, 200).await, "pong");

    let app = admin_app(&Hooks::default()).await;
    let (status, body) = switch(&app, "nothing-here", false).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["message"], "no module named `nothing-here`");
    let (status, body) = app
        .send_json(
            "PATCH",
            "/api/admin/modules/radio",
            Some(json!({ "enabled": "no" })),
        )
        .await;
    assert!(status == 400 || status == 422, "{status} {body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    let (status, body) = app
        .send_json(
            "PATCH",
            "/api/admin/modules/radio",
            Some(json!({ "enabled": false, "reason": "x" })),
        )
        .await;
    assert!(status == 400 || status == 422, "{status} {body}");
    assert_eq!(app.module_status("radio").await["state"], "running");
}

#[tokio::test]
async fn a_module_that_could_not_be_loaded_cannot_be_switched() {
    let broken = Module::builder("Bad Name", "0.1.0").build();
    let app = TestApp::builder()
        .module(broken)
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let (status, body) = switch(&app, "Bad Name", false).await;
    assert_eq!(status, 409, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("module `Bad Name` cannot be enabled or disabled"),
        "{message}"
    );
}

#[tokio::test]
async fn a_disabled_module_stays_off_across_a_restart_and_is_not_started() {
    let hooks = Hooks::default();
    // The SQLite file outlives the first server.
    let folder = tempfile::tempdir().unwrap();
    let app = TestApp::builder()
        .module(radio(&hooks))
        .dev_user(DevUser::Admin)
        .data_dir(folder.path())
        .spawn()
        .await;
    let database = app.database_url.clone();
    let (status, _) = switch(&app, "radio", false).await;
    assert_eq!(status, 200);
    app.shutdown().await.unwrap();
    assert_eq!(hooks.counts(), (1, 1), "not stopped twice");

    let again = Hooks::default();
    let restarted = TestApp::builder()
        .module(radio(&again))
        .dev_user(DevUser::Admin)
        .database(&database)
        .spawn()
        .await;
    assert_eq!(again.counts(), (0, 0), "a disabled module is not started");
    assert_eq!(restarted.module_status("radio").await["state"], "disabled");
    until_ping_answers(&restarted, 503).await;
    let (status, body) = switch(&restarted, "radio", true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(again.counts(), (1, 0));
    assert_eq!(until_ping_answers(&restarted, 200).await, "pong");
}

#[tokio::test]
async fn a_second_instance_follows_within_seconds() {
    let (first_hooks, second_hooks) = (Hooks::default(), Hooks::default());
    let first = admin_app(&first_hooks).await;
    let second = TestApp::builder()
        .module(radio(&second_hooks))
        .dev_user(DevUser::Admin)
        .database(&first.database_url)
        .spawn()
        .await;
    assert_eq!(until_ping_answers(&second, 200).await, "pong");

    let (status, _) = switch(&first, "radio", false).await;
    assert_eq!(status, 200);
    let refused = until_ping_answers(&second, 503).await;
    assert_eq!(refused["error"]["code"], "module_disabled", "{refused}");
    assert_eq!(second_hooks.counts(), (1, 1), "the second ran on_shutdown");
    assert!(!listed(&second, "radio").await);

    let (status, _) = switch(&second, "radio", true).await;
    assert_eq!(status, 200);
    assert_eq!(until_ping_answers(&first, 200).await, "pong");
    assert_eq!(first_hooks.counts(), (2, 1), "the first started it again");
}

#[tokio::test]
async fn the_command_line_disables_and_running_instances_follow() {
    let hooks = Hooks::default();
    let app = admin_app(&hooks).await;
    let folder = tempfile::tempdir().unwrap();
    // A drop-in the command line discovers, as the server would.
    let modules = folder.path().join("modules");
    std::fs::create_dir_all(modules.join("quiet")).unwrap();
    std::fs::write(
        modules.join("quiet/gantry-module.toml"),
        "name = \"quiet\"\ndisplay_name = \"Quiet\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let gantry = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gantry"))
            .args(["module"])
            .args(args)
            .arg("--modules-dir")
            .arg(&modules)
            .arg("--data-dir")
            .arg(folder.path())
            .env("DATABASE_URL", &app.database_url)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, said) = gantry(&["disable", "quiet"]);
    assert!(ok, "{said}");
    assert!(said.contains("module `quiet` is disabled"), "{said}");
    let (ok, said) = gantry(&["disable", "nothing-here"]);
    assert!(!ok, "{said}");
    assert!(said.contains("no module named `nothing-here`"), "{said}");

    // `radio` is compiled into the test server only: the command line refuses it,
    // so the row is written as an administrator's API call would.
    let (ok, said) = gantry(&["disable", "radio"]);
    assert!(!ok, "{said}");
    gantry_server::modules::switch::record(
        &app.db,
        "radio",
        false,
        &gantry_server::accounts::Acting::default(),
    )
    .await
    .unwrap();
    until_ping_answers(&app, 503).await;
    assert_eq!(hooks.counts(), (1, 1));
    let (ok, said) = gantry(&["enable", "quiet"]);
    assert!(ok, "{said}");
    assert!(said.contains("module `quiet` is enabled"), "{said}");
}

#[tokio::test]
async fn open_pages_are_told_when_a_module_goes_and_comes_back() {
    let app = admin_app(&Hooks::default()).await;
    let res = app.get("/api/events").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut events = res.bytes_stream();
    let mut buffer = String::new();
    assert_eq!(
        next_modules(&mut events, &mut buffer).await,
        ["radio"],
        "the list at once"
    );
    switch(&app, "radio", false).await;
    assert!(
        next_modules(&mut events, &mut buffer).await.is_empty(),
        "pushed when disabled"
    );
    switch(&app, "radio", true).await;
    assert_eq!(
        next_modules(&mut events, &mut buffer).await,
        ["radio"],
        "pushed when enabled"
    );
}

/// The names in the next `modules` event of a server-sent event stream.
async fn next_modules(
    events: &mut (impl futures::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin),
    buffer: &mut String,
) -> Vec<String> {
    loop {
        while let Some((event, rest)) = buffer.split_once("\n\n") {
            let (event, rest) = (event.to_owned(), rest.to_owned());
            *buffer = rest;
            if !event.lines().any(|l| l == "event: modules") {
                continue;
            }
            let data = event
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .expect("data");
            let list: Vec<Value> = serde_json::from_str(data).unwrap();
            return list
                .iter()
                .map(|m| m["name"].as_str().unwrap().to_owned())
                .collect();
        }
        let chunk = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("an event within 10 s")
            .expect("the stream goes on")
            .unwrap();
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

#[tokio::test]
async fn signed_out_pages_get_no_stream() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_json("/api/events").await;
    assert_eq!(status, 401, "{body}");
}
