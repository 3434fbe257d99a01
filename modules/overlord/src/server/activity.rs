//! Audit: the Overlord's own entries in the host's audit trail (dispatches, edits,
//! health changes), written and read through the SDK.

use gantry_sdk::{prelude::*, AuditPage, AuditQuery};

use super::error::OverlordError;

/// `GET /activity?actor=…&action=…&since_unix=…&until_unix=…&page=…&per_page=…`.
pub async fn list(
    State(ctx): State<ModuleContext>,
    _admin: RequireAdmin,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    Ok(Json(
        ctx.audit
            .entries(query)
            .await
            .map_err(OverlordError::Audit)?,
    ))
}
