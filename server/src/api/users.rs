//! `/api/admin/users` and `/api/admin/audit`: the Admin page's Users and Audit tabs.
//! Administrators only.

use app::account::{NewUser, UserAccount, UserUpdate};
use axum::{extract::State, http::StatusCode};
use gantry_sdk::{ApiError, AuditPage, AuditQuery, Json, Path, Query, RequireAdmin};

use crate::{
    accounts::{self, Acting, SessionCache},
    audit,
    db::Db,
};

/// `GET /api/admin/users`: every account.
pub async fn list_users(
    State(db): State<Db>,
    _admin: RequireAdmin,
) -> Result<Json<Vec<UserAccount>>, ApiError> {
    Ok(Json(accounts::list_users(&db).await?))
}

/// `POST /api/admin/users`: creates an account.
pub async fn create_user(
    State(db): State<Db>,
    _admin: RequireAdmin,
    acting: Acting,
    Json(new): Json<NewUser>,
) -> Result<(StatusCode, Json<UserAccount>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(accounts::add_user(&db, &new, &acting).await?),
    ))
}

/// `PATCH /api/admin/users/{id}`: role, enabled state, password.
pub async fn update_user(
    State(db): State<Db>,
    State(sessions): State<SessionCache>,
    _admin: RequireAdmin,
    acting: Acting,
    Path(id): Path<String>,
    Json(update): Json<UserUpdate>,
) -> Result<Json<UserAccount>, ApiError> {
    Ok(Json(
        accounts::update_user(&db, &sessions, &id, &update, &acting).await?,
    ))
}

/// `POST /api/admin/users/{id}/unlock`: the account may sign in again at once.
pub async fn unlock_user(
    State(db): State<Db>,
    _admin: RequireAdmin,
    acting: Acting,
    Path(id): Path<String>,
) -> Result<Json<UserAccount>, ApiError> {
    Ok(Json(accounts::unlock(&db, &id, &acting).await?))
}

/// `GET /api/admin/audit`: the audit trail, filtered and paged (see [`AuditQuery`]).
pub async fn list_audit(
    State(db): State<Db>,
    _admin: RequireAdmin,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    Ok(Json(
        audit::query(&db, &query)
            .await
            .map_err(ApiError::internal)?,
    ))
}
