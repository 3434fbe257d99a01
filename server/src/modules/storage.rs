//! `/api/modules/<name>/storage/…`: the values the host keeps for a module, over
//! HTTP. `storage/user[/<key>]` is the signed-in user's own; `storage/instance[/<key>]`
//! is one value for everyone, read by whoever may see the module and written by
//! administrators only (each write audited, without the value).

use axum::{
    extract::Request,
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
};
use gantry_sdk::{ApiError, AuditEvent, CurrentUser, ModuleStorage, StorageScope};

use super::registry::ModuleEntry;
use crate::db::Db;

/// Serves `rest` (what follows `storage/`) of `entry`'s storage to `user`.
pub async fn serve(
    entry: &ModuleEntry,
    db: &Db,
    user: &CurrentUser,
    rest: &str,
    request: Request,
) -> Result<Response, ApiError> {
    let module = entry.name.as_str();
    let (scope_name, key) = match rest.split_once('/') {
        Some((scope, key)) => (scope, Some(key)),
        None => (rest, None),
    };
    let scope = match scope_name {
        "user" => StorageScope::User(&user.id),
        "instance" => StorageScope::Instance,
        other => {
            return Err(ApiError::not_found(format!(
                "module `{module}` has no storage `{other}`: it is `user` or `instance`"
            ))
            .with_module(module))
        }
    };
    let storage = ModuleStorage::new(db.pool.clone(), module.into());
    let method = request.method().clone();
    let Some(key) = key else {
        return match method {
            Method::GET => {
                let values = storage.list(scope).await?;
                Ok(axum::Json(serde_json::json!({ "values": values })).into_response())
            }
            _ => Err(not_allowed(module, "GET")),
        };
    };
    let writes = matches!(method, Method::PUT | Method::DELETE);
    if writes && scope == StorageScope::Instance && !user.is_admin {
        return Err(ApiError::forbidden(format!(
            "module `{module}`: instance-wide values are set by administrators"
        ))
        .with_module(module));
    }
    match method {
        Method::GET => match storage.get(scope, key).await? {
            Some(value) => Ok(axum::Json(value).into_response()),
            None => Err(ApiError::not_found(format!(
                "module `{module}` keeps no {scope_name} value `{key}`"
            ))
            .with_module(module)),
        },
        Method::PUT => {
            let body = axum::body::to_bytes(request.into_body(), gantry_sdk::MAX_VALUE_BYTES + 1)
                .await
                .map_err(|_| too_large(module))?;
            if body.len() > gantry_sdk::MAX_VALUE_BYTES {
                return Err(too_large(module));
            }
            let value: serde_json::Value = serde_json::from_slice(&body).map_err(|err| {
                ApiError::bad_request(format!("module `{module}`: a stored value is JSON: {err}"))
                    .with_module(module)
            })?;
            let stored = storage.set(scope, key, &value).await?;
            audit_instance_write(db, user, module, scope, "module.storage_set", key).await;
            Ok(axum::Json(stored).into_response())
        }
        Method::DELETE => {
            storage.delete(scope, key).await?;
            audit_instance_write(db, user, module, scope, "module.storage_deleted", key).await;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(not_allowed(module, "GET, PUT, DELETE")),
    }
}

fn too_large(module: &str) -> ApiError {
    gantry_sdk::StorageError::TooLarge {
        module: module.to_owned(),
    }
    .into()
}

fn not_allowed(module: &str, allowed: &str) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("module `{module}`: its storage here takes {allowed}"),
    )
    .with_module(module)
}

/// Instance-wide changes are an administrator's: in the audit trail, by key only.
async fn audit_instance_write(
    db: &Db,
    user: &CurrentUser,
    module: &str,
    scope: StorageScope<'_>,
    action: &str,
    key: &str,
) {
    if scope == StorageScope::Instance {
        crate::audit::note(
            db,
            AuditEvent::new(action)
                .by(user)
                .target(format!("{module} {key}")),
        )
        .await;
    }
}
