//! Lifecycle hooks: awaited at start-up with a time limit, contained when they fail,
//! and called on graceful shutdown.

use std::{
    sync::{atomic::AtomicUsize, Arc},
    time::Duration,
};

use gantry_sdk::Module;
use gantry_server::auth::DevUser;

use crate::{
    fixtures::{counted_shutdown, notes},
    support::TestApp,
};

fn failing() -> Module {
    Module::builder("failing", "0.1.0")
        .on_startup(|_ctx| async {
            Err::<(), _>(std::io::Error::other("the upstream API key is missing"))
        })
        .build()
}

fn panicking() -> Module {
    Module::builder("panicking", "0.1.0")
        .on_startup(|_ctx| async {
            let empty: Vec<u8> = Vec::new();
            let _ = empty[3];
            Ok::<_, std::io::Error>(())
        })
        .build()
}

fn hanging() -> Module {
    Module::builder("hanging", "0.1.0")
        .on_startup(|_ctx| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok::<_, std::io::Error>(())
        })
        .build()
}

#[tokio::test]
async fn startup_failures_panics_and_timeouts_stop_only_their_module() {
    let start = TestApp::builder()
        .module(notes())
        .module(failing())
        .module(panicking())
        .module(hanging())
        .hook_timeout(Duration::from_millis(300))
        .dev_user(DevUser::Admin)
        .spawn();
    // Bounded so that a missing hook time limit fails here, at once, instead of
    // hanging the suite for the hour `hanging` sleeps.
    let app = tokio::time::timeout(Duration::from_secs(60), start)
        .await
        .expect("the server started within 60 s: is on_startup's time limit applied?");
    let failing = app.module_status("failing").await;
    assert_eq!(failing["state"], "failed");
    assert_eq!(failing["error"]["step"], "startup");
    assert_eq!(
        failing["error"]["message"],
        "module `failing`: on_startup failed: the upstream API key is missing"
    );
    let panicking = app.module_status("panicking").await;
    assert_eq!(panicking["state"], "failed");
    assert!(panicking["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("module `panicking`: on_startup panicked: index out of bounds"));
    assert_eq!(
        app.module_status("hanging").await["error"]["message"],
        "module `hanging`: on_startup did not finish within 300ms"
    );
    // notes' on_startup ran (it wrote a row) and notes serves.
    assert_eq!(app.module_status("notes").await["state"], "running");
    let res = app.get("/api/modules/notes/count").await;
    assert_eq!(res.text().await.unwrap(), "notes has 1 notes");
    // Each failure is in the audit trail, with its cause.
    let (_, audit) = app.get_json("/api/admin/audit?action=module.failed").await;
    let mut failed: Vec<_> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["target"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        [
            ("failing", "system"),
            ("hanging", "system"),
            ("panicking", "system")
        ]
    );
    assert!(audit["entries"][0]["detail"]
        .as_str()
        .unwrap()
        .starts_with("module `"));
}

#[tokio::test]
async fn on_shutdown_runs_on_graceful_shutdown() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = TestApp::builder()
        .module(counted_shutdown(calls.clone()))
        .module(failing())
        .spawn()
        .await;
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
    app.shutdown().await.unwrap();
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
}
