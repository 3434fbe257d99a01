//! The manifest: what a module declares about itself, and what `/api/modules` says.

use serde::{Deserialize, Serialize};

use crate::{Collection, NavItem, Tab};

/// Everything a module declares that is plain data: identity, sidebar entries, tabs
/// and frontend files. The backend parts (router, migrations, hooks) live on
/// `Module` (feature `server`).
///
/// ```
/// let manifest = gantry_sdk::ModuleManifest::new("notes", "0.1.0");
/// assert_eq!(manifest.router_prefix, "/api/modules/notes");
/// assert_eq!(manifest.table_prefix(), "notes_");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ModuleManifest {
    /// Machine name: lowercase letters, digits and `-`, starting with a letter.
    pub name: String,
    /// Human name, e.g. "Atom Overlord".
    pub display_name: String,
    /// The module's own version, semver.
    pub version: String,
    /// One sentence on what the module does.
    #[serde(default)]
    pub description: String,
    /// Where the module's API is mounted: always `/api/modules/<name>`.
    #[serde(default)]
    pub router_prefix: String,
    /// Sidebar entries.
    #[serde(default)]
    pub nav_items: Vec<NavItem>,
    /// Tabs of the module's page, or of host pages.
    #[serde(default)]
    pub tabs: Vec<Tab>,
    /// Path of the ES-module bundle, relative to the module's folder.
    #[serde(default)]
    pub frontend_bundle: Option<String>,
    /// Folder of static files, relative to the module's folder.
    #[serde(default)]
    pub static_dir: Option<String>,
    /// The Gantry versions the module supports, as a semver range (e.g. `>=0.1, <0.3`).
    #[serde(default)]
    pub host_version: Option<String>,
    /// Tables the host serves as JSON at `/api/modules/<name>/collections/<collection>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<Collection>,
    /// Settings the host renders as a form, checks, stores and hands to the module.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<crate::Setting>,
    /// Modules this one needs, by name, each with the semver range of versions it
    /// works with (`depends = { overlord = ">=0.1, <0.2" }`). The host starts them
    /// first and refuses this module without them.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub depends: std::collections::BTreeMap<String, String>,
    /// Tools Chat's model may call, at `/api/modules/<name>/tools/<tool>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<crate::Tool>,
}

impl ModuleManifest {
    /// A manifest with the name as display name and the standard router prefix.
    ///
    /// ```
    /// let manifest = gantry_sdk::ModuleManifest::new("forge", "1.2.0");
    /// assert_eq!(manifest.display_name, "forge");
    /// ```
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            router_prefix: Self::router_prefix_for(&name),
            display_name: name.clone(),
            name,
            version: version.into(),
            description: String::new(),
            nav_items: Vec::new(),
            tabs: Vec::new(),
            frontend_bundle: None,
            static_dir: None,
            host_version: None,
            collections: Vec::new(),
            settings: Vec::new(),
            depends: std::collections::BTreeMap::new(),
            tools: Vec::new(),
        }
    }

    /// The router prefix a module called `name` must use.
    ///
    /// ```
    /// assert_eq!(gantry_sdk::ModuleManifest::router_prefix_for("x"), "/api/modules/x");
    /// ```
    pub fn router_prefix_for(name: &str) -> String {
        format!("/api/modules/{name}")
    }

    /// What every table, index and view of this module must start with: the name
    /// with `-` as `_`, then `_`.
    ///
    /// ```
    /// let manifest = gantry_sdk::ModuleManifest::new("atom-overlord", "0.1.0");
    /// assert_eq!(manifest.table_prefix(), "atom_overlord_");
    /// ```
    pub fn table_prefix(&self) -> String {
        format!("{}_", self.name.replace('-', "_"))
    }
}

/// One module as `GET /api/modules` describes it to the browser, already filtered
/// for the user asking.
///
/// ```
/// let info: gantry_sdk::ModuleInfo = serde_json::from_str(r#"{
///     "name": "notes", "display_name": "Notes", "version": "0.1.0", "description": "",
///     "nav_items": [], "tabs": [], "frontend_bundle": null
/// }"#).unwrap();
/// assert_eq!(info.frontend_bundle, None);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ModuleInfo {
    /// Machine name.
    pub name: String,
    /// Human name.
    pub display_name: String,
    /// The module's version.
    pub version: String,
    /// What the module does.
    pub description: String,
    /// Sidebar entries the user may see.
    pub nav_items: Vec<NavItem>,
    /// Tabs the user may see.
    pub tabs: Vec<Tab>,
    /// URL of the bundle, with its content hash (`…/bundle.js?v=<hash>`), or null.
    pub frontend_bundle: Option<String>,
    /// The settings the user may set: their own, and for administrators the
    /// instance-wide ones (the host renders a form for each scope).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, ts(optional, as = "Option<Vec<crate::Setting>>"))]
    pub settings: Vec<crate::Setting>,
    /// The tools the user may call (admin-only ones for administrators alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, ts(optional, as = "Option<Vec<crate::Tool>>"))]
    pub tools: Vec<crate::Tool>,
}
