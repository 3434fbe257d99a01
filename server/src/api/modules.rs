//! `/api/modules`: what modules there are, for the sidebar and for admins; turning a
//! module off and on; the live list for open pages.

use std::{convert::Infallible, sync::Arc};

use axum::{
    extract::State,
    http::header,
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse,
    },
};
use futures::Stream;
use gantry_sdk::{ApiError, CurrentUser, Json, ModuleStatus, Path, Query, RequireAdmin};
use serde::Deserialize;

use crate::{
    accounts::Acting,
    db::Db,
    modules::{install, switch, ModuleRegistry},
};

/// `GET /api/modules`: every running module the user may see, with only the nav
/// items and tabs the user may see. Used by the sidebar and module pages.
pub async fn list_modules(
    State(registry): State<Arc<ModuleRegistry>>,
    user: CurrentUser,
) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        registry.infos_json_for(&user),
    )
}

/// `GET /api/admin/modules`: every discovered module, failed ones included, with
/// its state, error, timings, bundle and migrations. Administrators only.
pub async fn list_module_statuses(
    State(registry): State<Arc<ModuleRegistry>>,
    RequireAdmin(_admin): RequireAdmin,
) -> Json<Vec<ModuleStatus>> {
    Json(registry.statuses())
}

/// The body of `PATCH /api/admin/modules/{name}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleSwitch {
    /// `false` stops the module (its `on_shutdown` runs) on every instance; `true`
    /// starts it again, or tries a failed one again.
    pub enabled: bool,
    /// With `enabled: false`: also disable the modules that need this one (else
    /// such a request is refused, naming them).
    #[serde(default)]
    pub with_dependents: bool,
}

/// `PATCH /api/admin/modules/{name}` with `{"enabled": bool}`: the module's status
/// once the change is applied here (other instances follow within seconds).
/// Administrators only; audited.
pub async fn switch_module(
    State(registry): State<Arc<ModuleRegistry>>,
    State(db): State<Db>,
    RequireAdmin(_admin): RequireAdmin,
    acting: Acting,
    Path(name): Path<String>,
    Json(switch): Json<ModuleSwitch>,
) -> Result<Json<ModuleStatus>, ApiError> {
    let status = to_the_end(async move {
        switch::set_enabled(
            &registry,
            &db,
            &name,
            switch.enabled,
            switch.with_dependents,
            &acting,
        )
        .await
    })
    .await?;
    Ok(Json(status))
}

/// Runs a change of modules in a task of its own and awaits it: a request cut off by
/// its time limit or by the client must not stop a change between its hooks and its
/// record.
async fn to_the_end<T, E>(
    change: impl std::future::Future<Output = Result<T, E>> + Send + 'static,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    E: Into<ApiError> + Send + 'static,
{
    tokio::spawn(change)
        .await
        .map_err(ApiError::internal)?
        .map_err(Into::into)
}

/// `POST /api/admin/modules` with a `.zip` or `.tar.gz` of a module's folder as the
/// body: checked as `gantry module check` does, then installed, migrated and
/// started (201, its status); every problem is in the refusal and nothing changes.
pub async fn install_module(
    State(registry): State<Arc<ModuleRegistry>>,
    State(db): State<Db>,
    RequireAdmin(_admin): RequireAdmin,
    acting: Acting,
    archive: axum::body::Bytes,
) -> Result<(axum::http::StatusCode, Json<ModuleStatus>), ApiError> {
    let status =
        to_the_end(async move { install::install_archive(&registry, &db, archive, &acting).await })
            .await?;
    Ok((axum::http::StatusCode::CREATED, Json(status)))
}

/// `POST /api/admin/rescan-modules`: takes in module folders copied into the
/// modules folder since start-up; their statuses.
pub async fn rescan_modules(
    State(registry): State<Arc<ModuleRegistry>>,
    State(db): State<Db>,
    RequireAdmin(_admin): RequireAdmin,
    acting: Acting,
) -> Result<Json<Vec<ModuleStatus>>, ApiError> {
    let found = to_the_end(async move { install::rescan(&registry, &db, &acting).await }).await?;
    Ok(Json(found))
}

/// The query of `DELETE /api/admin/modules/{name}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Removal {
    /// Roll back the module's migrations (its tables and data go); by default they
    /// stay, for a later install.
    #[serde(default)]
    pub rollback: bool,
}

/// `DELETE /api/admin/modules/{name}[?rollback=true]`: stops a drop-in module,
/// deletes its folder and forgets it (204).
pub async fn remove_module(
    State(registry): State<Arc<ModuleRegistry>>,
    State(db): State<Db>,
    RequireAdmin(_admin): RequireAdmin,
    acting: Acting,
    Path(name): Path<String>,
    Query(removal): Query<Removal>,
) -> Result<axum::http::StatusCode, ApiError> {
    to_the_end(
        async move { install::remove(&registry, &db, &name, removal.rollback, &acting).await },
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `GET /api/events`: server-sent events for an open page. `modules` carries the
/// modules the user may see (as `GET /api/modules` answers): once at once, then
/// whenever a module is disabled, enabled or fails, so every open page follows
/// without a reload. Administrators also get `problems`: each module that failed,
/// with why (`{"<name>": "<message>"}`), so a page shows the reason in place.
pub async fn live_events(
    State(registry): State<Arc<ModuleRegistry>>,
    user: CurrentUser,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let changes = registry.changes();
    let sent = LiveSent::default();
    let events = futures::stream::unfold(
        (registry, changes, user, sent),
        |(registry, mut changes, user, mut sent)| async move {
            loop {
                let list = String::from_utf8_lossy(&registry.infos_json_for(&user)).into_owned();
                if sent.modules.as_deref() != Some(list.as_str()) {
                    let event = Event::default().event("modules").data(&list);
                    sent.modules = Some(list);
                    return Some((Ok(event), (registry, changes, user, sent)));
                }
                if user.is_admin {
                    let problems = serde_json::to_string(&registry.problems()).unwrap_or_default();
                    if sent.problems.as_deref() != Some(problems.as_str()) {
                        let event = Event::default().event("problems").data(&problems);
                        sent.problems = Some(problems);
                        return Some((Ok(event), (registry, changes, user, sent)));
                    }
                }
                tokio::select! {
                    changed = changes.changed() => changed.ok()?,
                    () = registry.closing.cancelled() => return None,
                }
            }
        },
    );
    Sse::new(events).keep_alive(KeepAlive::default())
}

/// What an open page was sent last.
#[derive(Default)]
struct LiveSent {
    modules: Option<String>,
    problems: Option<String>,
}
