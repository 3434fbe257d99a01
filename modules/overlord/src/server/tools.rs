//! The tools Chat's model may call, for administrators like the rest of the Overlord:
//! `search_memory`, `project_status` and `dispatch_task` (which asks the user first).
//! Each is the module's own API in another shape, with the same extractors, checks
//! and audit trail; the host has checked the arguments against the schemas below.

use gantry_sdk::{prelude::*, ClientAddress, Tool};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    error::OverlordError,
    memory::{self, MemoryQuery},
    projects, tasks,
};
use crate::model::{MemoryPage, Priority, TaskInput};

/// The tools' declarations.
pub fn declared() -> [Tool; 3] {
    [
        Tool::new(
            "search_memory",
            "Searches the Overlord's shared memory (notes kept about the ecosystem's projects) for entries containing every word of `query`.",
        )
        .parameters(json!({
            "type": "object",
            "properties": { "query": { "type": "string", "description": "Words to look for." } },
            "required": ["query"],
            "additionalProperties": false,
        }))
        .admin_only(),
        Tool::new(
            "project_status",
            "The health of the ecosystem's projects (up, down or unknown, why, and when last checked), or of the one named `project`.",
        )
        .parameters(json!({
            "type": "object",
            "properties": { "project": { "type": "string", "description": "A project's name; all projects when left out." } },
            "additionalProperties": false,
        }))
        .admin_only(),
        Tool::new(
            "dispatch_task",
            "Sends a task (an instruction in words) to a project's dispatch URL, queued by priority.",
        )
        .parameters(json!({
            "type": "object",
            "properties": {
                "project": { "type": "string", "description": "The project's name." },
                "instruction": { "type": "string", "minLength": 1, "maxLength": 4000 },
                "priority": { "enum": ["low", "normal", "high"] },
            },
            "required": ["project", "instruction"],
            "additionalProperties": false,
        }))
        .admin_only()
        .confirm(),
    ]
}

#[derive(Debug, Deserialize)]
pub struct SearchMemory {
    query: String,
}

/// `POST /tools/search_memory`: the ten best entries.
pub async fn search_memory(
    State(ctx): State<ModuleContext>,
    admin: RequireAdmin,
    Json(args): Json<SearchMemory>,
) -> Result<Json<MemoryPage>, ApiError> {
    let query = MemoryQuery {
        q: args.query,
        per_page: 10,
        ..MemoryQuery::default()
    };
    memory::search(State(ctx), admin, Query(query)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProjectStatus {
    project: Option<String>,
}

/// `POST /tools/project_status`.
pub async fn project_status(
    State(ctx): State<ModuleContext>,
    _admin: RequireAdmin,
    Json(args): Json<ProjectStatus>,
) -> Result<Json<Value>, ApiError> {
    let mut all = projects::all(&ctx).await?;
    if let Some(name) = args.project.filter(|n| !n.trim().is_empty()) {
        all.retain(|p| p.name.eq_ignore_ascii_case(name.trim()));
        if all.is_empty() {
            return Err(OverlordError::ProjectNameNotFound(name).into());
        }
    }
    let projects: Vec<Value> = all
        .into_iter()
        .map(|p| {
            json!({
                "name": p.name,
                "health": p.health,
                "detail": p.health_detail,
                "last_checked_at": p.last_checked_at,
                "takes_tasks": p.dispatch_url.is_some(),
            })
        })
        .collect();
    Ok(Json(json!({ "projects": projects })))
}

#[derive(Debug, Deserialize)]
pub struct DispatchTask {
    project: String,
    instruction: String,
    #[serde(default)]
    priority: Option<Priority>,
}

/// `POST /tools/dispatch_task`: `POST /tasks` for the project of that name.
pub async fn dispatch_task(
    State(ctx): State<ModuleContext>,
    admin: RequireAdmin,
    address: ClientAddress,
    Json(args): Json<DispatchTask>,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    let project = projects::all(&ctx)
        .await?
        .into_iter()
        .find(|p| p.name.eq_ignore_ascii_case(args.project.trim()))
        .ok_or(OverlordError::ProjectNameNotFound(args.project))?;
    let input = TaskInput {
        project_id: project.id,
        instruction: args.instruction,
        priority: args.priority.unwrap_or(Priority::Normal),
    };
    tasks::create(State(ctx), admin, address, Json(input)).await
}
