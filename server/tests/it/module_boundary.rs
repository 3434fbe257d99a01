//! A module's migrations cannot leave its tables: on SQLite the database refuses
//! (an authorizer on the migrations' own connection), whatever the SQL looks like;
//! prefixes that would cover the host's or another module's tables are refused.

use gantry_server::{auth::DevUser, modules::registry::HOST_TABLES};
use sqlx::Row;

use crate::{
    fixtures::{drop_in, forge, notes},
    support::TestApp,
};

/// A drop-in `name` whose one migration is `up`.
fn escaping(dir: &std::path::Path, name: &str, up: &str) {
    drop_in(
        dir,
        name,
        &format!("name = \"{name}\"\nversion = \"0.1.0\"\nmigrations = \"migrations\"\n"),
        &[
            ("migrations/0001_init.up.sql", up),
            ("migrations/0001_init.down.sql", "SELECT 1;"),
        ],
    );
}

async fn schema(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query("SELECT type, name FROM sqlite_master ORDER BY type, name")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
        .collect()
}

#[tokio::test]
async fn escapes_from_a_modules_tables_are_refused_by_the_database_and_change_nothing() {
    let cases = [
        ("esc-quote", "CREATE TABLE esc_quote_a (id INTEGER);\nUPDATE 'users' SET role = 'admin';", "touches `users`"),
        ("esc-trigger", "CREATE TRIGGER esc_trigger_t AFTER INSERT ON 'sessions' BEGIN UPDATE users SET role = 'admin'; END;", "triggers are not allowed"),
        ("esc-own-trigger", "CREATE TABLE esc_own_trigger_a (id INTEGER);\nCREATE TRIGGER esc_own_trigger_t AFTER INSERT ON esc_own_trigger_a BEGIN UPDATE users SET role = 'admin'; END;", "triggers are not allowed"),
        ("esc-view", "CREATE VIEW esc_view_v AS SELECT * FROM users;", "views are not allowed"),
        ("esc-read", "CREATE TABLE esc_read_a AS SELECT password_hash FROM users;", "touches `users`"),
        ("esc-comment", "CREATE TABLE esc_comment_a (id INTEGER);\nDELETE /* esc_comment_ */ FROM \"audit_log\";", "touches `audit_log`"),
        ("esc-pragma", "PRAGMA writable_schema = 1;", "PRAGMA"),
        ("esc-drop", "DROP TABLE sessions;", "names `sessions`"),
        ("esc-alter", "ALTER TABLE users ADD COLUMN esc_alter_x TEXT;", "names `users`"),
        ("esc-index", "CREATE INDEX esc_index_i ON users (role);", "names `users`"),
    ];
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    for (name, up, _) in &cases {
        escaping(dir.path(), name, up);
    }
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    for (name, _, problem) in &cases {
        let status = app.module_status(name).await;
        assert_eq!(status["state"], "failed", "{name}: {status:#}");
        assert_eq!(status["error"]["step"], "migration", "{name}");
        let message = status["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("refused by the database") && message.contains(problem),
            "{name}: {message}"
        );
    }
    // Nothing of them is left: no table, trigger or view of theirs, the host's intact.
    let schema = schema(&app).await;
    assert!(
        schema.iter().all(|(_, n)| !n.starts_with("esc_")),
        "{schema:?}"
    );
    assert!(
        schema
            .iter()
            .all(|(t, n)| t != "view" && (t != "trigger" || n.starts_with("chat_"))),
        "{schema:?}"
    );
    for table in ["users", "sessions", "audit_log"] {
        assert!(
            schema.iter().any(|(t, n)| t == "table" && n == table),
            "{table}"
        );
    }
    let columns: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info('users')")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get(0).unwrap())
        .collect();
    assert!(
        !columns.iter().any(|c| c.starts_with("esc_")),
        "{columns:?}"
    );
    let (_, audit) = app
        .get_json("/api/admin/audit?module=host&action=migration.")
        .await;
    assert!(
        audit["total"].as_u64().unwrap() > 0,
        "the audit trail was not emptied"
    );
    // The host and the other modules go on.
    assert_eq!(app.module_status("forge").await["state"], "running");
    assert_eq!(app.module_status("notes").await["state"], "running");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn an_upsert_inside_the_modules_tables_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    escaping(
        dir.path(),
        "upsert-ok",
        "CREATE TABLE upsert_ok_a (k TEXT PRIMARY KEY, v INTEGER);\n\
         INSERT INTO upsert_ok_a (k, v) VALUES ('a', 1);\n\
         INSERT INTO upsert_ok_a (k, v) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = upsert_ok_a.v + excluded.v;",
    );
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let status = app.module_status("upsert-ok").await;
    assert_eq!(status["state"], "running", "{status:#}");
    let v: i64 = sqlx::query_scalar("SELECT v FROM upsert_ok_a WHERE k = 'a'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(v, 2);
}

#[tokio::test]
async fn prefixes_covering_host_tables_or_another_modules_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // `audit_` would own `audit_log`; `instance_` would own `instance_settings`.
    escaping(dir.path(), "audit", "DELETE FROM audit_log;");
    escaping(dir.path(), "instance", "DELETE FROM instance_settings;");
    // `notes_archive_…` lies inside the compiled-in `notes`'s `notes_…`.
    escaping(
        dir.path(),
        "notes-archive",
        "CREATE TABLE notes_archive_a (id INTEGER);",
    );
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let audit = app.module_status("audit").await;
    assert_eq!(audit["state"], "invalid", "{audit:#}");
    assert!(audit["error"]["message"]
        .as_str()
        .unwrap()
        .contains("would cover the host's table `audit_log`"));
    let instance = app.module_status("instance").await;
    assert!(instance["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`instance_settings`"));
    let archive = app.module_status("notes-archive").await;
    assert_eq!(archive["state"], "invalid");
    assert!(
        archive["error"]["message"]
            .as_str()
            .unwrap()
            .contains("overlaps module `notes`"),
        "{archive:#}"
    );
    assert_eq!(app.module_status("notes").await["state"], "running");
    let (_, audit_log) = app.get_json("/api/admin/audit?per_page=1").await;
    assert!(audit_log["total"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn the_list_of_host_tables_matches_the_core_migrations() {
    let app = TestApp::spawn().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    for table in tables {
        // FTS5's shadow tables belong to their virtual table.
        let owner = table
            .rsplit_once("_fts_")
            .map_or(table.as_str(), |(base, _)| base);
        assert!(
            HOST_TABLES
                .iter()
                .any(|t| *t == table || t.trim_end_matches("_fts") == owner),
            "host table `{table}` is missing from HOST_TABLES"
        );
    }
}
