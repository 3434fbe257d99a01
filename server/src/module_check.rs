//! `gantry module check`: reads a module folder or crate and reports every problem it
//! finds: the manifest's rules, the bundle (parsed, its registration read from the
//! code, then imported in a headless browser when there is one), the static folder,
//! the migrations of every dialect it ships (each folder present; applied, reverted
//! and applied again on a scratch SQLite database, and on a scratch PostgreSQL
//! database when given a server with `--postgres`), and each collection's table.

mod browser;
mod bundle;
mod scratch;
mod throwaway_postgres;

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context, Result};
use gantry_sdk::{manifest_problems, Migrations, ModuleManifest, BROWSER_ABI};

pub use browser::find as find_browser;
pub use throwaway_postgres::programs as postgres_programs;
use throwaway_postgres::ThrowawayPostgres;

use crate::{
    db::Db,
    module_command::host_version,
    modules::{compiled_in, discovery, migrate},
};
use scratch::{ScratchPostgres, ScratchSqlite};

/// What else a check may use besides the module's own files.
#[derive(Debug, Default, Clone, Copy)]
pub struct CheckWith<'a> {
    /// A PostgreSQL server to try the migrations on (a user that may create
    /// databases and roles).
    pub postgres: Option<&'a str>,
    /// A Chromium to import the bundle in (headless).
    pub browser: Option<&'a Path>,
}

/// What `gantry module check`'s options come to: the PostgreSQL server given, else
/// (unless told not to) a throwaway one when the machine has PostgreSQL's programs;
/// the browser given, else (unless told not to) a Chromium on `PATH`. A throwaway
/// server stops when this is dropped.
pub struct CheckSetup {
    postgres: Option<String>,
    browser: Option<PathBuf>,
    _throwaway: Option<ThrowawayPostgres>,
}

impl CheckSetup {
    /// Resolves the command line's options; says on stderr which throwaway server it
    /// started, or why it could not.
    pub fn new(
        postgres: Option<String>,
        local_postgres: bool,
        browser: Option<PathBuf>,
        use_browser: bool,
    ) -> Self {
        let throwaway = match postgres_programs() {
            Some(bin) if postgres.is_none() && local_postgres => {
                match ThrowawayPostgres::start(&bin) {
                    Ok(server) => {
                        eprintln!(
                            "trying the migrations on a throwaway PostgreSQL ({})",
                            bin.display()
                        );
                        Some(server)
                    }
                    Err(err) => {
                        eprintln!("no throwaway PostgreSQL: {err:#}");
                        None
                    }
                }
            }
            _ => None,
        };
        Self {
            postgres: postgres.or_else(|| throwaway.as_ref().map(|s| s.url.clone())),
            browser: use_browser
                .then(|| find_browser(browser.as_deref()))
                .flatten(),
            _throwaway: throwaway,
        }
    }

    /// What the check may use.
    pub fn with(&self) -> CheckWith<'_> {
        CheckWith {
            postgres: self.postgres.as_deref(),
            browser: self.browser.as_deref(),
        }
    }
}

/// Checks the module at `path` (a drop-in folder or a module crate) with what `with`
/// offers; returns the report and whether it passed.
pub async fn check(path: &Path, with: CheckWith<'_>) -> Result<(String, bool)> {
    let mut found = Found {
        problems: Vec::new(),
        notes: Vec::new(),
        warnings: Vec::new(),
        with,
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
        problems,
        notes,
        warnings,
        ..
    } = found;
    let mut out = String::new();
    for note in &notes {
        let _ = writeln!(out, "ok: {note}");
    }
    for warning in &warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    for problem in &problems {
        let _ = writeln!(out, "problem: {problem}");
    }
    let _ = writeln!(out, "{}: {} problem(s)", path.display(), problems.len());
    Ok((out, problems.is_empty()))
}

/// What a check has found so far, and what else it may use.
struct Found<'a> {
    problems: Vec<String>,
    notes: Vec<String>,
    /// What works but is likely a mistake (the check still passes).
    warnings: Vec<String>,
    with: CheckWith<'a>,
}

async fn check_drop_in(path: &Path, found: &mut Found<'_>) -> Result<()> {
    let candidate = discovery::drop_in(path);
    let module = match candidate.module {
        Ok(module) => module,
        Err(err) => {
            found.problems.push(err.to_string());
            return Ok(());
        }
    };
    found
        .notes
        .push(format!("{} reads", discovery::MANIFEST_FILE));
    check_manifest(&module.manifest, found);
    let root = module.root.clone().unwrap_or_else(|| path.to_owned());
    check_bundle(&module.manifest, &root, found).await;
    if let Some(dir) = &module.manifest.static_dir {
        if !root.join(dir).is_dir() {
            found
                .problems
                .push(format!("static_dir `{dir}` is not a folder"));
        }
    }
    check_migrations(&module, found).await
}

/// The bundle: read (syntax, registration, components) and, with a browser, imported
/// for real; a fault the reading finds is not reported a second time by the browser.
async fn check_bundle(manifest: &ModuleManifest, root: &Path, found: &mut Found<'_>) {
    let Some(bundle) = &manifest.frontend_bundle else {
        return;
    };
    let file = root.join(bundle);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(err) => {
            found.problems.push(format!(
                "frontend_bundle `{bundle}` ({}): {err}",
                file.display()
            ));
            return;
        }
    };
    let name = manifest.name.as_str();
    let wanted = components_named(manifest);
    let before = found.problems.len();
    let source = bundle::read(&text);
    for error in &source.syntax_errors {
        found.problems.push(format!(
            "frontend_bundle `{bundle}`: syntax error at {error}"
        ));
    }
    let mut seen_in_source = false;
    if source.syntax_errors.is_empty() {
        for other in source
            .registrations
            .iter()
            .filter(|r| r.name.as_deref().is_some_and(|n| n != name))
        {
            found.problems.push(format!(
                "frontend_bundle `{bundle}` registers as `{}` (line {}), but the host looks \
                 this module up as window.__GANTRY_MODULES__[\"{name}\"]",
                other.name.as_deref().unwrap_or_default(),
                other.line
            ));
        }
        let unseen = source.imports || source.registrations.iter().any(|r| r.name.is_none());
        match source
            .registrations
            .iter()
            .find(|r| r.name.as_deref() == Some(name))
        {
            Some(own) => {
                seen_in_source = true;
                judge_entry(
                    bundle,
                    own.abi.as_deref(),
                    own.components.as_deref(),
                    &wanted,
                    found,
                );
            }
            None if unseen => found.notes.push(format!(
                "frontend_bundle `{bundle}` registers in code the source does not show (it \
                 imports other code, or computes the name)"
            )),
            None => found.problems.push(format!(
                "frontend_bundle `{bundle}` never registers: no statement assigns \
                 window.__GANTRY_MODULES__[\"{name}\"] (a mention in a comment or a string \
                 does not count)"
            )),
        }
    }
    if found.problems.len() > before {
        return;
    }
    let Some(browser) = found.with.browser else {
        found.notes.push(format!(
            "frontend_bundle `{bundle}` {}; not imported in a browser (none given or found \
             on PATH: install Chromium or give --browser)",
            if seen_in_source {
                "registers as it should"
            } else {
                "parses"
            }
        ));
        return;
    };
    let files = browser::BundleFiles {
        module: name,
        bundle: file,
        static_dir: manifest.static_dir.as_ref().map(|dir| root.join(dir)),
    };
    match browser::load(browser, &files).await {
        Ok(loaded) => {
            if let Some(error) = loaded.error {
                found.problems.push(format!(
                    "frontend_bundle `{bundle}` fails to load in the browser: {error}"
                ));
            } else if let Some(entry) = loaded.entry {
                let abi = match &entry.abi {
                    serde_json::Value::Null => "none".to_owned(),
                    abi => abi.to_string(),
                };
                judge_entry(bundle, Some(&abi), Some(&entry.components), &wanted, found);
                if found.problems.len() == before {
                    found.notes.push(format!(
                        "frontend_bundle `{bundle}` imported in {}: registers `{name}` with {}",
                        browser.display(),
                        list(&entry.components)
                    ));
                }
            } else {
                found.problems.push(format!(
                    "frontend_bundle `{bundle}` loads in the browser but does not register \
                     window.__GANTRY_MODULES__[\"{name}\"] (it registers: {})",
                    list(&loaded.registered)
                ));
            }
        }
        Err(err) => found.notes.push(format!(
            "frontend_bundle `{bundle}` not imported in a browser: {err:#}"
        )),
    }
}

/// Checks a registry entry's `abi` (as written, `none` when it has none, `None` when
/// not known) and its components (`None` when not known) against the manifest.
fn judge_entry(
    bundle: &str,
    abi: Option<&str>,
    components: Option<&[String]>,
    wanted: &[(String, String)],
    found: &mut Found<'_>,
) {
    if let Some(abi) = abi.filter(|abi| *abi != BROWSER_ABI.to_string()) {
        found.problems.push(format!(
            "frontend_bundle `{bundle}` registers with abi {abi}; this host takes abi {BROWSER_ABI}"
        ));
    }
    let Some(components) = components else {
        return;
    };
    for (what, component) in wanted {
        if !components.contains(component) {
            found.problems.push(format!(
                "{what} names component `{component}`, which frontend_bundle `{bundle}` does \
                 not register (it registers: {})",
                list(components)
            ));
        }
    }
}

/// The components the manifest's pages and tabs name, each with what names it.
fn components_named(manifest: &ModuleManifest) -> Vec<(String, String)> {
    let pages = manifest
        .nav_items
        .iter()
        .filter(|item| !item.frontend_component.is_empty())
        .map(|item| {
            (
                format!("page `{}`", item.route),
                item.frontend_component.clone(),
            )
        });
    let tabs = manifest
        .tabs
        .iter()
        .map(|tab| (format!("tab `{}`", tab.id), tab.frontend_component.clone()));
    pages.chain(tabs).collect()
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "nothing".into()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn check_crate(path: &Path, found: &mut Found<'_>) -> Result<()> {
    let Found {
        problems, notes, ..
    } = &mut *found;
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
    match std::fs::read_to_string(path.join("src/lib.rs")).map(|text| syn::parse_file(&text)) {
        Ok(Ok(lib)) if exposes_module(&lib.items) => {
            notes.push("src/lib.rs exposes `module()`".into())
        }
        Ok(Ok(_)) => problems
            .push("src/lib.rs has no `pub fn module() -> Module` (nor a `pub use` of one)".into()),
        Ok(Err(err)) => problems.push(format!(
            "src/lib.rs does not parse: {err} (line {})",
            err.span().start().line
        )),
        Err(err) => problems.push(format!("src/lib.rs: {err}")),
    }
    if path.join("frontend/Cargo.toml").is_file() {
        notes.push("frontend/ crate (built by `cargo xtask build`)".into());
    }
    // This binary links it: check what it declares, for real.
    match compiled_in().into_iter().find(|m| m.manifest.name == name) {
        Some(module) => {
            notes.push(format!("linked into this gantry binary as module `{name}`"));
            check_manifest(&module.manifest, found);
            match &module.root {
                Some(root) if root.is_dir() => check_bundle(&module.manifest, root, found).await,
                Some(root) if module.manifest.frontend_bundle.is_some() => {
                    found.notes.push(format!(
                        "frontend not built yet (no {}): `cargo xtask build` builds it",
                        root.display()
                    ))
                }
                _ => {}
            }
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

/// Whether a crate root has a public `module` function, or re-exports one.
fn exposes_module(items: &[syn::Item]) -> bool {
    fn names_module(tree: &syn::UseTree) -> bool {
        match tree {
            syn::UseTree::Path(path) => names_module(&path.tree),
            syn::UseTree::Name(name) => name.ident == "module",
            syn::UseTree::Rename(rename) => rename.rename == "module",
            syn::UseTree::Group(group) => group.items.iter().any(names_module),
            syn::UseTree::Glob(_) => false,
        }
    }
    let public = |vis: &syn::Visibility| matches!(vis, syn::Visibility::Public(_));
    items.iter().any(|item| match item {
        syn::Item::Fn(f) => public(&f.vis) && f.sig.ident == "module",
        syn::Item::Use(u) => public(&u.vis) && names_module(&u.tree),
        _ => false,
    })
}

fn check_manifest(manifest: &ModuleManifest, report: &mut Found<'_>) {
    let mut found = manifest_problems(manifest, &host_version());
    found.extend(crate::modules::tools::schema_problems(manifest));
    let icons = manifest
        .nav_items
        .iter()
        .map(|n| ("nav item", &n.id, &n.icon))
        .chain(manifest.tabs.iter().map(|t| ("tab", &t.id, &t.icon)));
    for (what, id, icon) in icons {
        if let Some(icon) = icon
            .as_deref()
            .filter(|i| !app::components::icon::KNOWN.contains(i))
        {
            report.warnings.push(format!(
                "{what} `{id}` icon `{icon}` is not one of the host's icons ({}); a neutral dot is drawn",
                app::components::icon::KNOWN.join(", ")
            ));
        }
    }
    // A module page shows its tabs; a nav item's own component only without them.
    if manifest.tabs.iter().any(|t| t.section.is_none()) {
        for nav in manifest
            .nav_items
            .iter()
            .filter(|n| !n.frontend_component.is_empty())
        {
            report.warnings.push(format!(
                "nav item `{}` component `{}` is never drawn: the module's page shows its tabs",
                nav.id, nav.frontend_component
            ));
        }
    }
    if found.is_empty() {
        report.notes.push(format!(
            "manifest of `{}` {} is valid ({} nav item(s), {} tab(s), {} collection(s), {} tool(s))",
            manifest.name,
            manifest.version,
            manifest.nav_items.len(),
            manifest.tabs.len(),
            manifest.collections.len(),
            manifest.tools.len()
        ));
    }
    report
        .problems
        .extend(found.into_iter().map(|p| p.to_string()));
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
    match found.with.postgres {
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
        None if module.migrations.is_some() => found.notes.push(
            "PostgreSQL not tried: give `--postgres <server URL>`, or install PostgreSQL \
                 for a throwaway server of the check's own"
                .into(),
        ),
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
