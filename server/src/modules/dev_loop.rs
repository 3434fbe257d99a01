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

use super::{
    discovery::{self, Candidate},
    lifecycle, switch, ModuleError, ModuleOptions, ModuleRegistry, ModuleState,
};
use crate::db::Db;

/// How long a folder must be quiet before a change is taken in: a save is often
/// several file events.
pub const SETTLE: Duration = Duration::from_millis(150);

/// Reloads so far in this process, which make each reload's bundle URL new.
static RELOADS: AtomicU64 = AtomicU64::new(0);

/// How the frontend of the module under development is built (`--dev-build`).
#[derive(Debug, Clone)]
pub struct FrontendBuild {
    /// Run through `sh -c` in the module's folder; a non-zero exit is a failed build.
    pub command: String,
    /// One more folder to follow: the frontend's sources, when they lie outside the
    /// module's folder.
    pub watch: Option<PathBuf>,
}

/// Follows the folder of the module under development until the server closes.
pub async fn follow(registry: Arc<ModuleRegistry>, db: Db) {
    let Some(folder) = registry.dev_module.clone() else {
        return;
    };
    let build = registry.dev_build.clone();
    let (tx, mut changed) = tokio::sync::mpsc::unbounded_channel::<Vec<PathBuf>>();
    let root = folder.canonicalize().unwrap_or_else(|_| folder.clone());
    let mut followed = vec![root.clone()];
    if let Some(extra) = build.as_ref().and_then(|b| b.watch.as_ref()) {
        followed.push(extra.canonicalize().unwrap_or_else(|_| extra.clone()));
    }
    let roots = followed.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let paths = changed_paths(&event, &roots);
            if !paths.is_empty() {
                let _ = tx.send(paths);
            }
        }
    });
    let mut watcher = match watcher {
        Ok(watcher) => watcher,
        Err(err) => {
            tracing::error!("dev: cannot follow `{}`: {err}", folder.display());
            return;
        }
    };
    for path in &followed {
        if let Err(err) = watcher.watch(path, RecursiveMode::Recursive) {
            tracing::error!("dev: cannot follow `{}`: {err}", path.display());
            return;
        }
    }
    let mut name = name_of(&registry, &folder).unwrap_or_default();
    tracing::info!(
        module = %name,
        "dev: following `{}`; each change is taken in without a restart",
        folder.display()
    );
    let mut pending = false;
    loop {
        if !pending {
            tokio::select! {
                got = changed.recv() => if got.is_none() { return },
                () = registry.closing.cancelled() => return,
            }
            while let Ok(Some(_)) = tokio::time::timeout(SETTLE, changed.recv()).await {}
        }
        pending = false;
        let built = match &build {
            Some(build) => {
                let outcome = tokio::select! {
                    outcome = run_build(build, &folder, &name) => outcome,
                    () = registry.closing.cancelled() => return,
                };
                // What changed while it ran: the build's own output lands in the
                // module's `static/`; anything else is a save to take in next.
                while let Ok(Some(paths)) = tokio::time::timeout(SETTLE, changed.recv()).await {
                    let output = root.join("static");
                    pending |= paths.iter().any(|path| !path.starts_with(&output));
                }
                outcome
            }
            None => Ok(()),
        };
        let status = reload(&registry, &db, &folder, &name, built).await;
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

/// At start-up, before the module under development is first read: its frontend's
/// build, when it has one (`Ok` when it has none).
pub async fn build_at_start(options: &ModuleOptions) -> Result<(), String> {
    let (Some(folder), Some(build)) = (&options.dev_module, &options.dev_build) else {
        return Ok(());
    };
    let name = discovery::drop_in(folder).name;
    run_build(build, folder, &name).await
}

/// Whether `candidate` is the module under development, read from `folder`.
pub fn is_under_development(candidate: &Candidate, folder: &Path) -> bool {
    let read = match &candidate.source {
        ModuleSource::DropIn { folder } => Path::new(folder).canonicalize().ok(),
        ModuleSource::CompiledIn => None,
    };
    read.is_some() && read == folder.canonicalize().ok()
}

/// `candidate` refused for want of its frontend when its build failed.
pub fn unbuilt(candidate: &mut Candidate, built: Result<(), String>) {
    if let (Err(output), Ok(_)) = (built, &candidate.module) {
        candidate.module = Err(ModuleError::FrontendBuildFailed {
            module: candidate.name.clone(),
            output,
        });
    }
}

/// Runs the frontend's build in the module's folder: `Err` with what it printed
/// (from its first error on) when it fails.
async fn run_build(build: &FrontendBuild, folder: &Path, name: &str) -> Result<(), String> {
    let started = std::time::Instant::now();
    tracing::info!(module = %name, "dev: building the frontend: {}", build.command);
    let output = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(&build.command)
        .current_dir(folder)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output()
        .await;
    let output = match output {
        Ok(output) => output,
        Err(err) => return Err(format!("cannot run `{}`: {err}", build.command)),
    };
    if output.status.success() {
        tracing::info!(module = %name, "dev: frontend built in {} ms", started.elapsed().as_millis());
        return Ok(());
    }
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Err(build_failure(&printed, output.status))
}

/// The part of a failed build's output worth showing: from its first line that
/// starts with `error` (the compiler's first complaint), else its last lines.
fn build_failure(printed: &str, status: std::process::ExitStatus) -> String {
    const MOST: usize = 8_000;
    let lines: Vec<&str> = printed.lines().collect();
    let first_error = lines
        .iter()
        .position(|line| line.trim_start().starts_with("error"));
    let shown = match first_error {
        Some(at) => lines[at..].join("\n"),
        None => lines[lines.len().saturating_sub(30)..].join("\n"),
    };
    let mut shown = shown.trim().to_owned();
    if shown.len() > MOST {
        let mut cut = MOST;
        while !shown.is_char_boundary(cut) {
            cut -= 1;
        }
        shown.truncate(cut);
        shown.push_str("\n…");
    }
    if shown.is_empty() {
        format!("the build command ended with {status} and printed nothing")
    } else {
        shown
    }
}

/// Reads the module in `folder` again, in the place of module `current` (the name
/// it had; a renamed module takes the new one): stopped, checked, migrated and
/// started; failed with the output when its frontend's build (`built`) failed. Its
/// status afterwards.
pub async fn reload(
    registry: &ModuleRegistry,
    db: &Db,
    folder: &Path,
    current: &str,
    built: Result<(), String>,
) -> ModuleStatus {
    let _installing = registry.installing.lock().await;
    let mut candidate = discovery::drop_in(folder);
    unbuilt(&mut candidate, built);
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

/// The paths `event` changed under the followed `roots`: not a read, and not only
/// in a hidden folder, `target` or `node_modules` (a build's own files).
fn changed_paths(event: &notify::Event, roots: &[PathBuf]) -> Vec<PathBuf> {
    let changes = matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
    );
    if !changes {
        return Vec::new();
    }
    event
        .paths
        .iter()
        .filter(|path| {
            let inside = roots
                .iter()
                .find_map(|root| path.strip_prefix(root).ok())
                .unwrap_or(path);
            !inside.components().any(|part| {
                let part = part.as_os_str().to_string_lossy();
                part.starts_with('.') || part == "target" || part == "node_modules"
            })
        })
        .cloned()
        .collect()
}
