//! Modules: discovery, validation, migrations, lifecycle and serving.
//!
//! [`load`] turns discovered modules into a [`ModuleRegistry`]: each module is
//! validated, migrated and started on its own, and one that fails at any step is
//! recorded with its error and skipped, never fatal to the host. The set of modules
//! is then fixed for the life of the process, while each one may be disabled and
//! enabled again at runtime ([`switch`]); [`dispatch`] serves every module's API,
//! bundle and static files from it.

pub(crate) mod collections;
mod compiled;
pub mod dependencies;
pub mod dev_loop;
pub mod discovery;
pub mod dispatch;
mod error;
pub mod install;
pub mod lifecycle;
pub mod migrate;
mod module_list;
pub mod packages;
mod pg_boundary;
mod proxy;
pub mod registry;
pub mod settings;
mod sqlite_boundary;
mod storage;
pub mod switch;
pub mod tools;

use std::{path::PathBuf, time::Duration};

pub use compiled::compiled_in;
pub use error::ModuleError;
pub use registry::{ModuleEntry, ModuleRegistry, ModuleState, ModuleStep};

use crate::db::Db;

/// Runs `work` on a blocking thread of its own, with the runtime's handle to
/// `block_on` a future that is not `Send` (sqlx's migrator futures are not), so that
/// a request handler or a spawned task, which must be `Send`, can await it.
pub(crate) async fn on_a_thread_of_its_own<T: Send + 'static>(
    work: impl FnOnce(&tokio::runtime::Handle) -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || work(&runtime)).await
}

/// How the host finds and starts modules.
#[derive(Debug, Clone)]
pub struct ModuleOptions {
    /// Folder of drop-in modules, one sub-folder each; `None` for none.
    pub dir: Option<PathBuf>,
    /// How long one module's `on_startup` (or `on_shutdown`) may take.
    pub hook_timeout: Duration,
    /// This host's version, which modules' `host_version` ranges are checked against.
    pub host_version: semver::Version,
    /// How long a sidecar may take over a whole answer (less than the host's own
    /// request time limit, so the client hears which module was slow).
    pub sidecar_timeout: Duration,
    /// The instance's key, which seals modules' secret settings.
    pub secrets: crate::secrets::Secrets,
    /// Where compiled-in modules' built-in files are written and served from (see
    /// [`crate::embedded`]); `None`: from their `root`s.
    pub unpack_dir: Option<PathBuf>,
    /// A drop-in module's folder used in place and followed for changes (`gantry
    /// dev`, see [`dev_loop`]).
    pub dev_module: Option<PathBuf>,
    /// How the module under development's frontend is built before each reading.
    pub dev_build: Option<dev_loop::FrontendBuild>,
}

impl ModuleOptions {
    /// Options for this build of Gantry with drop-in modules in `dir`.
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self {
            dir,
            hook_timeout: Duration::from_secs(10),
            sidecar_timeout: Duration::from_secs(30),
            // A key for this process only; `serve` and tests give the instance's.
            secrets: crate::secrets::Secrets::ephemeral(),
            unpack_dir: None,
            dev_module: None,
            dev_build: None,
            host_version: env!("CARGO_PKG_VERSION")
                .parse()
                .expect("crate version is semver"),
        }
    }
}

/// `module` served from its built-in files, written under `unpack_dir`, when it
/// has any (a module whose files cannot be written keeps its `root`, and fails
/// there with the reason when that is not on this machine either).
fn with_files_unpacked(
    mut module: gantry_sdk::Module,
    unpack_dir: Option<&std::path::Path>,
) -> gantry_sdk::Module {
    let (Some(files), Some(dir)) = (module.embedded, unpack_dir) else {
        return module;
    };
    let files = files();
    if files.is_empty() {
        return module;
    }
    let name = module.manifest.name.clone();
    match crate::embedded::unpack_module(dir, &name, &files) {
        Ok(root) => module.root = Some(root),
        Err(err) => tracing::error!(
            "module `{name}`: cannot write its built-in files under {}: {err}",
            dir.display()
        ),
    }
    module
}

/// Discovers, validates, migrates and starts every module: `compiled` (the modules
/// linked into the binary) and the drop-in folders under `options.dir`.
pub async fn load(
    db: &Db,
    options: &ModuleOptions,
    compiled: Vec<gantry_sdk::Module>,
) -> ModuleRegistry {
    let mut registry = ModuleRegistry::default();
    registry.module_boundary = migrate::boundary(db).await;
    registry.sidecar_timeout = options.sidecar_timeout;
    registry.hook_timeout = options.hook_timeout;
    registry.host_version = options.host_version.clone();
    registry.modules_dir = options.dir.clone();
    registry.dev_module = options.dev_module.clone();
    registry.dev_build = options.dev_build.clone();
    let settings = std::sync::Arc::new(settings::HostSettings::new(
        db.clone(),
        options.secrets.clone(),
    ));
    registry.settings = Some(settings.clone());
    let compiled = compiled
        .into_iter()
        .map(|module| with_files_unpacked(module, options.unpack_dir.as_deref()))
        .collect();
    // The frontend of a module under development is built before it is read.
    let built = dev_loop::build_at_start(options).await;
    for mut candidate in discovery::discover(options, compiled) {
        if let Some(folder) = &options.dev_module {
            if dev_loop::is_under_development(&candidate, folder) {
                dev_loop::unbuilt(&mut candidate, built.clone());
            }
        }
        registry.admit(candidate, &options.host_version);
    }
    // What an administrator turned off stays off: not migrated, not started.
    match switch::disabled_names(db).await {
        Ok(disabled) => {
            for entry in registry.entries_mut() {
                if disabled.contains(&entry.name) && entry.state == ModuleState::Discovered {
                    entry.state = ModuleState::Disabled;
                }
            }
        }
        Err(err) => tracing::error!("cannot read which modules are disabled: {err}"),
    }
    // Every module with parts has its settings, running or not, so an administrator
    // can give a stopped one what it needs to start.
    for entry in registry.entries() {
        if let Some(module) = &entry.module {
            settings.declare(&entry.name, &module.manifest.settings);
        }
    }
    // Each module after what it needs; one whose dependency did not make it through
    // a step stops there too, naming it.
    let order = dependencies::start_order(&mut registry);
    for name in &order {
        let others = registry.entries();
        let Some(entry) = registry.entry_mut(name) else {
            continue;
        };
        if entry.state == ModuleState::Discovered {
            match dependencies::missing(entry, &others) {
                Some(err) => entry.fail(ModuleStep::Dependencies, err),
                None => migrate::apply(entry, db).await,
            }
        }
    }
    for name in &order {
        let others = registry.entries();
        let Some(entry) = registry.entry_mut(name) else {
            continue;
        };
        if entry.state == ModuleState::Starting {
            match dependencies::missing(entry, &others) {
                Some(err) => entry.fail(ModuleStep::Dependencies, err),
                None => lifecycle::start(entry, db, &settings, options.hook_timeout).await,
            }
        }
    }
    for entry in registry.entries() {
        match &entry.failure {
            Some(failure) => {
                tracing::error!(module = %entry.name, "{}", failure.message);
                crate::audit::note(
                    db,
                    gantry_sdk::AuditEvent::new("module.failed")
                        .target(&entry.name)
                        .detail(&failure.message),
                )
                .await;
            }
            None => tracing::info!(
                module = %entry.name,
                "module `{}` {} is {:?}",
                entry.name,
                entry.version(),
                entry.state
            ),
        }
    }
    registry
}
