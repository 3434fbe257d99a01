//! Admin → Logs: `GET /api/admin/logs` (the kept lines) and `GET /api/admin/logs/live`
//! (new lines as server-sent events), for administrators only.

use std::{convert::Infallible, sync::Arc};

use app::logs_api::{severity, LogLine, LogQuery};
use axum::{
    extract::State,
    response::sse::{Event, KeepAlive, Sse},
};
use futures::Stream;
use gantry_sdk::{ApiError, Json, Query, RequireAdmin};
use tokio::sync::broadcast::error::RecvError;

use crate::{logs::LogBuffer, modules::ModuleRegistry};

/// An unknown level is a 400 naming it, not a filter that lets everything through.
fn checked(query: LogQuery) -> Result<LogQuery, ApiError> {
    match query.level.as_deref() {
        Some(level) if !level.is_empty() && severity(level).is_none() => {
            Err(ApiError::bad_request(format!(
                "level `{level}` is none of error, warn, info, debug, trace"
            ))
            .with_field("level"))
        }
        _ => Ok(query),
    }
}

/// `GET /api/admin/logs`: the kept lines that pass the filter, oldest first.
pub async fn recent_lines(
    _admin: RequireAdmin,
    State(logs): State<LogBuffer>,
    Query(query): Query<LogQuery>,
) -> Result<Json<Vec<LogLine>>, ApiError> {
    let query = checked(query)?;
    Ok(Json(logs.recent(&query)))
}

/// `GET /api/admin/logs/live`: each new line that passes the filter, as an event
/// `line`; ends when the server shuts down.
pub async fn live_lines(
    _admin: RequireAdmin,
    State(logs): State<LogBuffer>,
    State(registry): State<Arc<ModuleRegistry>>,
    Query(query): Query<LogQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let query = checked(query)?;
    let lines = futures::stream::unfold(
        (logs.follow(), registry, query),
        |(mut follow, registry, query)| async move {
            loop {
                let next = tokio::select! {
                    next = follow.recv() => next,
                    () = registry.closing.cancelled() => return None,
                };
                let line = match next {
                    Ok(line) => line,
                    // Fell behind a burst: carry on with the newest.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                };
                if query.matches(&line) {
                    let data = serde_json::to_string(&line).unwrap_or_default();
                    let event = Event::default().event("line").data(data);
                    return Some((Ok(event), (follow, registry, query)));
                }
            }
        },
    );
    Ok(Sse::new(lines).keep_alive(KeepAlive::default()))
}
