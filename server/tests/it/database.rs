use gantry_server::db::Db;
use sqlx::Row;

use crate::support::TestApp;

#[tokio::test]
async fn first_run_creates_the_file_in_wal_mode_with_core_tables() {
    let app = TestApp::spawn().await;
    assert!(app.data_dir.path().join("gantry.db").is_file());
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(mode, "wal");
    sqlx::query("INSERT INTO instance_settings (key, value) VALUES ('k', 'v')")
        .execute(&app.db.pool)
        .await
        .expect("core table exists");
}

#[tokio::test]
async fn migrations_are_tracked_and_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/nested/g.db", dir.path().display());
    let db = Db::connect(&url).await.unwrap();
    let pending = db.migration_status().await.unwrap();
    assert!(!pending.is_empty());
    assert!(pending.iter().all(|m| !m.applied));

    let applied = db.migrate().await.unwrap();
    assert_eq!(
        applied,
        pending.iter().map(|m| m.version).collect::<Vec<_>>()
    );
    assert!(
        db.migrate().await.unwrap().is_empty(),
        "second run applies nothing"
    );
    // Each applied migration is in the audit trail, once.
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT target FROM audit_log WHERE action = 'migration.applied' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        audited,
        applied
            .iter()
            .map(|v| format!("core {v}"))
            .collect::<Vec<_>>()
    );
    let status = db.migration_status().await.unwrap();
    assert!(status.iter().all(|m| m.applied));
    assert_eq!(status[0].description, "instance settings");
}

#[tokio::test]
async fn unsupported_urls_are_refused_clearly() {
    let err = Db::connect("mysql://localhost/gantry").await.unwrap_err();
    assert!(
        err.to_string().contains("unsupported database URL"),
        "{err}"
    );
}

/// Instances starting at the same moment take turns: on PostgreSQL the second
/// waits for the first's start-up (migrations, setup token, first administrator,
/// modules) to end. SQLite's file lock does that itself: there is no turn to take.
#[tokio::test]
async fn instances_starting_at_once_take_turns() {
    let app = TestApp::spawn().await;
    let first = app.db.startup_turn().await.unwrap();
    let other = Db::connect(&app.db.url).await.unwrap();
    let second = tokio::spawn(async move {
        let turn = other.startup_turn().await.unwrap();
        drop(turn);
    });
    if !crate::support::on_postgres() {
        // No lock to wait for.
        second.await.unwrap();
        return;
    }
    // Still waiting while the first holds its turn; through once it ends.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!second.is_finished(), "the second start-up did not wait");
    drop(first);
    tokio::time::timeout(std::time::Duration::from_secs(10), second)
        .await
        .expect("the second start-up got its turn")
        .unwrap();
}
