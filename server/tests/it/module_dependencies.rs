//! Modules that need other modules: start order, unmet and cyclic dependencies, and
//! disabling or enabling a module others depend on.

use std::sync::{Arc, Mutex};

use gantry_sdk::Module;
use gantry_server::auth::DevUser;
use serde_json::{json, Value};

use crate::support::TestApp;

/// Who started and stopped, in order.
type Log = Arc<Mutex<Vec<String>>>;

/// A module `name` that notes its start and stop in `log`, needing `depends`.
fn logged(name: &str, depends: &[(&str, &str)], log: &Log) -> Module {
    let (on_start, on_stop) = (log.clone(), log.clone());
    let (start_name, stop_name) = (format!("start {name}"), format!("stop {name}"));
    let mut builder = Module::builder(name, "0.1.0")
        .on_startup(move |_ctx| {
            on_start.lock().unwrap().push(start_name.clone());
            async { Ok::<_, std::io::Error>(()) }
        })
        .on_shutdown(move |_ctx| {
            on_stop.lock().unwrap().push(stop_name.clone());
            async { Ok::<_, std::io::Error>(()) }
        });
    for (dependency, range) in depends {
        builder = builder.depends(*dependency, *range);
    }
    builder.build()
}

async fn app_with(modules: Vec<Module>) -> TestApp {
    let mut builder = TestApp::builder().dev_user(DevUser::Admin);
    for module in modules {
        builder = builder.module(module);
    }
    builder.spawn().await
}

async fn switch(app: &TestApp, name: &str, body: Value) -> (u16, Value) {
    app.send_json("PATCH", &format!("/api/admin/modules/{name}"), Some(body))
        .await
}

#[tokio::test]
async fn a_module_starts_after_what_it_needs() {
    let log = Log::default();
    // By name `aaa-app` would come first; it needs `zzz-base`, so it starts second.
    let app = app_with(vec![
        logged("aaa-app", &[("zzz-base", ">=0.1, <0.2")], &log),
        logged("zzz-base", &[], &log),
    ])
    .await;
    assert_eq!(*log.lock().unwrap(), ["start zzz-base", "start aaa-app"]);
    assert_eq!(app.module_status("aaa-app").await["state"], "running");
    assert_eq!(
        app.module_status("aaa-app").await["depends"],
        json!({"zzz-base": ">=0.1, <0.2"})
    );
}

#[tokio::test]
async fn unmet_dependencies_make_a_module_incompatible_naming_them() {
    let log = Log::default();
    let failing = Module::builder("shaky", "0.1.0")
        .on_startup(|_ctx| async { Err::<(), _>(std::io::Error::other("no luck")) })
        .build();
    let app = app_with(vec![
        logged("base", &[], &log),
        logged("lonely", &[("nothere", ">=0.1")], &log),
        logged("picky", &[("base", ">=2")], &log),
        failing,
        logged("hopeful", &[("shaky", "*")], &log),
        logged("ring-a", &[("ring-b", "*")], &log),
        logged("ring-b", &[("ring-a", "*")], &log),
        logged("after-ring", &[("ring-a", "*")], &log),
    ])
    .await;
    for (module, message) in [
        (
            "lonely",
            "module `lonely` needs `nothere` (>=0.1), which is not installed",
        ),
        (
            "picky",
            "module `picky` needs `base` (>=2), but `base` is 0.1.0",
        ),
        (
            "hopeful",
            "module `hopeful` needs `shaky` (*), which is failed",
        ),
        (
            "ring-a",
            "module `ring-a`: its dependencies form a cycle: ring-a → ring-b → ring-a",
        ),
        (
            "ring-b",
            "module `ring-b`: its dependencies form a cycle: ring-b → ring-a → ring-b",
        ),
    ] {
        let status = app.module_status(module).await;
        assert_eq!(status["state"], "incompatible", "{status}");
        assert_eq!(status["error"]["step"], "dependencies", "{status}");
        assert_eq!(status["error"]["message"], message);
    }
    let after_ring = app.module_status("after-ring").await;
    assert_eq!(after_ring["state"], "incompatible", "{after_ring}");
    assert_eq!(*log.lock().unwrap(), ["start base"], "only `base` started");
    // The host and the module that has what it needs keep going.
    assert_eq!(app.module_status("base").await["state"], "running");
}

#[tokio::test]
async fn disabling_a_needed_module_names_who_needs_it_and_takes_them_along_when_asked() {
    let log = Log::default();
    let app = app_with(vec![
        logged("base", &[], &log),
        logged("middle", &[("base", "*")], &log),
        logged("top", &[("middle", "*")], &log),
    ])
    .await;
    let (status, body) = switch(&app, "base", json!({"enabled": false})).await;
    assert_eq!(status, 409, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("module `base` is needed by `middle`, `top`"),
        "{message}"
    );
    assert_eq!(app.module_status("base").await["state"], "running");

    let (status, body) = switch(
        &app,
        "base",
        json!({"enabled": false, "with_dependents": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for module in ["base", "middle", "top"] {
        assert_eq!(app.module_status(module).await["state"], "disabled");
    }
    let stops: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("stop"))
        .cloned()
        .collect();
    assert_eq!(
        stops,
        ["stop top", "stop middle", "stop base"],
        "each after what needs it"
    );

    // Enabling one whose dependency is off says which.
    let (status, body) = switch(&app, "middle", json!({"enabled": true})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["error"]["message"],
        "module `middle` needs `base` (*), which is disabled; enable it first"
    );
    for module in ["base", "middle", "top"] {
        let (status, body) = switch(&app, module, json!({"enabled": true})).await;
        assert_eq!(status, 200, "{module}: {body}");
        assert_eq!(body["state"], "running", "{body}");
    }
}

#[tokio::test]
async fn a_module_left_waiting_on_a_disabled_dependency_starts_with_it() {
    let log = Log::default();
    let folder = tempfile::tempdir().unwrap();
    let first = TestApp::builder()
        .dev_user(DevUser::Admin)
        .data_dir(folder.path())
        .module(logged("base", &[], &log))
        .module(logged("app", &[("base", "*")], &log))
        .spawn()
        .await;
    let database = first.database_url.clone();
    let (status, _) = switch(
        &first,
        "base",
        json!({"enabled": false, "with_dependents": true}),
    )
    .await;
    assert_eq!(status, 200);
    // Another instance (as after a restart) where only `base` was turned back on by
    // the command line's row: `app` is still off too, by its own row.
    gantry_server::modules::switch::record(
        &first.db,
        "app",
        true,
        &gantry_server::accounts::Acting::default(),
    )
    .await
    .unwrap();
    let second = TestApp::builder()
        .dev_user(DevUser::Admin)
        .database(&database)
        .module(logged("base", &[], &log))
        .module(logged("app", &[("base", "*")], &log))
        .spawn()
        .await;
    let waiting = second.module_status("app").await;
    assert_eq!(waiting["state"], "incompatible", "{waiting}");
    assert_eq!(
        waiting["error"]["message"],
        "module `app` needs `base` (*), which is disabled"
    );
    let (status, _) = switch(&second, "base", json!({"enabled": true})).await;
    assert_eq!(status, 200);
    // What waited only for `base` starts with it, unasked.
    let started = second.module_status("app").await;
    assert_eq!(started["state"], "running", "{started}");
}
