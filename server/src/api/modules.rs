//! `/api/modules`: what modules there are, for the sidebar and for admins.

use std::sync::Arc;

use axum::{extract::State, Json};
use gantry_sdk::{ApiError, CurrentUser, ModuleInfo, NavItem, RequireAdmin, Tab};
use serde::Serialize;

use crate::{
    db::MigrationState,
    modules::{
        registry::{Failure, ModuleSource, Timings},
        ModuleRegistry, ModuleState,
    },
};

/// `GET /api/modules`: every running module the user may see, with only the nav
/// items and tabs the user may see. Used by the sidebar and module pages.
pub async fn list_modules(
    State(registry): State<Arc<ModuleRegistry>>,
    user: CurrentUser,
) -> Result<Json<Vec<ModuleInfo>>, ApiError> {
    Ok(Json(
        registry
            .entries()
            .iter()
            .filter_map(|entry| entry.info_for(&user))
            .collect(),
    ))
}

/// One discovered module as an administrator sees it.
#[derive(Debug, Serialize)]
pub struct ModuleStatusResponse {
    pub name: String,
    /// Empty when the manifest could not be read.
    pub display_name: String,
    pub version: String,
    pub source: ModuleSource,
    pub state: ModuleState,
    /// Why the module is not running, when it is not.
    pub error: Option<Failure>,
    pub timings: Timings,
    /// The module's API prefix (and whether it is a sidecar's).
    pub router_prefix: String,
    pub proxy: Option<String>,
    pub nav_items: Vec<NavItem>,
    pub tabs: Vec<Tab>,
    pub bundle: Option<BundleStatus>,
    pub migrations: Vec<MigrationState>,
}

/// The bundle as served.
#[derive(Debug, Serialize)]
pub struct BundleStatus {
    pub url: String,
    pub size: usize,
    pub hash: String,
}

/// `GET /api/admin/modules`: every discovered module, failed ones included, with
/// its state, error, timings, bundle and migrations. Administrators only.
pub async fn list_module_statuses(
    State(registry): State<Arc<ModuleRegistry>>,
    RequireAdmin(_admin): RequireAdmin,
) -> Json<Vec<ModuleStatusResponse>> {
    Json(
        registry
            .entries()
            .iter()
            .map(|entry| {
                let manifest = entry.manifest.clone();
                ModuleStatusResponse {
                    name: entry.name.clone(),
                    display_name: manifest
                        .as_ref()
                        .map(|m| m.display_name.clone())
                        .unwrap_or_default(),
                    version: entry.version().to_owned(),
                    source: entry.source.clone(),
                    state: entry.state,
                    error: entry.failure.clone(),
                    timings: entry.timings.clone(),
                    router_prefix: gantry_sdk::ModuleManifest::router_prefix_for(&entry.name),
                    proxy: entry.proxy.clone(),
                    nav_items: manifest
                        .as_ref()
                        .map(|m| m.nav_items.clone())
                        .unwrap_or_default(),
                    tabs: manifest.map(|m| m.tabs).unwrap_or_default(),
                    bundle: entry
                        .bundle
                        .as_ref()
                        .zip(entry.bundle_url())
                        .map(|(b, url)| BundleStatus {
                            url,
                            size: b.bytes.len(),
                            hash: b.hash.clone(),
                        }),
                    migrations: entry.migrations.clone(),
                }
            })
            .collect(),
    )
}
