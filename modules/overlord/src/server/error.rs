//! What can go wrong in the Overlord's API, mapped to HTTP once.

use axum::http::StatusCode;
use gantry_sdk::{ApiError, BoxError};

/// An Overlord API failure.
#[derive(Debug, thiserror::Error)]
pub enum OverlordError {
    #[error("no project {0}")]
    ProjectNotFound(i64),
    #[error("no task {0}")]
    TaskNotFound(i64),
    #[error("no memory entry {0}")]
    MemoryNotFound(i64),
    #[error("no project named `{0}`")]
    ProjectNameNotFound(String),
    #[error("a project named `{0}` exists already")]
    ProjectNameTaken(String),
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: &'static str,
    },
    #[error("task {id} is {state}; only a queued task can be cancelled")]
    NotCancellable { id: i64, state: &'static str },
    #[error("project `{0}` has no dispatch URL to send tasks to")]
    NoDispatchUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("audit trail: {0}")]
    Audit(BoxError),
}

impl From<OverlordError> for ApiError {
    fn from(err: OverlordError) -> Self {
        let message = err.to_string();
        let error = match err {
            OverlordError::ProjectNotFound(_)
            | OverlordError::TaskNotFound(_)
            | OverlordError::MemoryNotFound(_) => ApiError::not_found(message),
            OverlordError::ProjectNameNotFound(_) => {
                ApiError::not_found(message).with_field("project")
            }
            OverlordError::ProjectNameTaken(_) => {
                ApiError::new(StatusCode::CONFLICT, "name_taken", message).with_field("name")
            }
            OverlordError::Invalid { field, .. } => {
                ApiError::bad_request(message).with_field(field)
            }
            OverlordError::NotCancellable { .. } => {
                ApiError::new(StatusCode::CONFLICT, "not_cancellable", message)
            }
            OverlordError::NoDispatchUrl(_) => {
                ApiError::bad_request(message).with_field("project_id")
            }
            OverlordError::Database(_) | OverlordError::Audit(_) => ApiError::internal(err),
        };
        error.with_module("overlord")
    }
}

/// Checks that `value` is an `http(s)://` URL, when given.
pub fn check_url(field: &'static str, value: &Option<String>) -> Result<(), OverlordError> {
    match value.as_deref() {
        Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => {
            Err(OverlordError::Invalid {
                field,
                problem: "must be an http:// or https:// URL",
            })
        }
        _ => Ok(()),
    }
}

/// Checks that `value` has 1 to `max` characters once trimmed.
pub fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), OverlordError> {
    let len = value.trim().chars().count();
    if len == 0 {
        return Err(OverlordError::Invalid {
            field,
            problem: "is required",
        });
    }
    if len > max {
        return Err(OverlordError::Invalid {
            field,
            problem: "is too long",
        });
    }
    Ok(())
}
