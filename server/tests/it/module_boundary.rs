//! A module's migrations cannot leave its tables: the database refuses, whatever the
//! SQL looks like (on SQLite an authorizer on the migrations' own connection, on
//! PostgreSQL the module's own role); prefixes that would cover the host's or
//! another module's tables are refused.

use gantry_server::{auth::DevUser, modules::registry::HOST_TABLES};
use sqlx::Row;

use crate::{
    fixtures::{drop_in, forge, notes},
    support::{on_postgres, TestApp},
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

/// The database's tables, views, triggers and (on PostgreSQL) functions, as
/// (kind, name).
async fn schema(app: &TestApp) -> Vec<(String, String)> {
    let query = if on_postgres() {
        "SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END, c.relname::text \
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p') \
         UNION ALL SELECT 'trigger', tgname::text FROM pg_trigger WHERE NOT tgisinternal \
         UNION ALL SELECT 'function', p.proname::text FROM pg_proc p \
           JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' \
         ORDER BY 1, 2"
    } else {
        "SELECT type, name FROM sqlite_master ORDER BY type, name"
    };
    sqlx::query(query)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
        .collect()
}

/// (module, its one migration, what the refusal says) for this test's database.
fn escapes() -> Vec<(&'static str, &'static str, &'static str)> {
    if on_postgres() {
        return vec![
            ("esc-update", "CREATE TABLE esc_update_a (id INTEGER);\nUPDATE users SET role = 'admin';", "permission denied for table users"),
            ("esc-qualified", "UPDATE \"public\".\"users\" SET role = 'admin';", "permission denied for table users"),
            ("esc-dollar", "DO $body$ BEGIN EXECUTE 'UPDATE ' || $q$users$q$ || ' SET role = ''admin'''; END $body$;", "permission denied for table users"),
            ("esc-trigger", "CREATE FUNCTION esc_trigger_f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE users SET role = 'admin'; RETURN NEW; END $$;\nCREATE TRIGGER esc_trigger_t AFTER INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION esc_trigger_f();", "permission denied for table sessions"),
            ("esc-truncate", "CREATE TABLE esc_truncate_a (id INTEGER);\nTRUNCATE esc_truncate_a, audit_log;", "permission denied for table audit_log"),
            ("esc-merge", "MERGE INTO users u USING (SELECT 1 AS one) s ON true WHEN MATCHED THEN UPDATE SET role = 'admin';", "permission denied for table users"),
            ("esc-search-path", "SET search_path = pg_temp, public;\nDELETE FROM sessions;", "permission denied for table sessions"),
            ("esc-role", "RESET ROLE;\nSET SESSION AUTHORIZATION DEFAULT;\nDELETE FROM audit_log;", "permission denied for table audit_log"),
            ("esc-view", "CREATE VIEW esc_view_v AS SELECT * FROM users;", "view `esc_view_v` reading `users`"),
            ("esc-read", "CREATE TABLE esc_read_a AS SELECT password_hash FROM users;", "permission denied for table users"),
            ("esc-drop-owned", "DROP OWNED BY CURRENT_USER;\nDROP TABLE audit_log;", "must be owner of table audit_log"),
            ("esc-alter", "ALTER TABLE users ADD COLUMN esc_alter_x TEXT;", "must be owner of table users"),
            ("esc-squat", "CREATE TABLE sessions_copy (id INTEGER);", "relation `sessions_copy` outside its prefix"),
            ("esc-shadow", "CREATE FUNCTION lower(varchar) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;", "function `lower` outside its prefix"),
            ("esc-commit", "CREATE TABLE sessions_copy2 (id INTEGER);\nCOMMIT;\nDELETE FROM sessions;", "may not end its own transaction"),
            ("esc-rollback", "ROLLBACK;\nCREATE TABLE sessions_copy3 (id INTEGER);\nCREATE FUNCTION upper(varchar) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;", "nothing it made outside its prefix was kept"),
        ];
    }
    vec![
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
    ]
}

#[tokio::test]
async fn escapes_from_a_modules_tables_are_refused_by_the_database_and_change_nothing() {
    let cases = escapes();
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
    // Nothing of them is left: no table, trigger, view or function of theirs (the
    // host's own triggers keep Chat's and the Knowledge Vault's search indexes, and
    // on PostgreSQL tell the instances of session changes), the host's tables intact.
    let schema = schema(&app).await;
    assert!(
        schema.iter().all(|(_, n)| !n.starts_with("esc_")
            && !n.starts_with("sessions_copy")
            && !["lower", "upper"].contains(&n.as_str())),
        "{schema:?}"
    );
    assert!(
        schema.iter().all(|(t, n)| t != "view"
            && (t != "trigger"
                || n.starts_with("chat_")
                || n.starts_with("knowledge_")
                || [
                    "sessions_ended",
                    "users_session_changes",
                    "api_tokens_revoked"
                ]
                .contains(&n.as_str()))),
        "{schema:?}"
    );
    for table in ["users", "sessions", "audit_log"] {
        assert!(
            schema.iter().any(|(t, n)| t == "table" && n == table),
            "{table}"
        );
    }
    let columns: Vec<String> = sqlx::query_scalar(if on_postgres() {
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'users'"
    } else {
        "SELECT name FROM pragma_table_info('users')"
    })
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert!(
        !columns.is_empty() && !columns.iter().any(|c| c.starts_with("esc_")),
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

/// A database user that may not create roles (as on some managed PostgreSQL
/// services): SQL from a drop-in folder is not run at all, compiled-in modules
/// migrate as Gantry's user, and Admin → System says so. (SQLite has no such case.)
#[tokio::test]
async fn without_the_right_to_create_roles_drop_in_migrations_are_refused() {
    if !on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .postgres_owner("gantry_plain_owner")
        .spawn()
        .await;
    let forge = app.module_status("forge").await;
    assert_eq!(forge["state"], "failed", "{forge:#}");
    assert!(
        forge["error"]["message"]
            .as_str()
            .unwrap()
            .contains("may not create roles"),
        "{forge:#}"
    );
    assert_eq!(app.module_status("notes").await["state"], "running");
    let html = app.get("/admin/system").await.text().await.unwrap();
    assert!(html.contains("not bounded by the database"), "{html}");
}

/// The usual deployment: Gantry's user owns its database and may create roles, but
/// is no superuser. Modules get their roles all the same, and they hold.
#[tokio::test]
async fn a_database_owner_with_createrole_gives_modules_their_roles() {
    if !on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    escaping(dir.path(), "esc-owner", "UPDATE users SET role = 'admin';");
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .postgres_owner("gantry_owner_createrole")
        .spawn()
        .await;
    assert_eq!(app.module_status("forge").await["state"], "running");
    assert_eq!(app.module_status("notes").await["state"], "running");
    let refused = app.module_status("esc-owner").await;
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("refused by the database: permission denied for table users"),
        "{refused:#}"
    );
    // The module's code reaches its tables through the host's membership of its role.
    let res = app.get("/api/modules/notes/count").await;
    assert_eq!(res.text().await.unwrap(), "notes has 1 notes");
    let owner: String = sqlx::query_scalar(
        "SELECT tableowner::text FROM pg_tables WHERE tablename = 'notes_items'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(
        owner.starts_with("gantry_m") && owner.ends_with("_notes"),
        "{owner}"
    );
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
    let notes = app.module_status("notes").await;
    assert_eq!(notes["state"], "running", "{notes:#}");
    let (_, audit_log) = app.get_json("/api/admin/audit?per_page=1").await;
    assert!(audit_log["total"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn the_list_of_host_tables_matches_the_core_migrations() {
    let app = TestApp::spawn().await;
    let tables: Vec<String> = sqlx::query_scalar(if on_postgres() {
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    })
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
