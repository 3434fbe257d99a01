//! Test modules: a compiled-in one written with the SDK, and drop-in folders.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use gantry_sdk::prelude::*;

const NOTES_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/notes");

async fn hello(user: CurrentUser) -> String {
    format!("hello, {}", user.name)
}

async fn purge(RequireAdmin(admin): RequireAdmin) -> String {
    format!("purged by {}", admin.name)
}

async fn count(State(ctx): State<ModuleContext>) -> Result<String, ApiError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notes_items")
        .fetch_one(&ctx.db)
        .await
        .map_err(ApiError::internal)?;
    Ok(format!("{} has {n} notes", ctx.name))
}

/// The instance-wide value `greeting` the host keeps for the module.
async fn greeting(State(ctx): State<ModuleContext>) -> Result<String, ApiError> {
    let stored = ctx
        .storage()
        .get(gantry_sdk::StorageScope::Instance, "greeting")
        .await?;
    Ok(stored.map_or_else(|| "no greeting".to_owned(), |s| s.value.to_string()))
}

async fn boom() -> &'static str {
    panic!("the notes handler blew up")
}

/// The parts of `notes()` every test starts from.
pub fn notes_builder() -> gantry_sdk::ModuleBuilder {
    Module::builder("notes", "0.3.1")
        .display_name("Notes")
        .description("Short notes")
        .root(NOTES_ROOT)
        .bundle("frontend/index.js")
        .static_dir("static")
        .migrations(Migrations::per_dialect(
            sqlx::migrate!("tests/fixtures/notes/migrations/sqlite"),
            sqlx::migrate!("tests/fixtures/notes/migrations/postgres"),
        ))
        .router(
            Router::new()
                .route("/hello", get(hello))
                .route("/purge", post(purge))
                .route("/count", get(count))
                .route("/greeting", get(greeting))
                .route("/boom", get(boom)),
        )
        .nav_item(
            NavItem::new("notes", "Notes", "/notes")
                .icon("note")
                .order(30),
        )
        .tab(Tab::new("all", "All notes", "AllNotes").order(10))
        .tab(Tab::new("trash", "Trash", "Trash").order(20).admin_only())
        .tab(Tab::new("prefs", "Notes", "Prefs").section(TabSection::Settings))
}

/// A complete compiled-in module, as a module crate would declare it.
pub fn notes() -> Module {
    notes_builder()
        .on_startup(|ctx: ModuleContext| async move {
            sqlx::query("INSERT INTO notes_items (body) VALUES ('written by on_startup')")
                .execute(&ctx.db)
                .await
                .map(|_| ())
        })
        .build()
}

/// The Atom Overlord, fast (a round every 100 ms), with stand-ins for its built
/// frontend in `assets` (the real one is built after these tests run).
pub fn overlord(assets: &Path) -> Module {
    std::fs::create_dir_all(assets.join("static")).unwrap();
    std::fs::write(assets.join("overlord.js"), "export {};").unwrap();
    let mut module = gantry_mod_overlord::module_with(gantry_mod_overlord::Settings {
        interval: std::time::Duration::from_millis(100),
        request_timeout: std::time::Duration::from_secs(5),
    });
    module.root = Some(assets.to_owned());
    module
}

/// A module whose every entry is for administrators.
pub fn secrets() -> Module {
    Module::builder("secrets", "1.0.0")
        .router(Router::new().route("/hello", get(hello)))
        .nav_item(NavItem::new("secrets", "Secrets", "/secrets").admin_only())
        .build()
}

/// An administrators-only module whose start-up fails with a telling message.
pub fn failing_admin_only() -> Module {
    Module::builder("adminfail", "1.0.0")
        .router(Router::new().route("/hello", get(hello)))
        .nav_item(NavItem::new("adminfail", "Admin fail", "/adminfail").admin_only())
        .on_startup(|_ctx| async {
            Err::<(), _>(std::io::Error::other(
                "the secret key at /etc/adminfail.key is missing",
            ))
        })
        .build()
}

/// An administrators-only module with static files (the notes fixture's).
pub fn admin_files() -> Module {
    Module::builder("vaultfiles", "1.0.0")
        .root(NOTES_ROOT)
        .static_dir("static")
        .nav_item(NavItem::new("vaultfiles", "Vault files", "/vaultfiles").admin_only())
        .build()
}

/// A module whose `on_shutdown` counts its calls.
pub fn counted_shutdown(calls: Arc<AtomicUsize>) -> Module {
    Module::builder("tidy", "0.1.0")
        .on_shutdown(move |_ctx| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(())
            }
        })
        .build()
}

/// Writes a drop-in module folder `dir/folder` with `manifest` and `files`.
pub fn drop_in(dir: &Path, folder: &str, manifest: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = dir.join(folder);
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("gantry-module.toml"), manifest).unwrap();
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    root
}

/// A valid plain-JS drop-in module called `name`, with a migration and static file.
pub fn forge(dir: &Path, name: &str) -> PathBuf {
    let table = name.replace('-', "_");
    drop_in(
        dir,
        name,
        &format!(
            r#"
name = "{name}"
display_name = "Forge Templates"
version = "0.2.0"
description = "Templates with placeholders"
frontend_bundle = "frontend/index.js"
static_dir = "static"
migrations = "migrations"

[[nav_items]]
id = "forge"
label = "Forge"
route = "/{name}"
order = 20

[[tabs]]
id = "browse"
label = "Browse"
frontend_component = "Browse"
"#
        ),
        &[
            ("frontend/index.js", "export const Browse = {};\n"),
            (
                "static/logo.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
            ),
            (
                "migrations/0001_templates.up.sql",
                &format!("CREATE TABLE {table}_templates (id INTEGER PRIMARY KEY, body TEXT);"),
            ),
            (
                "migrations/0001_templates.down.sql",
                &format!("DROP TABLE {table}_templates;"),
            ),
        ],
    )
}
