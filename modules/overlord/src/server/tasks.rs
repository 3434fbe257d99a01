//! Dispatch: tasks sent to projects, their queue and their history.

use gantry_sdk::{prelude::*, AuditEvent, ClientAddress};
use serde::Deserialize;
use sqlx::Row;

use super::{
    error::{check_text, OverlordError},
    now, projects, worker,
};
use crate::model::{Priority, Task, TaskEvent, TaskInput, TaskState};

/// `GET /tasks` filters.
#[derive(Debug, Default, Deserialize)]
pub struct TaskFilter {
    /// Only tasks in this state.
    pub state: Option<String>,
    /// Only tasks of this project.
    pub project_id: Option<i64>,
}

/// `GET /tasks`: newest first (at most 200), each with its history.
pub async fn list(
    State(ctx): State<ModuleContext>,
    _admin: RequireAdmin,
    Query(filter): Query<TaskFilter>,
) -> Result<Json<Vec<Task>>, ApiError> {
    let state = match filter.state.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => Some(TaskState::parse(text).ok_or(OverlordError::Invalid {
            field: "state",
            problem: "is one of queued, running, done, failed, cancelled",
        })?),
        None => None,
    };
    let rows = sqlx::query(
        "SELECT t.id, t.project_id, p.name AS project, t.instruction, t.priority, t.state, t.result, \
         t.created_by, t.created_at, t.updated_at \
         FROM overlord_tasks t JOIN overlord_projects p ON p.id = t.project_id \
         WHERE ($1 = '' OR t.state = $1) AND ($2 = 0 OR t.project_id = $2) \
         ORDER BY t.id DESC LIMIT 200",
    )
    .bind(state.map_or("", TaskState::as_str))
    .bind(filter.project_id.unwrap_or(0))
    .fetch_all(&ctx.db)
    .await
    .map_err(OverlordError::from)?;
    let mut tasks = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id").map_err(OverlordError::from)?;
        tasks.push(Task {
            id,
            project_id: row.try_get("project_id").map_err(OverlordError::from)?,
            project: row.try_get("project").map_err(OverlordError::from)?,
            instruction: row.try_get("instruction").map_err(OverlordError::from)?,
            priority: Priority::from_rank(row.try_get("priority").map_err(OverlordError::from)?),
            state: TaskState::parse(
                &row.try_get::<String, _>("state")
                    .map_err(OverlordError::from)?,
            )
            .unwrap_or(TaskState::Failed),
            result: row.try_get("result").map_err(OverlordError::from)?,
            created_by: row.try_get("created_by").map_err(OverlordError::from)?,
            created_at: row.try_get("created_at").map_err(OverlordError::from)?,
            updated_at: row.try_get("updated_at").map_err(OverlordError::from)?,
            history: history(&ctx, id).await?,
        });
    }
    Ok(Json(tasks))
}

async fn history(ctx: &ModuleContext, task_id: i64) -> Result<Vec<TaskEvent>, OverlordError> {
    let rows = sqlx::query(
        "SELECT at, state, note FROM overlord_task_events WHERE task_id = $1 ORDER BY id",
    )
    .bind(task_id)
    .fetch_all(&ctx.db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TaskEvent {
                at: row.try_get("at")?,
                state: TaskState::parse(&row.try_get::<String, _>("state")?)
                    .unwrap_or(TaskState::Failed),
                note: row.try_get("note")?,
            })
        })
        .collect()
}

/// `POST /tasks`: queues a task for a project that can receive it.
pub async fn create(
    State(ctx): State<ModuleContext>,
    RequireAdmin(admin): RequireAdmin,
    ClientAddress(address): ClientAddress,
    Json(input): Json<TaskInput>,
) -> Result<(axum::http::StatusCode, Json<serde_json::Value>), ApiError> {
    check_text("instruction", &input.instruction, 4000)?;
    let project = projects::one(&ctx, input.project_id).await?;
    if project.dispatch_url.is_none() {
        return Err(OverlordError::NoDispatchUrl(project.name).into());
    }
    let at = now();
    let mut tx = ctx.db.begin().await.map_err(OverlordError::from)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO overlord_tasks (project_id, instruction, priority, state, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, 'queued', $4, $5, $5) RETURNING id",
    )
    .bind(project.id)
    .bind(input.instruction.trim())
    .bind(input.priority.rank())
    .bind(&admin.name)
    .bind(at)
    .fetch_one(&mut *tx)
    .await
    .map_err(OverlordError::from)?;
    sqlx::query("INSERT INTO overlord_task_events (task_id, at, state) VALUES ($1, $2, 'queued')")
        .bind(id)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(OverlordError::from)?;
    tx.commit().await.map_err(OverlordError::from)?;
    projects::audit(
        &ctx,
        "task.dispatched",
        &format!("task {id} → {}", project.name),
        &admin,
        address,
    )
    .await?;
    worker::wake();
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({ "id": id })),
    ))
}

/// `POST /tasks/{id}/cancel`: only while it is queued.
pub async fn cancel(
    State(ctx): State<ModuleContext>,
    RequireAdmin(admin): RequireAdmin,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<axum::http::StatusCode, ApiError> {
    if !transition(
        &ctx,
        id,
        TaskState::Queued,
        TaskState::Cancelled,
        Some("cancelled by an administrator"),
    )
    .await?
    {
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM overlord_tasks WHERE id = $1")
                .bind(id)
                .fetch_optional(&ctx.db)
                .await
                .map_err(OverlordError::from)?;
        let state = state.ok_or(OverlordError::TaskNotFound(id))?;
        let state = TaskState::parse(&state)
            .unwrap_or(TaskState::Failed)
            .as_str();
        return Err(OverlordError::NotCancellable { id, state }.into());
    }
    projects::audit(
        &ctx,
        "task.cancelled",
        &format!("task {id}"),
        &admin,
        address,
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Moves task `id` from `from` to `to` (recording it in its history); `false` when
/// it was not in `from` any more.
pub(super) async fn transition(
    ctx: &ModuleContext,
    id: i64,
    from: TaskState,
    to: TaskState,
    note: Option<&str>,
) -> Result<bool, OverlordError> {
    move_task(ctx, id, from, to, note, None).await
}

/// Moves queued task `id` to running, leased to this instance until `lease_until`
/// (Unix seconds); `false` when another instance took it first.
pub(super) async fn claim(
    ctx: &ModuleContext,
    id: i64,
    lease_until: i64,
) -> Result<bool, OverlordError> {
    move_task(
        ctx,
        id,
        TaskState::Queued,
        TaskState::Running,
        None,
        Some(lease_until),
    )
    .await
}

/// [`transition`], setting the task's lease (none but while running).
async fn move_task(
    ctx: &ModuleContext,
    id: i64,
    from: TaskState,
    to: TaskState,
    note: Option<&str>,
    lease_until: Option<i64>,
) -> Result<bool, OverlordError> {
    let at = now();
    let mut tx = ctx.db.begin().await?;
    let moved = sqlx::query(
        "UPDATE overlord_tasks SET state = $1, updated_at = $2, result = COALESCE($3, result), \
         lease_until = $6 WHERE id = $4 AND state = $5",
    )
    .bind(to.as_str())
    .bind(at)
    .bind(note)
    .bind(id)
    .bind(from.as_str())
    .bind(lease_until)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if moved {
        sqlx::query(
            "INSERT INTO overlord_task_events (task_id, at, state, note) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(at)
        .bind(to.as_str())
        .bind(note)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(moved)
}

/// The queued task to send next: highest priority, then oldest.
pub(super) async fn next_queued(ctx: &ModuleContext) -> Result<Option<i64>, OverlordError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM overlord_tasks WHERE state = 'queued' ORDER BY priority DESC, id LIMIT 1",
    )
    .fetch_optional(&ctx.db)
    .await?)
}

/// Marks tasks left running by a stopped server as failed (those whose lease ran
/// out: another instance may be sending the rest right now), each with an audit
/// entry; returns how many.
pub(super) async fn fail_interrupted(ctx: &ModuleContext) -> Result<usize, OverlordError> {
    const WHY: &str = "interrupted: Gantry stopped while the task was being sent";
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM overlord_tasks WHERE state = 'running' \
         AND (lease_until IS NULL OR lease_until < $1)",
    )
    .bind(now())
    .fetch_all(&ctx.db)
    .await?;
    let mut failed = 0;
    for id in ids {
        if transition(ctx, id, TaskState::Running, TaskState::Failed, Some(WHY)).await? {
            failed += 1;
            ctx.audit
                .record(
                    AuditEvent::new("task.failed")
                        .target(format!("task {id}"))
                        .detail(WHY),
                )
                .await
                .map_err(OverlordError::Audit)?;
        }
    }
    Ok(failed)
}
