//! `GET /healthz`: is this instance able to serve?

use axum::{extract::State, http::StatusCode};
use gantry_sdk::{CurrentUser, Json};
use serde::Serialize;

use crate::db::{Db, DbKind};

/// The body of `/healthz`.
#[derive(Debug, Serialize)]
pub struct HealthResponse {
    /// `ok` when everything answered, `unavailable` otherwise.
    pub status: &'static str,
    pub database: DatabaseHealth,
}

/// What the database said.
#[derive(Debug, Serialize)]
pub struct DatabaseHealth {
    /// `sqlite` or `postgres`.
    pub kind: &'static str,
    pub reachable: bool,
    /// Why the database did not answer, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Answers 200 when the database answers a query, 503 otherwise; why it did not
/// is told to administrators only (signed-out load balancers see the status).
pub async fn get_health(
    State(db): State<Db>,
    user: Option<axum::Extension<CurrentUser>>,
) -> (StatusCode, Json<HealthResponse>) {
    let is_admin = user.is_some_and(|axum::Extension(u)| u.is_admin);
    let kind = match db.kind {
        DbKind::Sqlite => "sqlite",
        DbKind::Postgres => "postgres",
    };
    let (code, status, error) = match db.ping().await {
        Ok(()) => (StatusCode::OK, "ok", None),
        Err(err) => {
            tracing::warn!("health check: database unreachable: {err}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                Some(if is_admin {
                    err.to_string()
                } else {
                    "the database does not answer; the details are in the server log".to_owned()
                }),
            )
        }
    };
    let database = DatabaseHealth {
        kind,
        reachable: error.is_none(),
        error,
    };
    (code, Json(HealthResponse { status, database }))
}
