//! Module migrations: tracked per module, reversible, prefix-checked, contained.

use gantry_server::{
    auth::DevUser,
    modules::{migrate, ModuleOptions},
};
use sqlx::Row;

use crate::{
    fixtures::{drop_in, forge, notes, notes_builder},
    support::{on_postgres, TestApp},
};

async fn tables(app: &TestApp) -> Vec<String> {
    sqlx::query(if on_postgres() {
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    })
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
    .iter()
    .map(|row| row.try_get::<String, _>(0).unwrap())
    .collect()
}

#[tokio::test]
async fn module_migrations_run_after_core_and_are_tracked_apart() {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let tables = tables(&app).await;
    for table in [
        "_sqlx_migrations",
        "instance_settings",
        "_gantry_migrations_notes",
        "notes_items",
        "notes_tags",
        "_gantry_migrations_forge",
        "forge_templates",
    ] {
        assert!(
            tables.contains(&table.to_owned()),
            "{table} missing from {tables:?}"
        );
    }
    // Both modules have a version 1; neither clashes with core's.
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _gantry_migrations_forge")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(versions, [1]);
    assert_eq!(
        app.module_status("forge").await["migrations"][0]["applied"],
        true
    );
}

#[tokio::test]
async fn down_by_steps_up_again_and_baseline() {
    let app = TestApp::builder().module(notes()).spawn().await;
    let module = notes_builder().build();

    let reverted = migrate::down(&module, &app.db, 1).await.unwrap();
    assert_eq!(reverted, [2]);
    let now = tables(&app).await;
    assert!(!now.contains(&"notes_tags".to_owned()) && now.contains(&"notes_items".to_owned()));
    // Rows of the untouched table survive.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notes_items")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 1);

    let status = migrate::up(&module, &app.db).await.unwrap();
    assert!(status.iter().all(|m| m.applied));
    assert!(tables(&app).await.contains(&"notes_tags".to_owned()));

    assert_eq!(migrate::down(&module, &app.db, 5).await.unwrap(), [2, 1]);
    assert!(!tables(&app).await.iter().any(|t| t.starts_with("notes_")));
    assert!(tables(&app).await.contains(&"instance_settings".to_owned()));

    // A database whose schema already matches: record version 1 without running it.
    sqlx::query("CREATE TABLE notes_items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .execute(&app.db.pool)
        .await
        .unwrap();
    migrate::baseline(&module, &app.db, Some(1)).await.unwrap();
    let status = migrate::up(&module, &app.db).await.unwrap();
    assert!(status.iter().all(|m| m.applied), "{status:?}");
}

#[tokio::test]
async fn a_migration_outside_the_prefix_is_refused_and_nothing_of_it_stays() {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    drop_in(
        dir.path(),
        "grabby",
        "name = \"grabby\"\nversion = \"0.1.0\"\nmigrations = \"migrations\"\n",
        &[
            (
                "migrations/0001_init.up.sql",
                "CREATE TABLE grabby_ok (id INTEGER);\nDROP TABLE instance_settings;",
            ),
            ("migrations/0001_init.down.sql", "DROP TABLE grabby_ok;"),
        ],
    );
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let grabby = app.module_status("grabby").await;
    assert_eq!(grabby["state"], "failed");
    assert_eq!(grabby["error"]["step"], "migration");
    let problem = if on_postgres() {
        "must be owner of table instance_settings"
    } else {
        "it names `instance_settings`, which is not named `grabby_…`"
    };
    assert_eq!(
        grabby["error"]["message"],
        format!("module `grabby`: migration 1 refused by the database: {problem}")
    );
    let tables = tables(&app).await;
    assert!(tables.contains(&"instance_settings".to_owned()));
    assert!(
        !tables.contains(&"grabby_ok".to_owned()),
        "nothing of it ran"
    );
    assert_eq!(app.module_status("forge").await["state"], "running");
}

#[tokio::test]
async fn a_failing_migration_is_rolled_back_and_fails_only_its_module() {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    drop_in(
        dir.path(),
        "shaky",
        "name = \"shaky\"\nversion = \"0.1.0\"\nmigrations = \"migrations\"\n",
        &[
            (
                "migrations/0001_init.up.sql",
                "CREATE TABLE shaky_a (id INTEGER);\nINSERT INTO shaky_a (no_such_column) VALUES (1);",
            ),
            ("migrations/0001_init.down.sql", "DROP TABLE shaky_a;"),
        ],
    );
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let shaky = app.module_status("shaky").await;
    assert_eq!(shaky["state"], "failed");
    let message = shaky["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("module `shaky`: migrations failed:")
            && message.contains("no_such_column"),
        "{message}"
    );
    assert!(
        !tables(&app).await.contains(&"shaky_a".to_owned()),
        "rolled back"
    );
    assert_eq!(app.module_status("notes").await["state"], "running");
    assert_eq!(app.module_status("forge").await["state"], "running");
    let (status, body) = app.get_json("/api/modules/shaky/x").await;
    assert_eq!(status, 503);
    assert_eq!(body["error"]["code"], "module_unavailable");
}

#[tokio::test]
async fn the_cli_status_lists_core_and_modules() {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    let app = TestApp::builder().drop_in_dir(dir.path()).spawn().await;
    let out = gantry_server::migrate_command::run(
        &app.db,
        &ModuleOptions::new(Some(dir.path().into())),
        gantry_server::config::MigrateCommand::Status,
    )
    .await
    .unwrap();
    assert!(out.contains("gantry (core)\n"), "{out}");
    assert!(
        out.contains("module forge\n               1  applied  templates"),
        "{out}"
    );
}

/// Reverting a migration that has no `.down.sql` is refused as a whole: nothing is
/// reverted, and nothing is reported as reverted.
#[tokio::test]
async fn a_revert_without_a_down_migration_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, sql: &str| std::fs::write(dir.path().join(name), sql).unwrap();
    write("0001_a.up.sql", "CREATE TABLE halfway_a (id INTEGER);");
    write("0001_a.down.sql", "DROP TABLE halfway_a;");
    write("0002_b.up.sql", "CREATE TABLE halfway_b (id INTEGER);");
    let module = || {
        gantry_sdk::Module::builder("halfway", "0.1.0")
            .migrations(gantry_sdk::Migrations::dir(dir.path().to_owned()))
            .build()
    };
    let app = TestApp::builder()
        .module(module())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    assert_eq!(app.module_status("halfway").await["state"], "running");
    let err = migrate::down(&module(), &app.db, 2).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "module `halfway`: migrations failed: migration 2 has no down migration (`.down.sql`); \
         nothing was reverted"
    );
    let now = tables(&app).await;
    assert!(
        now.contains(&"halfway_a".to_owned()) && now.contains(&"halfway_b".to_owned()),
        "{now:?}"
    );
    // One step that can be taken is taken after 2 is given its down migration.
    write("0002_b.down.sql", "DROP TABLE halfway_b;");
    assert_eq!(migrate::down(&module(), &app.db, 1).await.unwrap(), [2]);
    assert!(!tables(&app).await.contains(&"halfway_b".to_owned()));
}
