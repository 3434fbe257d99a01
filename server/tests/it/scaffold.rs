//! `gantry module new` and `gantry module check`: the scaffolder's output passes the
//! check and runs in the real host; a broken module gets every problem reported.

use gantry_server::{
    auth::DevUser,
    module_check::{check, CheckWith},
    module_command::{new, Kind},
};
use serde_json::json;

use crate::{fixtures::drop_in, support::TestApp};

#[tokio::test]
async fn a_new_js_module_passes_the_check_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let said = new("notes-box", Kind::Js, dir.path()).unwrap();
    assert!(said.starts_with("created module `notes-box`"), "{said}");
    let (report, passed) = check(&dir.path().join("notes-box"), CheckWith::default())
        .await
        .unwrap();
    assert!(passed, "{report}");
    assert!(
        report.contains("manifest of `notes-box` 0.1.0 is valid"),
        "{report}"
    );
    assert!(
        report.contains("1 migration(s) apply, revert ([1]) and apply again"),
        "{report}"
    );
    assert!(new("notes-box", Kind::Js, dir.path())
        .unwrap_err()
        .to_string()
        .contains("exists already"));
    assert!(new("Bad Name", Kind::Js, dir.path())
        .unwrap_err()
        .to_string()
        .contains("name must be lowercase"));

    // Discovered, migrated and serving its one endpoint, to users.
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let path = "/api/modules/notes-box/collections/items";
    let body = json!({ "title": "first", "notes": "from the test" });
    assert_eq!(app.send_json("POST", path, Some(body)).await.0, 201);
    let (_, page) = app.send_json("GET", path, None).await;
    assert_eq!(page["items"][0]["title"], "first");
    // Running (only running modules are listed), with its tab.
    let (_, modules) = app.get_json("/api/modules").await;
    assert_eq!(modules[0]["name"], "notes-box");
    assert_eq!(modules[0]["tabs"][0]["frontend_component"], "Items");
    let bundle = app.get("/api/modules/notes-box/bundle.js").await;
    assert!(bundle
        .text()
        .await
        .unwrap()
        .contains(r#"__GANTRY_MODULES__["notes-box"]"#));
}

#[tokio::test]
async fn a_new_leptos_module_is_a_crate_that_passes_the_check() {
    let dir = tempfile::tempdir().unwrap();
    new("shelf", Kind::Leptos, dir.path()).unwrap();
    let root = dir.path().join("shelf");
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "migrations/sqlite/0001_items.up.sql",
        "frontend/Cargo.toml",
        "frontend/src/lib.rs",
        "frontend/bundle/shelf.js",
    ] {
        assert!(root.join(file).is_file(), "{file}");
    }
    let cargo = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(cargo.contains("name = \"gantry-mod-shelf\""));
    // The SDK path resolves from the new crate.
    let sdk = cargo
        .lines()
        .find(|l| l.starts_with("gantry-sdk"))
        .and_then(|l| l.split('"').nth(1))
        .unwrap();
    assert!(root.join(sdk).join("Cargo.toml").is_file(), "{sdk}");
    let (report, passed) = check(&root, CheckWith::default()).await.unwrap();
    assert!(passed, "{report}");
    assert!(report.contains("crate `gantry-mod-shelf`"), "{report}");
    assert!(report.contains("migration(s) apply, revert"), "{report}");
}

#[tokio::test]
async fn check_reports_every_problem_of_a_broken_module() {
    let dir = tempfile::tempdir().unwrap();
    let folder = drop_in(
        dir.path(),
        "wreck",
        r#"
name = "wreck"
version = "one"
frontend_bundle = "index.js"
static_dir = "static"
migrations = "migrations"

[[nav_items]]
id = "Wreck"
label = "Wreck"
route = "/admin/wreck"
icon = "rocket"
frontend_component = "Page"

[[tabs]]
id = "main"
label = "Main"
frontend_component = "Main"

[[tools]]
name = "find"
description = "Finds."
parameters = { type = "object", properties = { q = { type = "strin" } } }
"#,
        &[
            ("index.js", "console.log('no registration');"),
            (
                "migrations/0001_x.up.sql",
                "CREATE TABLE users_copy (id INTEGER);",
            ),
            ("migrations/0001_x.down.sql", "DROP TABLE users_copy;"),
        ],
    );
    let (report, passed) = check(&folder, CheckWith::default()).await.unwrap();
    assert!(!passed);
    for expected in [
        "version `one` is not semver",
        "nav_items id `Wreck`",
        "clashes with the host's `/admin`",
        "never registers: no statement assigns",
        "static_dir `static` is not a folder",
        "migration 1 refused by the database: it names `users_copy`",
        "tool `find`: parameters is not a valid JSON Schema",
    ] {
        assert!(
            report.contains(expected),
            "`{expected}` missing from:\n{report}"
        );
    }
    assert!(report.ends_with("7 problem(s)\n"), "{report}");
    // An icon the host does not draw is a warning, not a problem.
    assert!(
        report.contains("warning: nav item `Wreck` icon `rocket` is not one of the host's icons"),
        "{report}"
    );
    // So is a nav item's component that the page never draws, as it shows the tabs.
    assert!(
        report.contains("warning: nav item `Wreck` component `Page` is never drawn"),
        "{report}"
    );
}

/// The checked-in Leptos module the browser tests link in
/// (`end2end/fixtures/scaffolded/shelf`).
fn shelf_fixture() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../end2end/fixtures/scaffolded/shelf")
}

/// Every file under `root`, by relative path, with the `gantry-sdk` path (which
/// depends on where the module was written) left out.
fn files(root: &std::path::Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            if relative.starts_with("frontend/dist") || relative.contains("target") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if !relative.ends_with(".lock") {
                let text = std::fs::read_to_string(&path).unwrap();
                let text: String = text
                    .lines()
                    .filter(|l| !l.starts_with("gantry-sdk = "))
                    .collect::<Vec<_>>()
                    .join("\n");
                found.push((relative, text));
            }
        }
    }
    found.sort();
    found
}

#[tokio::test]
async fn the_leptos_fixture_is_exactly_what_the_scaffolder_writes() {
    let dir = tempfile::tempdir().unwrap();
    new("shelf", Kind::Leptos, dir.path()).unwrap();
    assert_eq!(
        files(&dir.path().join("shelf")),
        files(&shelf_fixture()),
        "regenerate it: rm -r end2end/fixtures/scaffolded/shelf && \
         gantry module new shelf --leptos --dir end2end/fixtures/scaffolded"
    );
}

#[tokio::test]
async fn a_scaffolded_leptos_module_runs_in_the_host() {
    let assets = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(assets.path().join("static")).unwrap();
    std::fs::write(assets.path().join("shelf.js"), "export {};").unwrap();
    let mut module = gantry_mod_shelf::module();
    module.root = Some(assets.path().to_owned());
    let app = TestApp::builder()
        .module(module)
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let path = "/api/modules/shelf/items";
    let body = json!({ "title": "first shelf item" });
    assert_eq!(app.send_json("POST", path, Some(body)).await.0, 200);
    let (_, items) = app.send_json("GET", path, None).await;
    assert_eq!(items[0]["title"], "first shelf item");
    let blank = json!({ "title": " " });
    assert_eq!(app.send_json("POST", path, Some(blank)).await.0, 400);
}

/// A drop-in `name` whose migrations are `files` (paths under `migrations/`).
fn migrating_module(
    dir: &std::path::Path,
    name: &str,
    files: &[(&str, &str)],
) -> std::path::PathBuf {
    let files: Vec<(String, &str)> = files
        .iter()
        .map(|(path, sql)| (format!("migrations/{path}"), *sql))
        .collect();
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, s)| (p.as_str(), *s)).collect();
    drop_in(
        dir,
        name,
        &format!("name = \"{name}\"\nversion = \"0.1.0\"\nmigrations = \"migrations\"\n"),
        &borrowed,
    )
}

/// A drop-in `stray` whose SQLite migration is fine and whose PostgreSQL one is
/// `postgres_up` (and `postgres_down`).
fn fails_on_postgres_only(
    dir: &std::path::Path,
    postgres_up: &str,
    postgres_down: &str,
) -> std::path::PathBuf {
    migrating_module(
        dir,
        "stray",
        &[
            (
                "sqlite/0001_items.up.sql",
                "CREATE TABLE stray_items (id INTEGER PRIMARY KEY);",
            ),
            ("sqlite/0001_items.down.sql", "DROP TABLE stray_items;"),
            ("postgres/0001_items.up.sql", postgres_up),
            ("postgres/0001_items.down.sql", postgres_down),
        ],
    )
}

#[tokio::test]
async fn migrations_for_one_database_only_are_refused_by_the_check_and_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let table = "CREATE TABLE pgonly_items (id BIGSERIAL PRIMARY KEY);";
    let folder = migrating_module(
        dir.path(),
        "pgonly",
        &[
            ("postgres/0001_items.up.sql", table),
            ("postgres/0001_items.down.sql", "DROP TABLE pgonly_items;"),
        ],
    );
    let (report, passed) = check(&folder, CheckWith::default()).await.unwrap();
    assert!(!passed, "{report}");
    assert!(
        report.contains(
            "migrations: `postgres/` has no `sqlite/` beside it, so on SQLite none would run"
        ),
        "{report}"
    );
    // Started on the other database, the module fails rather than running without
    // its tables (it used to apply no migration and run).
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let status = app.module_status("pgonly").await;
    if crate::support::on_postgres() {
        assert_eq!(status["state"], "running", "{status:#}");
    } else {
        assert_eq!(status["state"], "failed", "{status:#}");
        let message = status["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("its migrations are for postgres only"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn check_tries_the_migrations_on_postgres_when_given_a_server() {
    let Ok(server) = std::env::var("GANTRY_TEST_DATABASE_URL") else {
        return; // SQLite run: there is no PostgreSQL server to give.
    };
    if server.is_empty() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sqlite_up = "CREATE TABLE twin_items (id INTEGER PRIMARY KEY);";
    let down = "DROP TABLE twin_items;";
    // Fine on SQLite; on PostgreSQL it reaches a table outside its prefix.
    let good = migrating_module(
        dir.path(),
        "twin",
        &[
            ("sqlite/0001_items.up.sql", sqlite_up),
            ("sqlite/0001_items.down.sql", down),
            (
                "postgres/0001_items.up.sql",
                "CREATE TABLE twin_items (id BIGSERIAL PRIMARY KEY);",
            ),
            ("postgres/0001_items.down.sql", down),
        ],
    );
    let bad = fails_on_postgres_only(
        dir.path(),
        "CREATE TABLE users_copy (id BIGINT);",
        "DROP TABLE users_copy;",
    );
    let (report, passed) = check(&bad, CheckWith::default()).await.unwrap();
    assert!(passed, "without a server, only SQLite is tried: {report}");
    assert!(report.contains("PostgreSQL not tried"), "{report}");

    let (report, passed) = check(
        &bad,
        CheckWith {
            postgres: Some(&server),
            ..CheckWith::default()
        },
    )
    .await
    .unwrap();
    assert!(!passed, "{report}");
    assert!(report.contains("problem: on PostgreSQL:"), "{report}");
    assert!(report.contains("users_copy"), "{report}");
    let (report, passed) = check(
        &good,
        CheckWith {
            postgres: Some(&server),
            ..CheckWith::default()
        },
    )
    .await
    .unwrap();
    assert!(passed, "{report}");
    assert!(
        report.contains("1 migration(s) apply, revert ([1]) and apply again on PostgreSQL"),
        "{report}"
    );

    // Nothing is left on the server: no scratch database, no module role of one.
    let admin = gantry_server::db::Db::connect(&server).await.unwrap();
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_database WHERE starts_with(datname, 'gantry_check_')",
    )
    .fetch_one(&admin.pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn the_check_reads_a_crates_lib_rs_as_rust() {
    // A re-export counts (the Overlord's `pub use server::{module, …}` was a problem).
    let overlord = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../modules/overlord");
    let (report, _) = check(&overlord, CheckWith::default()).await.unwrap();
    assert!(
        report.contains("ok: src/lib.rs exposes `module()`"),
        "{report}"
    );

    // A mention in a comment does not.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("fake");
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"gantry-mod-fake\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("src/lib.rs"),
        "// pub fn module() -> Module\npub fn other() {}\n",
    )
    .unwrap();
    let (report, passed) = check(&root, CheckWith::default()).await.unwrap();
    assert!(!passed);
    assert!(
        report.contains("problem: src/lib.rs has no `pub fn module() -> Module`"),
        "{report}"
    );
}

/// `gantry module check` without `--postgres`, on a machine with PostgreSQL's
/// programs (`cargo xtask test` installs them and says so): a throwaway server of its
/// own finds the PostgreSQL-only fault, and is gone afterwards.
#[tokio::test]
async fn the_check_starts_a_throwaway_postgres_when_the_machine_has_one() {
    if gantry_server::module_check::postgres_programs().is_none() {
        assert!(
            std::env::var_os("GANTRY_TEST_LOCAL_POSTGRES").is_none(),
            "GANTRY_TEST_LOCAL_POSTGRES is set, but PostgreSQL's programs are not installed"
        );
        eprintln!("no PostgreSQL programs here: the throwaway server is not tried");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = fails_on_postgres_only(
        dir.path(),
        "CREATE TABLE stray_items (id INTEGER PRIMARY KEY AUTOINCREMENT);",
        "DROP TABLE stray_items;",
    );
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_gantry"))
        .args(["module", "check", "--no-browser"])
        .arg(&bad)
        .env_remove("GANTRY_CHECK_POSTGRES")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("throwaway PostgreSQL"), "{stderr}");
    assert!(
        stdout.contains("problem: on PostgreSQL:") && stdout.contains("AUTOINCREMENT"),
        "{stdout}"
    );
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(&format!("gantry-check-pg-{pid}-")))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
