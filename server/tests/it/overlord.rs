//! The Atom Overlord module through the real host: its migrations, its API (as an
//! administrator, and refused to users), its worker checking health and sending
//! tasks to a real HTTP project, and its entries in the audit trail.

use std::{
    sync::{
        atomic::{AtomicU16, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use axum::{extract::State, http::StatusCode, routing::get, Json, Router};
use gantry_server::{auth::DevUser, modules::migrate};
use serde_json::{json, Value};

use crate::{fixtures::overlord, support::TestApp};

/// A project the Overlord watches: `/health` answers `health`, `/dispatch` keeps
/// what it receives (after `delay`).
#[derive(Clone, Default)]
struct Project {
    health: Arc<AtomicU16>,
    /// Health checks received.
    checks: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Value>>>,
    delay: Arc<Mutex<Duration>>,
}

async fn spawn_project(project: Project) -> String {
    async fn health(State(p): State<Project>) -> StatusCode {
        p.checks.fetch_add(1, Ordering::SeqCst);
        StatusCode::from_u16(p.health.load(Ordering::SeqCst)).unwrap()
    }
    async fn dispatch(State(p): State<Project>, Json(task): Json<Value>) -> String {
        let delay = *p.delay.lock().unwrap();
        tokio::time::sleep(delay).await;
        p.received.lock().unwrap().push(task);
        "accepted".into()
    }
    project.health.store(200, Ordering::SeqCst);
    let app = Router::new()
        .route("/health", get(health))
        .route("/dispatch", axum::routing::post(dispatch))
        // Elsewhere: a redirect the Overlord must not follow.
        .route(
            "/moved",
            axum::routing::post(|| async {
                (StatusCode::FOUND, [("location", "/dispatch")], "moved")
            }),
        )
        // An answer that never ends.
        .route(
            "/endless",
            axum::routing::post(|| async {
                let chunk = axum::body::Bytes::from(vec![b'x'; 16 * 1024]);
                axum::body::Body::from_stream(futures::stream::repeat_with(move || {
                    Ok::<_, std::convert::Infallible>(chunk.clone())
                }))
            }),
        )
        .with_state(project);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// The Overlord with a fast worker; its bundle is a stand-in (the real one is built
/// by `cargo xtask`), as these tests exercise the backend.
async fn spawn(assets: &tempfile::TempDir) -> TestApp {
    TestApp::builder()
        .module(overlord(assets.path()))
        .dev_user(DevUser::Admin)
        .spawn()
        .await
}

async fn call(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let path = format!("/api/modules/overlord{path}");
    app.send_json(method, &path, body).await
}

/// Polls `path` until `ready` holds (at most 10 s).
async fn until(app: &TestApp, path: &str, ready: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let (status, body) = call(app, "GET", path, None).await;
        assert_eq!(status, 200, "{body}");
        if ready(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never got ready");
}

#[tokio::test]
async fn the_overlord_runs_with_its_own_tables() {
    let assets = tempfile::tempdir().unwrap();
    let app = spawn(&assets).await;
    let status = app.module_status("overlord").await;
    assert_eq!(status["state"], "running", "{status:#}");
    assert_eq!(status["migrations"][0]["applied"], true);
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'overlord%' ORDER BY name",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        tables,
        [
            "overlord_memory",
            "overlord_projects",
            "overlord_state",
            "overlord_task_events",
            "overlord_tasks"
        ]
    );
    // The sidebar entry and every tab are for administrators.
    let (_, modules) = app.get_json("/api/modules").await;
    let tabs: Vec<_> = modules[0]["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tabs, ["ecosystem", "dispatch", "memory", "audit"]);
}

#[tokio::test]
async fn overlord_migrations_go_down_and_up() {
    let assets = tempfile::tempdir().unwrap();
    let app = spawn(&assets).await;
    let module = overlord(assets.path());
    assert_eq!(migrate::down(&module, &app.db, 2).await.unwrap(), [2, 1]);
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'overlord%'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    let states = migrate::up(&module, &app.db).await.unwrap();
    assert!(states.iter().all(|m| m.applied));
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE target = 'overlord 1' ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(
        audited,
        [
            "migration.applied",
            "migration.rolled_back",
            "migration.applied"
        ]
    );
}

#[tokio::test]
async fn ecosystem_watches_project_health() {
    let project = Project::default();
    let url = spawn_project(project.clone()).await;
    let assets = tempfile::tempdir().unwrap();
    let app = spawn(&assets).await;

    let (status, body) = call(
        &app,
        "POST",
        "/projects",
        Some(json!({ "name": "alpha", "location": "git@example:alpha", "health_url": "ftp://x" })),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "health_url");
    assert_eq!(body["error"]["module"], "overlord");

    let (status, created) = call(
        &app,
        "POST",
        "/projects",
        Some(json!({
            "name": "alpha",
            "location": "git@example:alpha",
            "health_url": format!("{url}/health"),
        })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["health"], "up", "checked at once: {created}");
    let (status, _) = call(&app, "POST", "/projects", Some(json!({ "name": "alpha" }))).await;
    assert_eq!(status, 409);

    // The worker notices the change by itself.
    project.health.store(503, Ordering::SeqCst);
    let projects = until(&app, "/projects", |p| p[0]["health"] == "down").await;
    assert_eq!(projects[0]["health_detail"], "HTTP 503");
    project.health.store(200, Ordering::SeqCst);
    until(&app, "/projects", |p| p[0]["health"] == "up").await;

    // Health changes are in the module's audit view and the host's trail. The audit
    // entry follows the status write, so it is waited for rather than read at once.
    let activity = until(&app, "/activity?action=project.health_changed", |a| {
        a["entries"].as_array().is_some_and(|e| e.len() >= 3)
    })
    .await;
    let details: Vec<_> = activity["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(details.len(), 3, "{activity:#}");
    assert!(details[1].starts_with("up → down"), "{details:?}");
    let (_, host) = app
        .get_json("/api/admin/audit?module=overlord&action=project.added")
        .await;
    assert_eq!(host["entries"][0]["actor"], "Admin (development)");
    assert_eq!(host["entries"][0]["target"], "alpha");

    let id = created["id"].as_i64().unwrap();
    let (status, edited) = call(
        &app,
        "PUT",
        &format!("/projects/{id}"),
        Some(json!({ "name": "alpha-2", "location": "elsewhere" })),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["health_url"], Value::Null);
    assert_eq!(
        call(&app, "DELETE", &format!("/projects/{id}"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        call(&app, "DELETE", &format!("/projects/{id}"), None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn two_instances_on_one_database_check_each_project_once_a_round() {
    let project = Project::default();
    let url = spawn_project(project.clone()).await;
    let assets = tempfile::tempdir().unwrap();
    let first = spawn(&assets).await;
    let second = TestApp::builder()
        .module(overlord(assets.path()))
        .dev_user(DevUser::Admin)
        .database(&first.database_url)
        .data_dir(first.data_dir.path())
        .spawn()
        .await;
    let (status, _) = call(
        &second,
        "POST",
        "/projects",
        Some(json!({ "name": "shared", "health_url": format!("{url}/health") })),
    )
    .await;
    assert_eq!(status, 201);
    // Both workers go round every 100 ms; a round claims the health checks only
    // when 90 ms have passed since the last claim, whichever instance made it.
    let window = Duration::from_secs(3);
    let before = project.checks.load(Ordering::SeqCst);
    let started = std::time::Instant::now();
    tokio::time::sleep(window).await;
    let checks = project.checks.load(Ordering::SeqCst) - before;
    let rounds = started.elapsed().as_millis() as usize / 90 + 2;
    assert!(
        (3..=rounds).contains(&checks),
        "{checks} health checks in {window:?}: at most {rounds} rounds"
    );
    // Tasks too go out once, whichever instance takes them.
    let task = one_task_to(&first, "once", &format!("{url}/dispatch")).await;
    assert_eq!(task["state"], "done", "{task}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(project.received.lock().unwrap().len(), 1, "sent once");
}

#[tokio::test]
async fn dispatch_sends_tasks_by_priority_and_keeps_their_history() {
    let project = Project::default();
    let url = spawn_project(project.clone()).await;
    let assets = tempfile::tempdir().unwrap();
    let app = spawn(&assets).await;
    let (_, created) = call(
        &app,
        "POST",
        "/projects",
        Some(json!({ "name": "beta", "dispatch_url": format!("{url}/dispatch") })),
    )
    .await;
    let project_id = created["id"].as_i64().unwrap();
    let (_, quiet) = call(&app, "POST", "/projects", Some(json!({ "name": "quiet" }))).await;

    let (status, body) = call(
        &app,
        "POST",
        "/tasks",
        Some(json!({ "project_id": quiet["id"], "instruction": "hello", "priority": "low" })),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no dispatch URL"));

    let (status, task) = call(
        &app,
        "POST",
        "/tasks",
        Some(json!({ "project_id": project_id, "instruction": "rebuild the index", "priority": "high" })),
    )
    .await;
    assert_eq!(status, 201);
    let tasks = until(&app, "/tasks", |t| t[0]["state"] == "done").await;
    assert_eq!(tasks[0]["id"], task["id"]);
    assert_eq!(tasks[0]["result"], "accepted");
    let history: Vec<_> = tasks[0]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(history, ["queued", "running", "done"]);
    let received = project.received.lock().unwrap().clone();
    assert_eq!(received[0]["instruction"], "rebuild the index");
    assert_eq!(received[0]["priority"], "high");

    // While one task is on its way, the next waits in the queue and can be cancelled.
    *project.delay.lock().unwrap() = Duration::from_millis(1500);
    let (_, slow) = call(
        &app,
        "POST",
        "/tasks",
        Some(json!({ "project_id": project_id, "instruction": "slow one", "priority": "normal" })),
    )
    .await;
    until(&app, "/tasks?state=running", |t| {
        !t.as_array().unwrap().is_empty()
    })
    .await;
    let (_, waiting) = call(
        &app,
        "POST",
        "/tasks",
        Some(json!({ "project_id": project_id, "instruction": "never mind", "priority": "low" })),
    )
    .await;
    let (status, _) = call(
        &app,
        "POST",
        &format!("/tasks/{}/cancel", waiting["id"]),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = call(&app, "POST", &format!("/tasks/{}/cancel", slow["id"]), None).await;
    assert_eq!(status, 409, "{body}");
    until(
        &app,
        &format!("/tasks?state=done&project_id={project_id}"),
        |t| t.as_array().unwrap().len() == 2,
    )
    .await;
    let (_, cancelled) = call(&app, "GET", "/tasks?state=cancelled", None).await;
    assert_eq!(cancelled[0]["id"], waiting["id"]);
    assert_eq!(
        project.received.lock().unwrap().len(),
        2,
        "the cancelled task was never sent"
    );
    let (status, _) = call(&app, "GET", "/tasks?state=sideways", None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn memory_is_searched_edited_and_paged() {
    let assets = tempfile::tempdir().unwrap();
    let app = spawn(&assets).await;
    for (key, content, tags) in [
        (
            "deploy",
            "Deploys go through the blue/green pipeline",
            vec!["ops", "ci"],
        ),
        ("style", "Rust code is formatted with rustfmt", vec!["rust"]),
        (
            "owners",
            "The indexer belongs to team Rust infra",
            vec!["ops", "Rust"],
        ),
    ] {
        let (status, _) = call(
            &app,
            "POST",
            "/memory",
            Some(
                json!({ "key": key, "content": content, "tags": tags, "source_project": "alpha" }),
            ),
        )
        .await;
        assert_eq!(status, 201);
    }
    let keys = |page: &Value| -> Vec<String> {
        page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["key"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, found) = call(&app, "GET", "/memory?q=rust", None).await;
    assert_eq!(keys(&found), ["owners", "style"]);
    let (_, found) = call(&app, "GET", "/memory?q=rust%20infra", None).await;
    assert_eq!(keys(&found), ["owners"]);
    let (_, found) = call(&app, "GET", "/memory?tag=ops", None).await;
    assert_eq!(keys(&found), ["owners", "deploy"]);
    let (_, found) = call(&app, "GET", "/memory?q=100%25", None).await;
    assert_eq!(found["total"], 0, "% is no wildcard");
    let (_, page) = call(&app, "GET", "/memory?per_page=2&page=1", None).await;
    assert_eq!(
        (page["total"].as_u64(), keys(&page)),
        (Some(3), vec!["deploy".to_owned()])
    );

    let id = found_id(&app, "style").await;
    let (status, edited) = call(
        &app,
        "PUT",
        &format!("/memory/{id}"),
        Some(json!({ "key": "style", "content": "Use rustfmt and clippy", "tags": ["rust", "lint"] })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(edited["tags"], json!(["lint", "rust"]));
    let (status, body) = call(
        &app,
        "PUT",
        &format!("/memory/{id}"),
        Some(json!({ "key": "", "content": "x" })),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("key"))
    );
    assert_eq!(
        call(&app, "DELETE", &format!("/memory/{id}"), None).await.0,
        204
    );
    assert_eq!(
        call(
            &app,
            "PUT",
            &format!("/memory/{id}"),
            Some(json!({ "key": "a", "content": "b" }))
        )
        .await
        .0,
        404
    );
    let (_, activity) = call(&app, "GET", "/activity?action=memory.", None).await;
    assert_eq!(activity["total"], 5);
}

async fn found_id(app: &TestApp, key: &str) -> i64 {
    let (_, page) = call(app, "GET", &format!("/memory?q={key}"), None).await;
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_overlords_tools_report_search_and_dispatch() {
    let project = Project::default();
    let url = spawn_project(project.clone()).await;
    let assets = tempfile::tempdir().unwrap();
    let app = spawn(&assets).await;
    let (_, modules) = app.get_json("/api/modules").await;
    let tools: Vec<(String, bool)> = modules[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t["confirm"] == true))
        .collect();
    assert_eq!(
        tools,
        [
            ("search_memory".to_owned(), false),
            ("project_status".to_owned(), false),
            ("dispatch_task".to_owned(), true)
        ]
    );
    call(
        &app,
        "POST",
        "/projects",
        Some(json!({ "name": "Beta", "dispatch_url": format!("{url}/dispatch") })),
    )
    .await;
    call(
        &app,
        "POST",
        "/memory",
        Some(json!({ "key": "deploys", "content": "Beta deploys on Fridays", "tags": [] })),
    )
    .await;

    let (status, found) = call(
        &app,
        "POST",
        "/tools/search_memory",
        Some(json!({ "query": "fridays" })),
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["entries"][0]["key"], "deploys");

    let (status, report) = call(
        &app,
        "POST",
        "/tools/project_status",
        Some(json!({ "project": "beta" })),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["projects"][0]["name"], "Beta");
    assert_eq!(report["projects"][0]["takes_tasks"], true);
    let (status, missing) = call(
        &app,
        "POST",
        "/tools/project_status",
        Some(json!({ "project": "gamma" })),
    )
    .await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["error"]["message"], "no project named `gamma`");

    let (status, task) = call(
        &app,
        "POST",
        "/tools/dispatch_task",
        Some(json!({ "project": "beta", "instruction": "reindex", "priority": "high" })),
    )
    .await;
    assert_eq!(status, 201, "{task}");
    let tasks = until(&app, "/tasks", |t| t[0]["state"] == "done").await;
    assert_eq!(tasks[0]["id"], task["id"]);
    assert_eq!(
        project.received.lock().unwrap()[0]["instruction"],
        "reindex"
    );
    // The schema is the host's to check: an unknown priority never reaches the module.
    let (status, refused) = call(
        &app,
        "POST",
        "/tools/dispatch_task",
        Some(json!({ "project": "beta", "instruction": "x", "priority": "urgent" })),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
}

#[tokio::test]
async fn users_are_refused_the_overlord() {
    let assets = tempfile::tempdir().unwrap();
    let app = TestApp::builder()
        .module(overlord(assets.path()))
        .dev_user(DevUser::User)
        .spawn()
        .await;
    for path in ["/projects", "/tasks", "/memory", "/activity", "/bundle.js"] {
        let (status, body) = call(&app, "GET", path, None).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (status, body) = call(&app, "POST", "/tools/project_status", Some(json!({}))).await;
    assert_eq!(status, 403, "{body}");
    let (_, modules) = app.get_json("/api/modules").await;
    assert_eq!(modules, json!([]), "not even listed");
    // Its page does not exist for them (as for any module page they may not see).
    assert_eq!(app.get("/overlord").await.status(), 404);
}

#[tokio::test]
async fn tasks_interrupted_by_a_restart_are_marked_failed() {
    let assets = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let first = TestApp::builder()
        .module(overlord(assets.path()))
        .dev_user(DevUser::Admin)
        .data_dir(data.path())
        .spawn()
        .await;
    let (_, project) = call(
        &first,
        "POST",
        "/projects",
        Some(json!({ "name": "gamma", "dispatch_url": "http://127.0.0.1:9/never" })),
    )
    .await;
    // As if Gantry had stopped in the middle of sending it.
    sqlx::query(
        "INSERT INTO overlord_tasks (project_id, instruction, priority, state, created_by, created_at, updated_at) \
         VALUES ($1, 'half sent', 1, 'running', 'x', 0, 0)",
    )
    .bind(project["id"].as_i64().unwrap())
    .execute(&first.db.pool)
    .await
    .unwrap();
    // Another instance, still up, is sending this one: its lease has not run out.
    sqlx::query(
        "INSERT INTO overlord_tasks (project_id, instruction, priority, state, created_by, created_at, updated_at, lease_until) \
         VALUES ($1, 'being sent elsewhere', 1, 'running', 'x', 0, 0, $2)",
    )
    .bind(project["id"].as_i64().unwrap())
    .bind(i64::MAX / 2)
    .execute(&first.db.pool)
    .await
    .unwrap();
    first.shutdown().await.unwrap();

    let second = TestApp::builder()
        .module(overlord(assets.path()))
        .dev_user(DevUser::Admin)
        .data_dir(data.path())
        .spawn()
        .await;
    let (_, tasks) = call(&second, "GET", "/tasks", None).await;
    let task = |instruction: &str| {
        tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["instruction"] == instruction)
            .unwrap()
            .clone()
    };
    let interrupted = task("half sent");
    assert_eq!(interrupted["state"], "failed");
    assert!(interrupted["result"]
        .as_str()
        .unwrap()
        .starts_with("interrupted"));
    assert_eq!(task("being sent elsewhere")["state"], "running");
    let (_, activity) = call(&second, "GET", "/activity?action=task.failed", None).await;
    assert!(activity.to_string().contains("interrupted"), "{activity}");
    let (_, projects) = call(&second, "GET", "/projects", None).await;
    assert_eq!(projects[0]["name"], "gamma", "kept across the restart");
}

/// Sends one task (instruction `name`) to a new project `name` dispatching to
/// `dispatch_url`; the task once it is done or failed.
async fn one_task_to(app: &TestApp, name: &str, dispatch_url: &str) -> Value {
    let (_, created) = call(
        app,
        "POST",
        "/projects",
        Some(json!({ "name": name, "dispatch_url": dispatch_url })),
    )
    .await;
    let (status, _) = call(
        app,
        "POST",
        "/tasks",
        Some(json!({ "project_id": created["id"], "instruction": name, "priority": "low" })),
    )
    .await;
    assert_eq!(status, 201);
    let tasks = until(app, "/tasks", |t| {
        t.as_array()
            .unwrap()
            .iter()
            .all(|t| t["state"] == "done" || t["state"] == "failed")
    })
    .await;
    tasks[0].clone()
}

#[tokio::test]
async fn dispatch_follows_no_redirect() {
    let project = Project::default();
    let url = spawn_project(project.clone()).await;
    let assets = tempfile::tempdir().unwrap();
    let app = spawn(&assets).await;
    let moved = one_task_to(&app, "moved", &format!("{url}/moved")).await;
    assert_eq!(moved["instruction"], "moved");
    assert_eq!(moved["state"], "failed", "{moved:#}");
    assert!(
        moved["result"].as_str().unwrap().starts_with("HTTP 302"),
        "{moved:#}"
    );
    assert!(
        project.received.lock().unwrap().is_empty(),
        "the redirect was not followed"
    );
}

#[tokio::test]
async fn an_endless_answer_is_read_only_so_far() {
    let project = Project::default();
    let url = spawn_project(project.clone()).await;
    let assets = tempfile::tempdir().unwrap();
    let app = spawn(&assets).await;
    let task = one_task_to(&app, "endless", &format!("{url}/endless")).await;
    // Done from its first 64 KiB, not failed by the time limit while reading on.
    assert_eq!(task["state"], "done", "{task:#}");
    let result = task["result"].as_str().unwrap();
    assert_eq!(result.len(), 2000);
    assert!(result.bytes().all(|b| b == b'x'));
}

#[tokio::test]
async fn its_request_time_limit_is_a_setting_an_administrator_changes() {
    let project = Project::default();
    *project.delay.lock().unwrap() = Duration::from_millis(1500);
    let url = spawn_project(project.clone()).await;
    let assets = tempfile::tempdir().unwrap();
    let app = spawn(&assets).await;
    let (status, view) = app
        .send_json("GET", "/api/modules/overlord/settings/instance", None)
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["values"]["request_timeout_secs"], 5.0, "{view}");
    assert_eq!(view["values"]["interval_secs"], 0.1, "{view}");
    let patient = one_task_to(&app, "patient", &format!("{url}/dispatch")).await;
    assert_eq!(patient["state"], "done", "{patient:#}");

    let (status, saved) = app
        .send_json(
            "PUT",
            "/api/modules/overlord/settings/instance",
            Some(json!({"values": {"request_timeout_secs": 0.5}})),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let hasty = one_task_to(&app, "hasty", &format!("{url}/dispatch")).await;
    assert_eq!(
        hasty["state"], "failed",
        "the next round uses it: {hasty:#}"
    );
    let (status, refused) = app
        .send_json(
            "PUT",
            "/api/modules/overlord/settings/instance",
            Some(json!({"values": {"interval_secs": 0}})),
        )
        .await;
    assert_eq!(
        (status, refused["error"]["field"].clone()),
        (400, json!("interval_secs"))
    );
}
