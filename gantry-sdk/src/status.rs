//! What the host reports about modules and itself to administrators
//! (`GET /api/admin/modules`, the Admin page).

use serde::{Deserialize, Serialize};

use crate::{NavItem, Tab};

/// Where a module is in its life: discovered → migrating → starting → running, or
/// stopped at invalid, incompatible or failed, or turned off by an administrator
/// (disabled: its hooks have run their `on_shutdown`, its API answers 503 and it is
/// absent from `/api/modules` until enabled again).
///
/// ```
/// assert_eq!(serde_json::to_string(&gantry_sdk::ModuleState::Running).unwrap(), "\"running\"");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ModuleState {
    Discovered,
    Invalid,
    Incompatible,
    Migrating,
    Starting,
    Running,
    Failed,
    Disabled,
}

/// Where a module came from.
///
/// ```
/// let source = gantry_sdk::ModuleSource::DropIn { folder: "/srv/modules/forge".into() };
/// assert!(serde_json::to_string(&source).unwrap().contains("drop_in"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModuleSource {
    /// Linked into the `gantry` binary.
    CompiledIn,
    /// A folder with a `gantry-module.toml`.
    DropIn { folder: String },
}

/// The step a module stopped at.
///
/// ```
/// assert_eq!(serde_json::to_string(&gantry_sdk::ModuleStep::Migration).unwrap(), "\"migration\"");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ModuleStep {
    Discovery,
    Validation,
    /// What it depends on is missing, of another version, not running, or in a
    /// cycle with it.
    Dependencies,
    Migration,
    Startup,
    Shutdown,
}

/// Why and when a module stopped.
///
/// ```
/// let f = gantry_sdk::ModuleFailure { step: gantry_sdk::ModuleStep::Startup, message: "module `x`: on_startup failed: no key".into(), at_unix_ms: 0 };
/// assert!(f.message.starts_with("module `x`"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ModuleFailure {
    pub step: ModuleStep,
    /// Names the module and the cause.
    pub message: String,
    /// Milliseconds since the Unix epoch.
    #[cfg_attr(test, ts(type = "number"))]
    pub at_unix_ms: u64,
}

/// How long each start-up step took, in milliseconds.
///
/// ```
/// assert_eq!(gantry_sdk::ModuleTimings::default().startup_ms, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ModuleTimings {
    pub discovery_ms: f64,
    pub migrations_ms: Option<f64>,
    pub startup_ms: Option<f64>,
}

/// A module's bundle as served.
///
/// ```
/// let b = gantry_sdk::BundleStatus { url: "/api/modules/x/bundle.js?v=ab".into(), size: 10, hash: "ab".into() };
/// assert_eq!(b.size, 10);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BundleStatus {
    pub url: String,
    #[cfg_attr(test, ts(type = "number"))]
    pub size: u64,
    /// First 16 hex digits of the SHA-256 of the bundle.
    pub hash: String,
}

/// One migration and whether the database has it.
///
/// ```
/// let m = gantry_sdk::MigrationState { version: 1, description: "items".into(), applied: true };
/// assert!(m.applied);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct MigrationState {
    #[cfg_attr(test, ts(type = "number"))]
    pub version: i64,
    pub description: String,
    pub applied: bool,
}

/// One discovered module as an administrator sees it.
///
/// ```
/// let json = r#"{"name":"x","display_name":"","version":"?","source":{"kind":"compiled_in"},
///   "state":"running","error":null,"timings":{"discovery_ms":0.0,"migrations_ms":null,"startup_ms":null},
///   "router_prefix":"/api/modules/x","proxy":null,"nav_items":[],"tabs":[],"bundle":null,"migrations":[]}"#;
/// let status: gantry_sdk::ModuleStatus = serde_json::from_str(json).unwrap();
/// assert_eq!(status.state, gantry_sdk::ModuleState::Running);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ModuleStatus {
    pub name: String,
    /// Empty when the manifest could not be read.
    pub display_name: String,
    /// `?` when the manifest could not be read.
    pub version: String,
    pub source: ModuleSource,
    pub state: ModuleState,
    /// Why the module is not running, when it is not.
    pub error: Option<ModuleFailure>,
    pub timings: ModuleTimings,
    /// Where its API is mounted.
    pub router_prefix: String,
    /// The sidecar its API is proxied to, if any.
    pub proxy: Option<String>,
    pub nav_items: Vec<NavItem>,
    pub tabs: Vec<Tab>,
    pub bundle: Option<BundleStatus>,
    pub migrations: Vec<MigrationState>,
    /// The tables the host serves as JSON for it.
    #[serde(default)]
    pub collections: Vec<crate::Collection>,
    /// The modules it needs, with the version ranges it accepts.
    #[serde(default)]
    pub depends: std::collections::BTreeMap<String, String>,
}

/// Facts about the running host.
///
/// ```
/// let s = gantry_sdk::SystemInfo { version: "0.1.0".into(), database: "sqlite".into(), database_bytes: Some(4096), uptime_seconds: 5, data_dir: "data".into(), modules_dir: "data/modules".into(), module_boundary: "enforced".into(), vector_search: "sqlite-vec".into() };
/// assert_eq!(s.database, "sqlite");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SystemInfo {
    /// Gantry's version.
    pub version: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// The database's size on disk, when it could be measured.
    #[cfg_attr(test, ts(type = "number | null"))]
    pub database_bytes: Option<u64>,
    #[cfg_attr(test, ts(type = "number"))]
    pub uptime_seconds: u64,
    pub data_dir: String,
    pub modules_dir: String,
    /// How the database keeps each module's migrations to the module's own tables,
    /// or why it cannot here.
    pub module_boundary: String,
    /// How the Knowledge Vault compares vectors: `sqlite-vec` (SQLite), or `exact`
    /// (every stored vector compared, on PostgreSQL).
    pub vector_search: String,
}
