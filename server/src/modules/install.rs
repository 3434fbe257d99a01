//! Installing and removing drop-in modules at runtime.
//!
//! An archive (`.zip` or `.tar.gz` of a module's folder) is unpacked into a scratch
//! folder inside the modules folder, entry by entry ([`archive`]): only plain files
//! and folders with relative paths that stay inside (no absolute path, no `..`, no
//! link of any kind), within a count and a size. The folder then goes through the
//! same check as `gantry module check` (manifest, bundle, migrations on a scratch
//! database), and only when it passes is it moved to `<modules dir>/<name>`,
//! admitted, migrated and started; the archive is kept in the database for the
//! other instances ([`packages`]). Removing stops the module, optionally rolls back its migrations
//! (its data goes), deletes its folder and forgets it, on every instance.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use gantry_sdk::{ApiError, ModuleSource, ModuleStatus};

use super::{
    dependencies, discovery, lifecycle, migrate, packages, registry::ModuleEntry, switch,
    ModuleRegistry, ModuleState,
};
use crate::{accounts::Acting, audit, db::Db};

mod archive;
use archive::unpack;

/// The largest archive accepted.
pub const MAX_ARCHIVE_BYTES: usize = 32 * 1024 * 1024;

/// Why a module could not be installed or removed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("this instance has no modules folder to install into")]
    NoModulesFolder,
    #[error("the archive is neither a .zip nor a .tar.gz")]
    UnknownFormat,
    #[error("the archive cannot be read: {0}")]
    Unreadable(String),
    #[error("the archive's entry `{entry}` {why}; nothing was installed")]
    Unsafe { entry: String, why: &'static str },
    #[error("the archive unpacks to more than {} MiB or {} entries; nothing was installed", archive::MAX_UNPACKED_BYTES / 1024 / 1024, archive::MAX_ENTRIES)]
    TooLarge,
    #[error("the archive holds no gantry-module.toml, at its top or in its one top folder")]
    NoManifest,
    #[error("module `{0}` is installed already: remove it first")]
    Exists(String),
    #[error("the module did not pass the check; nothing was installed:\n{0}")]
    Refused(String),
    #[error("no module named `{0}`")]
    Unknown(String),
    #[error("module `{0}` is compiled into Gantry and cannot be removed (disable it instead)")]
    CompiledIn(String),
    #[error("module `{module}` is needed by `{dependents}`: remove or disable them first")]
    NeededBy { module: String, dependents: String },
    #[error("module `{module}`: its migrations could not be rolled back, so its folder was kept: {reason}")]
    Rollback { module: String, reason: String },
    #[error("the modules folder: {0}")]
    Io(#[from] std::io::Error),
}

impl From<InstallError> for ApiError {
    fn from(err: InstallError) -> Self {
        use axum::http::StatusCode;
        let message = err.to_string();
        let (status, code) = match &err {
            InstallError::Unknown(_) => (StatusCode::NOT_FOUND, "not_found"),
            InstallError::Exists(_)
            | InstallError::CompiledIn(_)
            | InstallError::NeededBy { .. }
            | InstallError::NoModulesFolder
            | InstallError::Rollback { .. } => (StatusCode::CONFLICT, "conflict"),
            InstallError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            InstallError::UnknownFormat
            | InstallError::Unreadable(_)
            | InstallError::Unsafe { .. }
            | InstallError::NoManifest
            | InstallError::Refused(_) => (StatusCode::UNPROCESSABLE_ENTITY, "module_invalid"),
            InstallError::Io(_) => {
                tracing::error!("{message}");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let api = ApiError::new(status, code, message);
        match err {
            InstallError::Exists(m) | InstallError::Unknown(m) | InstallError::CompiledIn(m) => {
                api.with_module(m)
            }
            InstallError::NeededBy { module, .. } | InstallError::Rollback { module, .. } => {
                api.with_module(module)
            }
            _ => api,
        }
    }
}

/// Unpacks `archive` into the modules folder, checks it, then admits, migrates and
/// starts it; the module's status. The archive is kept in the database, so every
/// instance runs the module too ([`packages`]). Audited as `module.installed`.
pub async fn install_archive(
    registry: &ModuleRegistry,
    db: &Db,
    archive: axum::body::Bytes,
    acting: &Acting,
) -> Result<ModuleStatus, InstallError> {
    let name = {
        // One install, rescan or removal at a time: a name is checked and taken in
        // one go.
        let _installing = registry.installing.lock().await;
        unpack_and_start(registry, db, archive, Kept::No).await?
    };
    audit::note(db, acting.event("module.installed", &name)).await;
    registry
        .get(&name)
        .map(|e| e.status())
        .ok_or(InstallError::Unknown(name))
}

/// Whether the archive being installed is kept in the database already (another
/// instance installed it) or is to be kept now.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kept {
    No,
    Already,
}

/// Unpacks `archive`, checks it and places it in the modules folder marked with its
/// digest, keeps it in the database (unless `kept` already), then admits, migrates
/// and starts it; its name. The caller holds the registry's `installing` lock.
pub(super) async fn unpack_and_start(
    registry: &ModuleRegistry,
    db: &Db,
    archive: axum::body::Bytes,
    kept: Kept,
) -> Result<String, InstallError> {
    let modules_dir = registry
        .modules_dir
        .clone()
        .ok_or(InstallError::NoModulesFolder)?;
    let scratch_in = modules_dir.clone();
    let unpacking = archive.clone();
    let scratch = tokio::task::spawn_blocking(move || -> Result<_, InstallError> {
        std::fs::create_dir_all(&scratch_in)?;
        let scratch = tempfile::Builder::new()
            .prefix(".installing-")
            .tempdir_in(&scratch_in)?;
        unpack(&unpacking, scratch.path())?;
        Ok(scratch)
    })
    .await
    .map_err(|err| InstallError::Unreadable(err.to_string()))??;
    let root = module_root(scratch.path())?;
    // Refused here (a name taken, a clash with another module, a rule broken), the
    // folder never reaches the modules folder.
    let entry = registry.admitted(discovery::drop_in(&root));
    if registry.get(&entry.name).is_some() {
        return Err(InstallError::Exists(entry.name));
    }
    if let Some(failure) = &entry.failure {
        return Err(InstallError::Refused(failure.message.clone()));
    }
    let digest = packages::digest(&archive);
    packages::mark(&root, &digest)?;
    let folder = place(&root, &modules_dir).await?;
    if kept == Kept::No {
        if let Err(err) = packages::keep(db, &entry.name, &digest, &archive).await {
            let _ = std::fs::remove_dir_all(&folder);
            return Err(InstallError::Io(std::io::Error::other(format!(
                "module `{}` could not be kept in the database: {err}",
                entry.name
            ))));
        }
    }
    admit_and_start(registry, db, &folder).await
}

/// Admits every module folder in the modules folder that is not known yet (copied
/// there by hand or by `gantry module install`), then migrates and starts each;
/// their statuses.
pub async fn rescan(
    registry: &ModuleRegistry,
    db: &Db,
    acting: &Acting,
) -> Result<Vec<ModuleStatus>, InstallError> {
    let modules_dir = registry
        .modules_dir
        .clone()
        .ok_or(InstallError::NoModulesFolder)?;
    let _installing = registry.installing.lock().await;
    let folders = match std::fs::read_dir(&modules_dir) {
        Ok(folders) => folders,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err.into()),
    };
    let mut found = Vec::new();
    for entry in folders.filter_map(Result::ok) {
        let folder = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let known = registry.entries().iter().any(|e| match &e.source {
            ModuleSource::DropIn { folder: known } => Path::new(known) == folder,
            ModuleSource::CompiledIn => false,
        });
        if hidden || known || !folder.join(discovery::MANIFEST_FILE).is_file() {
            continue;
        }
        // A folder that cannot be taken in is reported with its problem, as at
        // start-up; the others are still taken in.
        match admit_and_start(registry, db, &folder).await {
            Ok(name) | Err(InstallError::Refused(name)) => {
                audit::note(db, acting.event("module.installed", &name)).await;
                found.extend(registry.get(&name).map(|e| e.status()));
            }
            Err(err) => tracing::warn!("rescan: `{}`: {err}", folder.display()),
        }
    }
    Ok(found)
}

/// `gantry module install PATH`: an archive or a folder, checked, then copied into
/// the modules folder (running instances take it in with Rescan or at their next
/// start). What to print.
pub async fn from_command_line(path: &Path, modules_dir: &Path) -> Result<String, InstallError> {
    std::fs::create_dir_all(modules_dir)?;
    let scratch = tempfile::Builder::new()
        .prefix(".installing-")
        .tempdir_in(modules_dir)?;
    if path.is_dir() {
        copy_folder(path, &scratch.path().join("module"))?;
    } else {
        unpack(&std::fs::read(path)?, scratch.path())?;
    }
    let root = module_root(scratch.path())?;
    let folder = place(&root, modules_dir).await?;
    Ok(format!(
        "installed `{}`; running instances take it in with Admin → Modules → Rescan, or at their next start\n",
        folder.display()
    ))
}

/// Stops module `name`, rolls back its migrations when `rollback` (its data goes;
/// otherwise its tables stay for a later install), deletes its folder and forgets
/// it. Audited as `module.removed`.
pub async fn remove(
    registry: &ModuleRegistry,
    db: &Db,
    name: &str,
    rollback: bool,
    acting: &Acting,
) -> Result<(), InstallError> {
    // Not installed again meanwhile from its package by this instance's follower.
    let _installing = registry.installing.lock().await;
    let _switching = registry.switching.lock().await;
    let (entry, folder) = drop_in(registry, name)?;
    let dependents = dependencies::dependents(name, &registry.entries());
    if !dependents.is_empty() {
        return Err(InstallError::NeededBy {
            module: name.to_owned(),
            dependents: dependents.join("`, `"),
        });
    }
    // Off on every instance from here on, so a removal that fails half way leaves it
    // off rather than started again by the follower.
    switch::record(db, name, false, acting)
        .await
        .map_err(|err| InstallError::Io(std::io::Error::other(err.to_string())))?;
    let stopped = stop(registry, &entry).await;
    if rollback {
        if let Some(module) = stopped.module.clone() {
            // Every applied migration, however many the entry lists.
            let (db, steps) = (db.clone(), stopped.migrations.len().max(1000));
            let reverted = super::on_a_thread_of_its_own(move |runtime| {
                runtime.block_on(migrate::down(&module, &db, steps))
            })
            .await
            .map_err(|err| err.to_string())
            .and_then(|res| res.map_err(|err| err.to_string()));
            if let Err(reason) = reverted {
                return Err(InstallError::Rollback {
                    module: name.to_owned(),
                    reason,
                });
            }
        }
        forget_data(db, name).await;
    }
    delete_folder(registry, &folder)?;
    registry.forget(name);
    switch::forget_choice(db, name).await;
    packages::forget(db, name).await;
    let detail = if rollback {
        "its migrations were rolled back"
    } else {
        "its data was kept"
    };
    audit::note(db, acting.event("module.removed", name).detail(detail)).await;
    Ok(())
}

/// Stops module `name` on this instance, deletes its folder and forgets it, as
/// another instance removed it (which rolled back its migrations if asked to, and
/// audited it).
pub(super) async fn remove_here(registry: &ModuleRegistry, name: &str) -> Result<(), InstallError> {
    let _switching = registry.switching.lock().await;
    let (entry, folder) = drop_in(registry, name)?;
    stop(registry, &entry).await;
    delete_folder(registry, &folder)?;
    registry.forget(name);
    Ok(())
}

/// Drop-in `name`'s entry and folder.
fn drop_in(
    registry: &ModuleRegistry,
    name: &str,
) -> Result<(Arc<ModuleEntry>, PathBuf), InstallError> {
    let entry = registry
        .get(name)
        .ok_or_else(|| InstallError::Unknown(name.to_owned()))?;
    let ModuleSource::DropIn { folder } = &entry.source else {
        return Err(InstallError::CompiledIn(name.to_owned()));
    };
    let folder = PathBuf::from(folder);
    Ok((entry, folder))
}

/// Stops `entry` if it runs (its `on_shutdown`); the stopped entry.
async fn stop(registry: &ModuleRegistry, entry: &ModuleEntry) -> ModuleEntry {
    let mut stopped = entry.clone();
    if stopped.state == ModuleState::Running {
        lifecycle::disable(&mut stopped, registry.hook_timeout).await;
        registry.replace(stopped.clone());
    }
    stopped
}

/// Deletes a module's `folder`, but only ever an entry of the modules folder itself:
/// a folder is deleted, a link to a folder elsewhere is unlinked (what it points to
/// is left alone).
fn delete_folder(registry: &ModuleRegistry, folder: &Path) -> std::io::Result<()> {
    let Some(modules_dir) = &registry.modules_dir else {
        return Ok(());
    };
    let in_modules_dir = folder
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .zip(modules_dir.canonicalize().ok())
        .is_some_and(|(parent, m)| parent == m);
    let link = std::fs::symlink_metadata(folder).is_ok_and(|m| m.file_type().is_symlink());
    match (in_modules_dir, link) {
        (true, true) => std::fs::remove_file(folder),
        (true, false) => std::fs::remove_dir_all(folder),
        (false, _) => Ok(()),
    }
}

/// A rolled-back module's values and settings (its own storage rows and secrets).
async fn forget_data(db: &Db, name: &str) {
    let deleted = async {
        sqlx::query("DELETE FROM module_storage WHERE module = $1")
            .bind(name)
            .execute(&db.pool)
            .await?;
        sqlx::query("DELETE FROM secrets WHERE name LIKE $1")
            // Module names are lowercase letters, digits and `-`: no LIKE wildcard.
            .bind(format!("module:{name}:%"))
            .execute(&db.pool)
            .await
    };
    if let Err(err) = deleted.await {
        tracing::error!("module `{name}`: its stored values could not be deleted: {err}");
    }
}

/// Admits the module in `folder`, then migrates and starts it.
async fn admit_and_start(
    registry: &ModuleRegistry,
    db: &Db,
    folder: &Path,
) -> Result<String, InstallError> {
    let candidate = discovery::drop_in(folder);
    let name = candidate.name.clone();
    if registry.get(&name).is_some() {
        return Err(InstallError::Exists(name));
    }
    let entry = registry.admitted(candidate);
    if let (Some(module), Some(settings)) = (&entry.module, &registry.settings) {
        settings.declare(&name, &module.manifest.settings);
    }
    let invalid = entry.failure.is_some();
    if !registry.add(entry) {
        return Err(InstallError::Exists(name));
    }
    if invalid {
        // Kept in the list with its problem, like a module found at start-up.
        return Err(InstallError::Refused(name));
    }
    switch::start_added(registry, db, &name).await;
    Ok(name)
}

/// Runs `gantry module check`'s checks on `root` (on a thread of its own: the check's
/// migration futures are not `Send`), then moves it to `<modules dir>/<name>`.
async fn place(root: &Path, modules_dir: &Path) -> Result<PathBuf, InstallError> {
    let candidate = discovery::drop_in(root);
    let name = match &candidate.module {
        Ok(module) => module.manifest.name.clone(),
        Err(err) => return Err(InstallError::Refused(err.to_string())),
    };
    let path = root.to_owned();
    let checked = super::on_a_thread_of_its_own(move |runtime| {
        runtime.block_on(crate::module_check::check(
            &path,
            crate::module_check::CheckWith {
                postgres: None,
                browser: None,
            },
        ))
    })
    .await
    .map_err(|err| InstallError::Refused(err.to_string()))?
    .map_err(|err| InstallError::Refused(err.to_string()))?;
    if !checked.1 {
        return Err(InstallError::Refused(checked.0));
    }
    let destination = modules_dir.join(&name);
    if destination.exists() {
        return Err(InstallError::Exists(name));
    }
    std::fs::rename(root, &destination)?;
    Ok(destination)
}

/// The folder holding `gantry-module.toml`: the top, or its one top folder.
fn module_root(top: &Path) -> Result<PathBuf, InstallError> {
    if top.join(discovery::MANIFEST_FILE).is_file() {
        return Ok(top.to_owned());
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(top)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    match entries.as_slice() {
        [one] if one.join(discovery::MANIFEST_FILE).is_file() => Ok(one.clone()),
        _ => Err(InstallError::NoManifest),
    }
}

/// Copies a module folder for the command line: plain files and folders only.
fn copy_folder(from: &Path, to: &Path) -> Result<(), InstallError> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)?.filter_map(Result::ok) {
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_folder(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        } else {
            return Err(InstallError::Unsafe {
                entry: entry.path().display().to_string(),
                why: "is a link",
            });
        }
    }
    Ok(())
}
