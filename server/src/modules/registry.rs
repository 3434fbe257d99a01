//! The registry: every discovered module with its state, error, timings and parts.

use std::{
    path::PathBuf,
    sync::{Arc, PoisonError, RwLock, RwLockReadGuard},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::Router;
pub use gantry_sdk::{
    BundleStatus, MigrationState, ModuleFailure, ModuleSource, ModuleState, ModuleStatus,
    ModuleStep, ModuleTimings,
};
use gantry_sdk::{CurrentUser, ModuleContext, ModuleInfo, ModuleManifest, SettingScope};

use super::ModuleError;

mod admission;
pub use admission::HOST_TABLES;

/// A module's frontend bundle, read once at start-up.
#[derive(Clone, Debug)]
pub struct Bundle {
    pub path: PathBuf,
    pub bytes: Arc<[u8]>,
    /// First 16 hex digits of the SHA-256 of `bytes`.
    pub hash: String,
}

/// One discovered module. Requests hold a snapshot of it (an `Arc`); a change of
/// state (disable, enable) makes a new entry and swaps it in.
#[derive(Clone)]
pub struct ModuleEntry {
    pub name: String,
    pub source: ModuleSource,
    /// `None` when the manifest could not even be read.
    pub manifest: Option<ModuleManifest>,
    pub state: ModuleState,
    pub failure: Option<ModuleFailure>,
    pub timings: ModuleTimings,
    pub bundle: Option<Bundle>,
    pub static_dir: Option<PathBuf>,
    /// The module's migrations and whether each is applied.
    pub migrations: Vec<MigrationState>,
    /// Upstream of a sidecar backend (drop-in `backend.proxy`).
    pub proxy: Option<String>,
    /// Dev mode: the URL of the bundle on the module's dev server, from
    /// `GANTRY_MODULE_<NAME>_DEV`, loaded instead of the installed bundle.
    pub dev_bundle: Option<String>,
    /// The parts from the module's declaration (kept, so a disabled module can start
    /// again).
    pub(crate) module: Option<Arc<gantry_sdk::Module>>,
    /// The module's API with its state, ready to serve.
    pub(crate) router: Option<Router>,
    pub(crate) context: Option<ModuleContext>,
}

impl ModuleEntry {
    fn new(name: String, source: ModuleSource, discovery: Duration) -> Self {
        Self {
            name,
            source,
            manifest: None,
            state: ModuleState::Discovered,
            failure: None,
            timings: ModuleTimings {
                discovery_ms: millis(discovery),
                ..ModuleTimings::default()
            },
            bundle: None,
            static_dir: None,
            migrations: Vec::new(),
            proxy: None,
            dev_bundle: None,
            module: None,
            router: None,
            context: None,
        }
    }

    /// Marks the module stopped at `step` because of `error`.
    pub fn fail(&mut self, step: ModuleStep, error: ModuleError) {
        self.state = match (&error, step) {
            (ModuleError::Manifest(err), _) if err.is_incompatible() => ModuleState::Incompatible,
            (ModuleError::DependencyUnmet { .. } | ModuleError::DependencyCycle { .. }, _) => {
                ModuleState::Incompatible
            }
            (_, ModuleStep::Discovery | ModuleStep::Validation) => ModuleState::Invalid,
            _ => ModuleState::Failed,
        };
        self.failure = Some(ModuleFailure {
            step,
            message: error.to_string(),
            at_unix_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
        });
        self.router = None;
    }

    /// The module's version, or `?` when its manifest could not be read.
    pub fn version(&self) -> &str {
        self.manifest.as_ref().map_or("?", |m| m.version.as_str())
    }

    /// Whether any of the module's pages or tabs is for everyone; a module whose every
    /// entry is admin-only is refused (bundle and API) to other users.
    pub fn visible_to(&self, user: &CurrentUser) -> bool {
        let Some(manifest) = &self.manifest else {
            return false;
        };
        let mut admin_only = manifest
            .nav_items
            .iter()
            .map(|n| n.requires_admin)
            .chain(manifest.tabs.iter().map(|t| t.is_admin_only()))
            .peekable();
        user.is_admin || admin_only.peek().is_none() || admin_only.any(|admin| !admin)
    }

    /// The module as `/api/modules` shows it to `user`.
    pub fn info_for(&self, user: &CurrentUser) -> Option<ModuleInfo> {
        let manifest = self.manifest.as_ref()?;
        if self.state != ModuleState::Running || !self.visible_to(user) {
            return None;
        }
        let allowed = |requires_admin: bool| user.is_admin || !requires_admin;
        Some(ModuleInfo {
            name: manifest.name.clone(),
            display_name: manifest.display_name.clone(),
            version: manifest.version.clone(),
            description: manifest.description.clone(),
            nav_items: manifest
                .nav_items
                .iter()
                .filter(|n| allowed(n.requires_admin))
                .cloned()
                .collect(),
            tabs: manifest
                .tabs
                .iter()
                .filter(|t| allowed(t.is_admin_only()))
                .cloned()
                .collect(),
            frontend_bundle: self.bundle_url(),
            settings: manifest
                .settings
                .iter()
                .filter(|s| allowed(s.scope == SettingScope::Instance))
                .cloned()
                .collect(),
            tools: manifest
                .tools
                .iter()
                .filter(|t| allowed(t.requires_admin))
                .cloned()
                .collect(),
        })
    }

    /// The module as an administrator sees it.
    pub fn status(&self) -> ModuleStatus {
        let manifest = self.manifest.clone();
        ModuleStatus {
            name: self.name.clone(),
            display_name: manifest
                .as_ref()
                .map(|m| m.display_name.clone())
                .unwrap_or_default(),
            version: self.version().to_owned(),
            source: self.source.clone(),
            state: self.state,
            error: self.failure.clone(),
            timings: self.timings.clone(),
            router_prefix: ModuleManifest::router_prefix_for(&self.name),
            proxy: self.proxy.clone(),
            nav_items: manifest
                .as_ref()
                .map(|m| m.nav_items.clone())
                .unwrap_or_default(),
            tabs: manifest
                .as_ref()
                .map(|m| m.tabs.clone())
                .unwrap_or_default(),
            depends: manifest
                .as_ref()
                .map(|m| m.depends.clone())
                .unwrap_or_default(),
            collections: manifest.map(|m| m.collections).unwrap_or_default(),
            bundle: self
                .bundle
                .as_ref()
                .zip(self.bundle_url())
                .map(|(b, url)| BundleStatus {
                    url,
                    size: b.bytes.len() as u64,
                    hash: b.hash.clone(),
                }),
            migrations: self.migrations.clone(),
        }
    }

    /// `/api/modules/<name>/bundle.js?v=<hash>` when the module has a bundle; its dev
    /// server's URL in dev mode.
    pub fn bundle_url(&self) -> Option<String> {
        if let Some(dev) = &self.dev_bundle {
            return Some(dev.clone());
        }
        self.bundle
            .as_ref()
            .map(|b| format!("/api/modules/{}/bundle.js?v={}", self.name, b.hash))
    }
}

/// Every discovered module, in a stable order (compiled-in first, then drop-ins,
/// each by name).
///
/// Modules come and go at runtime (installed and removed, `install.rs`; read again
/// under `gantry dev`, `dev_loop.rs`), and each one's state changes (an
/// administrator disables or enables it, `switch.rs`).
/// Readers take a snapshot of an entry and never hold the lock across an await.
pub struct ModuleRegistry {
    entries: RwLock<Vec<Arc<ModuleEntry>>>,
    /// How the database keeps module migrations to their tables (Admin → System).
    pub module_boundary: String,
    /// How long a sidecar may take over a whole answer, and a tool called from
    /// Chat over its result.
    pub sidecar_timeout: Duration,
    /// How long one module's `on_startup` or `on_shutdown` may take.
    pub hook_timeout: Duration,
    /// Held while a module is installed or a rescan runs, so a name is checked and
    /// taken in one go.
    pub(crate) installing: tokio::sync::Mutex<()>,
    /// Held while a module changes state, so changes happen one at a time.
    pub(crate) switching: tokio::sync::Mutex<()>,
    /// Counts the changes of state, for those who show the modules live.
    changes: tokio::sync::watch::Sender<u64>,
    /// `/api/modules`'s JSON as of the last change.
    module_list: super::module_list::ModuleListCache,
    /// This host's version, which modules installed at runtime are checked against.
    pub host_version: semver::Version,
    /// Where drop-ins are installed at runtime; `None` for no drop-ins.
    pub modules_dir: Option<PathBuf>,
    /// The folder of the module under development (`gantry dev`), followed for
    /// changes.
    pub dev_module: Option<PathBuf>,
    /// How its frontend is built before each reading (`--dev-build`).
    pub dev_build: Option<super::dev_loop::FrontendBuild>,
    /// Modules' declared settings, kept by the host (set by `load`).
    pub(crate) settings: Option<Arc<super::settings::HostSettings>>,
    /// Cancelled when the server begins to shut down, which ends the live streams
    /// (an open page must not hold the shutdown up).
    pub closing: tokio_util::sync::CancellationToken,
}

impl Default for ModuleRegistry {
    fn default() -> Self {
        Self {
            entries: RwLock::default(),
            module_boundary: String::new(),
            sidecar_timeout: Duration::from_secs(30),
            hook_timeout: Duration::from_secs(10),
            switching: tokio::sync::Mutex::new(()),
            installing: tokio::sync::Mutex::new(()),
            changes: tokio::sync::watch::channel(0).0,
            module_list: Default::default(),
            closing: tokio_util::sync::CancellationToken::new(),
            settings: None,
            host_version: semver::Version::new(0, 0, 0),
            modules_dir: None,
            dev_module: None,
            dev_build: None,
        }
    }
}

impl std::fmt::Debug for ModuleRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.read().iter().map(|e| (e.name.clone(), e.state)))
            .finish()
    }
}

impl ModuleRegistry {
    fn read(&self) -> RwLockReadGuard<'_, Vec<Arc<ModuleEntry>>> {
        // An entry is swapped in whole, so a panic elsewhere leaves nothing half-made.
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn entries_vec(&mut self) -> &mut Vec<Arc<ModuleEntry>> {
        // A change before the registry is shared (and its count followed).
        self.module_list.clear();
        self.entries
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A module installed at runtime, after the others; `false` (and nothing added)
    /// when a module of that name is there already.
    pub(crate) fn add(&self, entry: ModuleEntry) -> bool {
        {
            let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
            if entries.iter().any(|e| e.name == entry.name) {
                return false;
            }
            entries.push(Arc::new(entry));
        }
        self.changes.send_modify(|n| *n += 1);
        true
    }

    /// Forgets a removed module.
    pub(crate) fn forget(&self, name: &str) {
        self.entries
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|e| e.name != name);
        self.changes.send_modify(|n| *n += 1);
    }

    /// The module called `name` as it is now, if one was discovered (whatever its
    /// state).
    pub fn get(&self, name: &str) -> Option<Arc<ModuleEntry>> {
        self.read().iter().find(|e| e.name == name).cloned()
    }

    /// The running modules `user` may see, as `/api/modules` and the page's bootstrap
    /// data describe them.
    pub fn infos_for(&self, user: &CurrentUser) -> Vec<ModuleInfo> {
        self.read()
            .iter()
            .filter_map(|e| e.info_for(user))
            .collect()
    }

    /// [`Self::infos_for`] as JSON: made once per change and kind of user.
    pub fn infos_json_for(&self, user: &CurrentUser) -> axum::body::Bytes {
        // Read before the modules, so a list is never older than its count.
        let version = *self.changes.borrow();
        self.module_list.get_or_make(version, user.is_admin, || {
            serde_json::to_vec(&self.infos_for(user))
                .unwrap_or_else(|_| b"[]".to_vec())
                .into()
        })
    }

    /// Each module that failed, with why, by name.
    pub fn problems(&self) -> std::collections::BTreeMap<String, String> {
        self.read()
            .iter()
            .filter_map(|e| Some((e.name.clone(), e.failure.as_ref()?.message.clone())))
            .collect()
    }

    /// Every discovered module's status, for administrators.
    pub fn statuses(&self) -> Vec<ModuleStatus> {
        self.read().iter().map(|e| e.status()).collect()
    }

    /// Every discovered module, as it is now.
    pub fn entries(&self) -> Vec<Arc<ModuleEntry>> {
        self.read().clone()
    }

    /// Before the registry is shared: each entry to change in place.
    pub(crate) fn entries_mut(&mut self) -> impl Iterator<Item = &mut ModuleEntry> {
        self.entries_vec().iter_mut().map(Arc::make_mut)
    }

    /// Before the registry is shared: the module called `name`, to change in place.
    pub(crate) fn entry_mut(&mut self, name: &str) -> Option<&mut ModuleEntry> {
        self.entries_vec()
            .iter_mut()
            .find(|e| e.name == name)
            .map(Arc::make_mut)
    }

    /// Puts `entry` in the place of the module of its name, and tells those who
    /// follow the changes.
    pub(crate) fn replace(&self, entry: ModuleEntry) {
        {
            let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
            if let Some(slot) = entries.iter_mut().find(|e| e.name == entry.name) {
                *slot = Arc::new(entry);
            }
        }
        self.changes.send_modify(|n| *n += 1);
    }

    /// Puts `entry` in the place of module `old` (gone when `None`, or renamed),
    /// after the others when there is none, and tells those who follow the changes.
    pub(crate) fn swap(&self, old: Option<&str>, entry: ModuleEntry) {
        {
            let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
            let at = entries
                .iter()
                .position(|e| Some(e.name.as_str()) == old || e.name == entry.name);
            entries.retain(|e| Some(e.name.as_str()) != old && e.name != entry.name);
            let at = at.unwrap_or(entries.len()).min(entries.len());
            entries.insert(at, Arc::new(entry));
        }
        self.changes.send_modify(|n| *n += 1);
    }

    /// Wakes on every change of a module's state (disabled, enabled, failed).
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// The origins of modules' dev-mode bundle URLs, which the page may load from.
    pub fn dev_origins(&self) -> Vec<String> {
        self.read()
            .iter()
            .filter_map(|e| e.dev_bundle.as_deref())
            .filter_map(|url| {
                let (scheme, rest) = url.split_once("://")?;
                let authority = rest.split('/').next()?;
                Some(format!("{scheme}://{authority}"))
            })
            .collect()
    }

    /// Runs every running module's `on_shutdown`.
    pub async fn shutdown(&self, timeout: Duration) {
        let _switching = self.switching.lock().await;
        for entry in self.entries() {
            super::lifecycle::stop(&entry, timeout).await;
        }
    }
}

/// The variable that points a module at its dev server: `GANTRY_MODULE_<NAME>_DEV`
/// (`-` as `_`), e.g. `GANTRY_MODULE_OVERLORD_DEV=http://127.0.0.1:3002/index.js`.
pub fn dev_bundle_variable(module: &str) -> String {
    format!(
        "GANTRY_MODULE_{}_DEV",
        module.to_ascii_uppercase().replace('-', "_")
    )
}

pub(crate) fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}
