//! `/api/modules`: what modules there are, for the sidebar and for admins.

use std::sync::Arc;

use axum::extract::State;
use gantry_sdk::{ApiError, CurrentUser, Json, ModuleInfo, ModuleStatus, RequireAdmin};

use crate::modules::ModuleRegistry;

/// `GET /api/modules`: every running module the user may see, with only the nav
/// items and tabs the user may see. Used by the sidebar and module pages.
pub async fn list_modules(
    State(registry): State<Arc<ModuleRegistry>>,
    user: CurrentUser,
) -> Result<Json<Vec<ModuleInfo>>, ApiError> {
    Ok(Json(registry.infos_for(&user)))
}

/// `GET /api/admin/modules`: every discovered module, failed ones included, with
/// its state, error, timings, bundle and migrations. Administrators only.
pub async fn list_module_statuses(
    State(registry): State<Arc<ModuleRegistry>>,
    RequireAdmin(_admin): RequireAdmin,
) -> Json<Vec<ModuleStatus>> {
    Json(registry.statuses())
}
