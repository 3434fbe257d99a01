//! `gantry dev`: the module under development is read again whenever its folder
//! changes.
//!
//! Each change (a burst of file events, settled for [`SETTLE`]) stops the module,
//! checks its folder as at start-up, applies new migrations and starts it again.
//! Its bundle's URL changes with every reload, so each open page remounts the
//! module's components (the module list is pushed over `/api/events`). A folder that
//! does not pass stays in the list as failed, with the reason, in Admin → Modules,
//! on the module's open page and in the terminal, until the next save.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use gantry_sdk::{ModuleSource, ModuleStatus};
use notify::{EventKind, RecursiveMode, Watcher};

use super::{discovery, lifecycle, switch, ModuleRegistry, ModuleState};
use crate::db::Db;

/// How long a folder must be quiet before a change is taken in: a save is often
/// several file events.
pub const SETTLE: Duration = Duration::from_millis(150);

/// Reloads so far in this process, which make each reload's bundle URL new.
static RELOADS: AtomicU64 = AtomicU64::new(0);

/// Follows the folder of the module under development until the server closes.
pub async fn follow(registry: Arc<ModuleRegistry>, db: Db) {
    let Some(folder) = registry.dev_module.clone() else {
        return;
    };
    let (tx, mut changed) = tokio::sync::mpsc::unbounded_channel();
    let root = folder.canonicalize().unwrap_or_else(|_| folder.clone());
    let watched = root.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_ok_and(|event| matters(&event, &watched)) {
            let _ = tx.send(());
        }
    });
    let mut watcher = match watcher {
        Ok(watcher) => watcher,
        Err(err) => {
            tracing::error!("dev: cannot follow `{}`: {err}", folder.display());
            return;
        }
    };
    if let Err(err) = watcher.watch(&root, RecursiveMode::Recursive) {
        tracing::error!("dev: cannot follow `{}`: {err}", folder.display());
        return;
    }
    let mut name = name_of(&registry, &folder).unwrap_or_default();
    tracing::info!(
        module = %name,
        "dev: following `{}`; each change is taken in without a restart",
        folder.display()
    );
    loop {
        tokio::select! {
            got = changed.recv() => if got.is_none() { return },
            () = registry.closing.cancelled() => return,
        }
        while let Ok(Some(())) = tokio::time::timeout(SETTLE, changed.recv()).await {}
        let status = reload(&registry, &db, &folder, &name).await;
        name = status.name.clone();
        match &status.error {
            Some(failure) => tracing::error!(module = %name, "dev: {}", failure.message),
            None => tracing::info!(
                module = %name,
                "dev: module `{name}` reloaded: {:?}",
                status.state
            ),
        }
    }
}

/// Reads the module in `folder` again, in the place of module `current` (the name
/// it had; a renamed module takes the new one): stopped, checked, migrated and
/// started. Its status afterwards.
pub async fn reload(
    registry: &ModuleRegistry,
    db: &Db,
    folder: &Path,
    current: &str,
) -> ModuleStatus {
    let _installing = registry.installing.lock().await;
    let mut candidate = discovery::drop_in(folder);
    if candidate.module.is_err() && !current.is_empty() {
        // An unreadable manifest names no module: the failure takes the old one's place.
        candidate.name = current.to_owned();
    }
    let name = candidate.name.clone();
    {
        let _switching = registry.switching.lock().await;
        if let Some(old) = registry.get(current) {
            lifecycle::stop(&old, registry.hook_timeout).await;
        }
        let mut entry = registry.admitted_in_place_of(candidate, current);
        if let Some(bundle) = &mut entry.bundle {
            let reload = RELOADS.fetch_add(1, Ordering::Relaxed) + 1;
            bundle.hash = format!("{}-{reload}", bundle.hash);
        }
        if let (Some(module), Some(settings)) = (&entry.module, &registry.settings) {
            settings.declare(&name, &module.manifest.settings);
        }
        let turned_off = switch::disabled_names(db)
            .await
            .is_ok_and(|off| off.contains(&name));
        if entry.failure.is_none() && turned_off {
            entry.state = ModuleState::Disabled;
        }
        registry.swap(Some(current).filter(|c| !c.is_empty()), entry);
    }
    if registry
        .get(&name)
        .is_some_and(|e| e.state == ModuleState::Discovered)
    {
        switch::start_added(registry, db, &name).await;
    }
    registry
        .get(&name)
        .map(|entry| entry.status())
        .expect("the reloaded module was just put in the registry")
}

/// The name of the module read from `folder`.
fn name_of(registry: &ModuleRegistry, folder: &Path) -> Option<String> {
    let wanted = folder.canonicalize().ok();
    registry
        .entries()
        .into_iter()
        .find_map(|entry| match &entry.source {
            ModuleSource::DropIn { folder: known }
                if PathBuf::from(known).canonicalize().ok() == wanted =>
            {
                Some(entry.name.clone())
            }
            _ => None,
        })
}

/// Whether `event` changed a file of the module: not a read, and not only in a
/// hidden folder, `target` or `node_modules` (a build's own files).
fn matters(event: &notify::Event, root: &Path) -> bool {
    let changes = matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
    );
    changes
        && event.paths.iter().any(|path| {
            let inside = path.strip_prefix(root).unwrap_or(path);
            !inside.components().any(|part| {
                let part = part.as_os_str().to_string_lossy();
                part.starts_with('.') || part == "target" || part == "node_modules"
            })
        })
}
