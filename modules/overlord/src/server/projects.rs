//! Ecosystem: the projects and their health.

use gantry_sdk::{prelude::*, AuditEvent, ClientAddress};
use sqlx::{any::AnyRow, Row};

use super::{
    error::{check_text, check_url, OverlordError},
    now, worker,
};
use crate::model::{Health, Project, ProjectInput};

const COLUMNS: &str =
    "id, name, location, health_url, dispatch_url, status, status_detail, last_checked_at";

pub(super) fn project_of(row: &AnyRow) -> Result<Project, sqlx::Error> {
    Ok(Project {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        location: row.try_get("location")?,
        health_url: row.try_get("health_url")?,
        dispatch_url: row.try_get("dispatch_url")?,
        health: Health::parse(&row.try_get::<String, _>("status")?),
        health_detail: row.try_get("status_detail")?,
        last_checked_at: row.try_get("last_checked_at")?,
    })
}

/// Every project, by name.
pub(super) async fn all(ctx: &ModuleContext) -> Result<Vec<Project>, OverlordError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM overlord_projects ORDER BY name"
    )))
    .fetch_all(&ctx.db)
    .await?;
    Ok(rows.iter().map(project_of).collect::<Result<_, _>>()?)
}

/// One project.
pub(super) async fn one(ctx: &ModuleContext, id: i64) -> Result<Project, OverlordError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM overlord_projects WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&ctx.db)
    .await?
    .ok_or(OverlordError::ProjectNotFound(id))?;
    Ok(project_of(&row)?)
}

fn clean(input: ProjectInput) -> Result<ProjectInput, OverlordError> {
    check_text("name", &input.name, 100)?;
    let blank_none = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let input = ProjectInput {
        name: input.name.trim().to_owned(),
        location: input.location.trim().to_owned(),
        health_url: blank_none(input.health_url),
        dispatch_url: blank_none(input.dispatch_url),
    };
    check_url("health_url", &input.health_url)?;
    check_url("dispatch_url", &input.dispatch_url)?;
    Ok(input)
}

fn taken(name: &str) -> impl FnOnce(sqlx::Error) -> OverlordError + '_ {
    move |err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            OverlordError::ProjectNameTaken(name.to_owned())
        }
        _ => err.into(),
    }
}

/// `GET /projects`.
pub async fn list(
    State(ctx): State<ModuleContext>,
    _admin: RequireAdmin,
) -> Result<Json<Vec<Project>>, ApiError> {
    Ok(Json(all(&ctx).await?))
}

/// `POST /projects`: adds a project and checks its health right away.
pub async fn create(
    State(ctx): State<ModuleContext>,
    RequireAdmin(admin): RequireAdmin,
    ClientAddress(address): ClientAddress,
    Json(input): Json<ProjectInput>,
) -> Result<(axum::http::StatusCode, Json<Project>), ApiError> {
    let input = clean(input)?;
    let at = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO overlord_projects (name, location, health_url, dispatch_url, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&input.name)
    .bind(&input.location)
    .bind(&input.health_url)
    .bind(&input.dispatch_url)
    .bind(at)
    .fetch_one(&ctx.db)
    .await
    .map_err(taken(&input.name))?;
    audit(&ctx, "project.added", &input.name, &admin, address).await?;
    let project = worker::check_project(&ctx, one(&ctx, id).await?).await?;
    Ok((axum::http::StatusCode::CREATED, Json(project)))
}

/// `PUT /projects/{id}`.
pub async fn update(
    State(ctx): State<ModuleContext>,
    RequireAdmin(admin): RequireAdmin,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Json(input): Json<ProjectInput>,
) -> Result<Json<Project>, ApiError> {
    let input = clean(input)?;
    let before = one(&ctx, id).await?;
    sqlx::query(
        "UPDATE overlord_projects SET name = $1, location = $2, health_url = $3, dispatch_url = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(&input.name)
    .bind(&input.location)
    .bind(&input.health_url)
    .bind(&input.dispatch_url)
    .bind(now())
    .bind(id)
    .execute(&ctx.db)
    .await
    .map_err(taken(&input.name))?;
    audit(&ctx, "project.edited", &before.name, &admin, address).await?;
    Ok(Json(one(&ctx, id).await?))
}

/// `DELETE /projects/{id}`: with its tasks.
pub async fn remove(
    State(ctx): State<ModuleContext>,
    RequireAdmin(admin): RequireAdmin,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<axum::http::StatusCode, ApiError> {
    let project = one(&ctx, id).await.map_err(ApiError::from)?;
    let mut tx = ctx.db.begin().await.map_err(OverlordError::from)?;
    for sql in [
        "DELETE FROM overlord_task_events WHERE task_id IN (SELECT id FROM overlord_tasks WHERE project_id = $1)",
        "DELETE FROM overlord_tasks WHERE project_id = $1",
        "DELETE FROM overlord_projects WHERE id = $1",
    ] {
        sqlx::query(sql)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(OverlordError::from)?;
    }
    tx.commit().await.map_err(OverlordError::from)?;
    audit(&ctx, "project.removed", &project.name, &admin, address).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `POST /projects/{id}/check`: checks its health now.
pub async fn check_now(
    State(ctx): State<ModuleContext>,
    _admin: RequireAdmin,
    Path(id): Path<i64>,
) -> Result<Json<Project>, ApiError> {
    let project = one(&ctx, id).await?;
    Ok(Json(worker::check_project(&ctx, project).await?))
}

/// Records an administrator's action on a project.
pub(super) async fn audit(
    ctx: &ModuleContext,
    action: &str,
    target: &str,
    user: &CurrentUser,
    address: Option<String>,
) -> Result<(), OverlordError> {
    ctx.audit
        .record(
            AuditEvent::new(action)
                .target(target)
                .by(user)
                .address(address),
        )
        .await
        .map_err(OverlordError::Audit)
}
