//! `gantry module new` and `gantry module check`: the module author's command line.
//!
//! `new` writes a working module from templates (`src/scaffold/`): a plain-JS drop-in
//! folder, or a compiled-in crate with a Leptos frontend. `check` reads a module
//! folder or crate and reports every problem it finds, with its migrations applied,
//! reverted and applied again on a scratch SQLite database.

use std::{
    fmt::Write as _,
    path::{Component, Path, PathBuf},
};

use anyhow::{bail, Context, Result};
use gantry_sdk::{manifest_problems, ModuleManifest};

use crate::{
    db::Db,
    modules::{compiled_in, discovery, migrate},
};

/// What kind of module `new` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A drop-in folder: manifest, plain-JS bundle, migrations, a collection as API.
    Js,
    /// A `gantry-mod-<name>` crate with a router, migrations and a Leptos frontend.
    Leptos,
}

/// The files of each kind, with `{{…}}` placeholders; both get [`MIGRATION_FILES`].
const JS_FILES: &[(&str, &str)] = &[
    (
        "gantry-module.toml",
        include_str!("scaffold/js_manifest.toml"),
    ),
    ("index.js", include_str!("scaffold/js_index.js")),
];
const LEPTOS_FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("scaffold/leptos_cargo.toml")),
    ("src/lib.rs", include_str!("scaffold/leptos_lib.rs")),
    (
        "frontend/Cargo.toml",
        include_str!("scaffold/leptos_frontend_cargo.toml"),
    ),
    (
        "frontend/src/lib.rs",
        include_str!("scaffold/leptos_frontend_lib.rs"),
    ),
    (
        "frontend/bundle/{{lib}}.js",
        include_str!("scaffold/leptos_bundle.js"),
    ),
];
const MIGRATION_FILES: &[(&str, &str)] = &[
    (
        "migrations/sqlite/0001_items.up.sql",
        include_str!("scaffold/sqlite_up.sql"),
    ),
    (
        "migrations/sqlite/0001_items.down.sql",
        include_str!("scaffold/down.sql"),
    ),
    (
        "migrations/postgres/0001_items.up.sql",
        include_str!("scaffold/postgres_up.sql"),
    ),
    (
        "migrations/postgres/0001_items.down.sql",
        include_str!("scaffold/down.sql"),
    ),
];

/// Writes module `name` of `kind` into `parent/<name>`; returns what to print.
pub fn new(name: &str, kind: Kind, parent: &Path) -> Result<String> {
    if let Some(problem) = manifest_problems(&ModuleManifest::new(name, "0.1.0"), &host_version())
        .into_iter()
        .next()
    {
        bail!("{problem}");
    }
    let dest = parent.join(name);
    if dest.exists() {
        bail!(
            "`{}` exists already; choose another name or folder",
            dest.display()
        );
    }
    std::fs::create_dir_all(&dest)
        .with_context(|| format!("cannot create `{}`", dest.display()))?;
    let dest = dest.canonicalize()?;
    let snake = name.replace('-', "_");
    let display = name
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ");
    let sdk = sdk_dir();
    let values = [
        ("{{name}}", name.to_owned()),
        ("{{display}}", display),
        ("{{table}}", snake.clone()),
        ("{{lib}}", snake.clone()),
        ("{{crate_name}}", snake),
        ("{{sdk}}", relative(&sdk, &dest)),
        (
            "{{sdk_from_frontend}}",
            format!("../{}", relative(&sdk, &dest)),
        ),
        // A JS module's items are a collection with owners; a Leptos module's router
        // keeps its own.
        (
            "{{owner_column}}",
            match kind {
                Kind::Js => "\n    owner_id   TEXT,".to_owned(),
                Kind::Leptos => String::new(),
            },
        ),
    ];
    let fill = |text: &str| {
        values.iter().fold(text.to_owned(), |text, (key, value)| {
            text.replace(key, value)
        })
    };
    let files = match kind {
        Kind::Js => JS_FILES,
        Kind::Leptos => LEPTOS_FILES,
    };
    for (path, text) in files.iter().chain(MIGRATION_FILES) {
        let path = dest.join(fill(path));
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("cannot create `{}`", folder.display()))?;
        }
        std::fs::write(&path, fill(text))
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    let mut out = format!("created module `{name}` in {}\n", dest.display());
    match kind {
        Kind::Js => {
            let _ = writeln!(
                out,
                "it is a drop-in: in Gantry's modules folder it is discovered at the next start \
                 (`gantry module check {}` first)",
                dest.display()
            );
        }
        Kind::Leptos => {
            let _ = writeln!(
                out,
                "to compile it in: add `gantry-mod-{name} = {{ path = \"…/{name}\" }}` to \
                 server/Cargo.toml; `cargo xtask build` builds modules/*/frontend into frontend/dist"
            );
        }
    }
    Ok(out)
}

/// The `gantry-sdk` folder of the source this binary was built from.
fn sdk_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gantry-sdk");
    dir.canonicalize().unwrap_or(dir)
}

/// `target` as a path from `from` when both lie under a common folder, else absolute.
/// Both exist (so they are canonical).
fn relative(target: &Path, from: &Path) -> String {
    let parts = |p: &Path| -> Vec<std::ffi::OsString> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_owned()),
                _ => None,
            })
            .collect()
    };
    let (to, from) = (parts(target), parts(from));
    let common = to.iter().zip(&from).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.display().to_string();
    }
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for part in &to[common..] {
        path.push(part);
    }
    path.display().to_string()
}

fn host_version() -> semver::Version {
    env!("CARGO_PKG_VERSION")
        .parse()
        .expect("the host's version is semver")
}

/// Checks the module at `path` (a drop-in folder or a module crate); returns the report
/// and whether it passed.
pub async fn check(path: &Path) -> Result<(String, bool)> {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    if path.join(discovery::MANIFEST_FILE).is_file() {
        check_drop_in(path, &mut problems, &mut notes).await?;
    } else if path.join("Cargo.toml").is_file() {
        check_crate(path, &mut problems, &mut notes).await?;
    } else {
        bail!(
            "`{}` is neither a module folder (with {}) nor a module crate (with Cargo.toml)",
            path.display(),
            discovery::MANIFEST_FILE
        );
    }
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

async fn check_drop_in(
    path: &Path,
    problems: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<()> {
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
    check_migrations(&module, problems, notes).await
}

async fn check_crate(
    path: &Path,
    problems: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<()> {
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
            check_migrations(&module, problems, notes).await?;
        }
        None => {
            let mut module = gantry_sdk::Module::builder(name, "0.0.0").build();
            let migrations = path.join("migrations");
            if migrations.is_dir() {
                module.migrations = Some(gantry_sdk::Migrations::dir(migrations));
                check_migrations(&module, problems, notes).await?;
            }
            notes.push(
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

/// Applies the module's migrations, reverts them and applies them again on a scratch
/// SQLite database, with the table-prefix guard; checks each collection's table.
async fn check_migrations(
    module: &gantry_sdk::Module,
    problems: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<()> {
    static CHECKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CHECKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scratch = std::env::temp_dir().join(format!("gantry-check-{}-{n}.db", std::process::id()));
    let _ = std::fs::remove_file(&scratch);
    let db = Db::connect(&format!("sqlite://{}", scratch.display())).await?;
    // The host's own tables first (the audit trail records the module's migrations).
    db.migrate().await?;
    let res = async {
        let up = migrate::up(module, &db).await?;
        if up.is_empty() {
            notes.push("no migrations".into());
            return Ok::<_, crate::modules::ModuleError>(());
        }
        let reverted = migrate::down(module, &db, up.len()).await?;
        migrate::up(module, &db).await?;
        notes.push(format!(
            "{} migration(s) apply, revert ({reverted:?}) and apply again on SQLite",
            up.len()
        ));
        Ok(())
    }
    .await;
    if let Err(err) = res {
        problems.push(err.to_string());
    } else if let Err(err) = crate::modules::collections::verify(
        &module.manifest.name,
        &module.manifest.collections,
        &db,
    )
    .await
    {
        problems.push(err.to_string());
    } else if !module.manifest.collections.is_empty() {
        notes.push("every collection's table has its columns".into());
    }
    db.pool.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", scratch.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn paths_are_relative_when_they_share_a_root() {
        assert_eq!(
            relative(Path::new("/a/b/sdk"), Path::new("/a/modules/x")),
            "../../b/sdk"
        );
        assert_eq!(
            relative(Path::new("/srv/sdk"), Path::new("/home/x")),
            "/srv/sdk"
        );
    }
}
