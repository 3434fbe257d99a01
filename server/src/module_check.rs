//! `gantry module check`: reads a module folder or crate and reports every problem it
//! finds: the manifest's rules, the bundle, the static folder, the migrations of
//! every dialect it ships (each folder present; applied, reverted and applied again
//! on a scratch SQLite database, and on a scratch PostgreSQL database when given a
//! server with `--postgres`), and each collection's table.

use std::{fmt::Write as _, path::Path};

use anyhow::{bail, Context, Result};
use gantry_sdk::{manifest_problems, Migrations, ModuleManifest};

use crate::{
    db::{Db, DbKind},
    module_command::host_version,
    modules::{compiled_in, discovery, migrate},
};

/// Checks the module at `path` (a drop-in folder or a module crate), its migrations
/// also on the PostgreSQL server at `postgres` when given; returns the report and
/// whether it passed.
pub async fn check(path: &Path, postgres: Option<&str>) -> Result<(String, bool)> {
    let mut found = Found {
        problems: Vec::new(),
        notes: Vec::new(),
        postgres,
    };
    if path.join(discovery::MANIFEST_FILE).is_file() {
        check_drop_in(path, &mut found).await?;
    } else if path.join("Cargo.toml").is_file() {
        check_crate(path, &mut found).await?;
    } else {
        bail!(
            "`{}` is neither a module folder (with {}) nor a module crate (with Cargo.toml)",
            path.display(),
            discovery::MANIFEST_FILE
        );
    }
    let Found {
        problems, notes, ..
    } = found;
    let mut out = String::new();
    for note in &notes {
        let _ = writeln!(out, "ok: {note}");
    }
    for problem in &problems {
        let _ = writeln!(out, "problem: {problem}");
    }
    let _ = writeln!(out, "{}: {} problem(s)", path.display(), problems.len());
    Ok((out, problems.is_empty()))
}

/// What a check has found so far, and where else to look.
struct Found<'a> {
    problems: Vec<String>,
    notes: Vec<String>,
    /// A PostgreSQL server to try the migrations on.
    postgres: Option<&'a str>,
}

async fn check_drop_in(path: &Path, found: &mut Found<'_>) -> Result<()> {
    let Found {
        problems, notes, ..
    } = found;
    let candidate = discovery::drop_in(path);
    let module = match candidate.module {
        Ok(module) => module,
        Err(err) => {
            problems.push(err.to_string());
            return Ok(());
        }
    };
    notes.push(format!("{} reads", discovery::MANIFEST_FILE));
    check_manifest(&module.manifest, problems, notes);
    let root = module.root.clone().unwrap_or_else(|| path.to_owned());
    if let Some(bundle) = &module.manifest.frontend_bundle {
        let file = root.join(bundle);
        match std::fs::read_to_string(&file) {
            Ok(text) if text.contains("__GANTRY_MODULES__") || text.contains("import") => {
                notes.push(format!("frontend_bundle `{bundle}` is there"));
            }
            Ok(_) => problems.push(format!(
                "frontend_bundle `{bundle}` never registers in window.__GANTRY_MODULES__"
            )),
            Err(err) => problems.push(format!("frontend_bundle `{bundle}`: {err}")),
        }
    }
    if let Some(dir) = &module.manifest.static_dir {
        if !root.join(dir).is_dir() {
            problems.push(format!("static_dir `{dir}` is not a folder"));
        }
    }
    check_migrations(&module, found).await
}

async fn check_crate(path: &Path, found: &mut Found<'_>) -> Result<()> {
    let Found {
        problems, notes, ..
    } = found;
    let manifest: toml::Table = std::fs::read_to_string(path.join("Cargo.toml"))?
        .parse()
        .context("Cargo.toml is not TOML")?;
    let package = manifest
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or_default();
    let Some(name) = package.strip_prefix("gantry-mod-") else {
        problems.push(format!(
            "crate `{package}` is not named `gantry-mod-<name>`, so the host will not register it"
        ));
        return Ok(());
    };
    notes.push(format!("crate `{package}`"));
    match std::fs::read_to_string(path.join("src/lib.rs")) {
        Ok(text) if text.contains("pub fn module()") || text.contains("pub use server::module") => {
            notes.push("src/lib.rs exposes `module()`".into())
        }
        Ok(_) => problems.push("src/lib.rs has no `pub fn module() -> Module`".into()),
        Err(err) => problems.push(format!("src/lib.rs: {err}")),
    }
    if path.join("frontend/Cargo.toml").is_file() {
        notes.push("frontend/ crate (built by `cargo xtask build`)".into());
    }
    // This binary links it: check what it declares, for real.
    match compiled_in().into_iter().find(|m| m.manifest.name == name) {
        Some(module) => {
            notes.push(format!("linked into this gantry binary as module `{name}`"));
            check_manifest(&module.manifest, problems, notes);
            check_migrations(&module, found).await?;
        }
        None => {
            let mut module = gantry_sdk::Module::builder(name, "0.0.0").build();
            let migrations = path.join("migrations");
            if migrations.is_dir() {
                module.migrations = Some(gantry_sdk::Migrations::dir(migrations));
                check_migrations(&module, found).await?;
            }
            found.notes.push(
                "not linked into this binary: depend on it from server/Cargo.toml and rebuild \
                 to check its manifest"
                    .into(),
            );
        }
    }
    Ok(())
}

fn check_manifest(manifest: &ModuleManifest, problems: &mut Vec<String>, notes: &mut Vec<String>) {
    let found = manifest_problems(manifest, &host_version());
    if found.is_empty() {
        notes.push(format!(
            "manifest of `{}` {} is valid ({} nav item(s), {} tab(s), {} collection(s))",
            manifest.name,
            manifest.version,
            manifest.nav_items.len(),
            manifest.tabs.len(),
            manifest.collections.len()
        ));
    }
    problems.extend(found.into_iter().map(|p| p.to_string()));
}

/// Checks the migrations of every dialect the module ships: the folders present,
/// then applied, reverted and applied again on a scratch SQLite database and, when
/// the check has a PostgreSQL server, on a scratch database there; each collection's
/// table checked on each.
async fn check_migrations(module: &gantry_sdk::Module, found: &mut Found<'_>) -> Result<()> {
    if let Some(Migrations::Dir(dir)) = &module.migrations {
        let (sqlite, postgres) = (dir.join("sqlite").is_dir(), dir.join("postgres").is_dir());
        if sqlite != postgres {
            let (has, lacks) = if sqlite {
                ("sqlite", "postgres")
            } else {
                ("postgres", "sqlite")
            };
            found.problems.push(format!(
                "migrations: `{has}/` has no `{lacks}/` beside it, so on {} none would run \
                 (add `{lacks}/`, or put SQL both databases take directly in the migrations folder)",
                if sqlite { "PostgreSQL" } else { "SQLite" }
            ));
            return Ok(());
        }
    }
    let scratch = ScratchSqlite::new();
    let db = Db::connect(&scratch.url()).await?;
    migrations_on(module, &db, "SQLite", found).await?;
    db.pool.close().await;
    drop(scratch);
    match found.postgres {
        Some(server) => {
            let scratch = ScratchPostgres::create(server).await?;
            let res = match Db::connect(&scratch.url).await {
                Ok(db) => {
                    let res = migrations_on(module, &db, "PostgreSQL", found).await;
                    db.pool.close().await;
                    res
                }
                Err(err) => Err(err.into()),
            };
            scratch.drop_all().await?;
            res?;
        }
        None if module.migrations.is_some() => found
            .notes
            .push("PostgreSQL not tried: give `--postgres <server URL>` to try it too".into()),
        None => {}
    }
    Ok(())
}

/// Applies, reverts and applies again `module`'s migrations on `db` (with the host's
/// own tables first, and the same boundary as at start-up), then checks the
/// collections' tables.
async fn migrations_on(
    module: &gantry_sdk::Module,
    db: &Db,
    dialect: &str,
    found: &mut Found<'_>,
) -> Result<()> {
    // The host's own tables first (the audit trail records the module's migrations).
    db.migrate().await?;
    let res = async {
        let up = migrate::up(module, db).await?;
        if up.is_empty() {
            found.notes.push(format!("no migrations on {dialect}"));
            return Ok::<_, crate::modules::ModuleError>(());
        }
        let reverted = migrate::down(module, db, up.len()).await?;
        migrate::up(module, db).await?;
        found.notes.push(format!(
            "{} migration(s) apply, revert ({reverted:?}) and apply again on {dialect}",
            up.len()
        ));
        Ok(())
    }
    .await;
    if let Err(err) = res {
        found.problems.push(format!("on {dialect}: {err}"));
    } else if let Err(err) =
        crate::modules::collections::verify(&module.manifest.name, &module.manifest.collections, db)
            .await
    {
        found.problems.push(format!("on {dialect}: {err}"));
    } else if !module.manifest.collections.is_empty() {
        found.notes.push(format!(
            "every collection's table has its columns on {dialect}"
        ));
    }
    Ok(())
}

/// A SQLite file of one check's own, removed when dropped.
struct ScratchSqlite(std::path::PathBuf);

impl ScratchSqlite {
    fn new() -> Self {
        static CHECKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = CHECKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("gantry-check-{}-{n}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        Self(path)
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }
}

impl Drop for ScratchSqlite {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// A database of one check's own on a PostgreSQL server; [`ScratchPostgres::drop_all`]
/// drops it and the module roles the migrations made for it.
struct ScratchPostgres {
    server: Db,
    name: String,
    url: String,
}

impl ScratchPostgres {
    async fn create(server_url: &str) -> Result<Self> {
        let server = Db::connect(server_url)
            .await
            .with_context(|| "cannot reach the PostgreSQL server given with --postgres")?;
        if server.kind != DbKind::Postgres {
            bail!("--postgres takes a postgres:// URL");
        }
        let name = format!(
            "gantry_check_{}_{}",
            std::process::id(),
            crate::accounts::random_hex(4)
        );
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&server.pool)
            .await
            .with_context(|| format!("cannot create the scratch database {name}"))?;
        let mut url = reqwest::Url::parse(server_url).context("--postgres is not a URL")?;
        url.set_path(&format!("/{name}"));
        Ok(Self {
            server,
            name,
            url: url.to_string(),
        })
    }

    async fn drop_all(self) -> Result<()> {
        let oid: i64 = sqlx::query_scalar("SELECT oid::bigint FROM pg_database WHERE datname = $1")
            .bind(&self.name)
            .fetch_one(&self.server.pool)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {} WITH (FORCE)",
            self.name
        )))
        .execute(&self.server.pool)
        .await
        .with_context(|| format!("cannot drop the scratch database {}", self.name))?;
        let roles: Vec<String> =
            sqlx::query_scalar("SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, $1)")
                .bind(format!("gantry_m{oid}_"))
                .fetch_all(&self.server.pool)
                .await?;
        for role in roles {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP ROLE \"{role}\"")))
                .execute(&self.server.pool)
                .await?;
        }
        self.server.pool.close().await;
        Ok(())
    }
}
