//! The backend: the manifest, the API under `/api/modules/overlord`, the tables
//! (`overlord_*`) and the background worker.

mod activity;
mod dist;
mod error;
mod memory;
mod projects;
mod tasks;
mod tools;
mod worker;

use std::{sync::Arc, time::Duration};

use gantry_sdk::{prelude::*, Migrations};

pub use worker::Settings;

/// The module with its default settings (a health check and dispatch round every
/// 30 seconds; `GANTRY_OVERLORD_INTERVAL_SECS` overrides it).
pub fn module() -> Module {
    let interval = interval_from(
        std::env::var("GANTRY_OVERLORD_INTERVAL_SECS")
            .ok()
            .as_deref(),
    );
    module_with(Settings {
        interval,
        ..Settings::default()
    })
}

/// The seconds between rounds from `GANTRY_OVERLORD_INTERVAL_SECS`: a number from
/// 0.1 to 86400, else (unset, `inf`, `NaN`, `abc`, …) the default 30, with a warning
/// when it was set.
fn interval_from(setting: Option<&str>) -> Duration {
    const DEFAULT: Duration = Duration::from_secs(30);
    let Some(text) = setting else {
        return DEFAULT;
    };
    match text.trim().parse::<f64>() {
        Ok(secs) if (0.1..=86_400.0).contains(&secs) => Duration::from_secs_f64(secs),
        _ => {
            tracing::warn!(
                "overlord: GANTRY_OVERLORD_INTERVAL_SECS=`{text}` is not a number of seconds from 0.1 to 86400; using 30"
            );
            DEFAULT
        }
    }
}

/// The module with these settings as the defaults of its declared settings
/// (Admin → Overlord: the seconds between rounds and a request's time limit).
pub fn module_with(settings: Settings) -> Module {
    let declared = worker::declared_settings(&settings);
    let worker = Arc::new(worker::Worker::new(settings));
    let [search_memory, project_status, dispatch_task] = tools::declared();
    let starting = worker.clone();
    let stopping = worker.clone();
    Module::builder("overlord", env!("CARGO_PKG_VERSION"))
        .display_name("Atom Overlord")
        .description("Cross-project ecosystem orchestrator")
        .root(concat!(env!("CARGO_MANIFEST_DIR"), "/frontend/dist"))
        .embedded(dist::files)
        .bundle("overlord.js")
        .static_dir("static")
        .router(router())
        .migrations(Migrations::per_dialect(
            sqlx::migrate!("./migrations/sqlite"),
            sqlx::migrate!("./migrations/postgres"),
        ))
        .nav_item(
            NavItem::new("overlord", "Overlord", "/overlord")
                .icon("zap")
                .order(30)
                .admin_only(),
        )
        .tab(tab(
            "ecosystem",
            "Ecosystem",
            "globe",
            10,
            "EcosystemDashboard",
        ))
        .tab(tab("dispatch", "Dispatch", "send", 11, "DispatchConsole"))
        .tab(tab("memory", "Memory", "brain", 12, "MemoryBrowser"))
        .tab(tab("audit", "Audit", "shield", 13, "AuditLog"))
        .setting(declared.0)
        .setting(declared.1)
        .tool(search_memory)
        .tool(project_status)
        .tool(dispatch_task)
        .on_startup(move |ctx| {
            let worker = starting.clone();
            async move { worker.start(ctx).await }
        })
        .on_shutdown(move |_ctx| {
            let worker = stopping.clone();
            async move {
                worker.stop().await;
                Ok::<_, std::convert::Infallible>(())
            }
        })
        .build()
}

fn tab(id: &str, label: &str, icon: &str, order: i32, component: &str) -> Tab {
    Tab::new(id, label, component)
        .icon(icon)
        .order(order)
        .admin_only()
}

fn router() -> Router<ModuleContext> {
    Router::new()
        .route("/projects", get(projects::list).post(projects::create))
        .route(
            "/projects/{id}",
            put(projects::update).delete(projects::remove),
        )
        .route("/projects/{id}/check", post(projects::check_now))
        .route("/tasks", get(tasks::list).post(tasks::create))
        .route("/tasks/{id}/cancel", post(tasks::cancel))
        .route("/memory", get(memory::search).post(memory::create))
        .route("/memory/{id}", put(memory::update).delete(memory::remove))
        .route("/activity", get(activity::list))
        .route("/status", get(status))
        .route("/tools/search_memory", post(tools::search_memory))
        .route("/tools/project_status", post(tools::project_status))
        .route("/tools/dispatch_task", post(tools::dispatch_task))
}

/// `GET /status`: when the worker last went round (Unix seconds), if ever.
async fn status(
    State(ctx): State<ModuleContext>,
    _admin: RequireAdmin,
) -> Result<Json<crate::model::WorkerStatus>, ApiError> {
    let last_round_at = worker::recall(&ctx, worker::LAST_ROUND)
        .await?
        .and_then(|v| v.parse().ok());
    Ok(Json(crate::model::WorkerStatus { last_round_at }))
}

/// Seconds since the Unix epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_setting_never_panics() {
        assert_eq!(interval_from(None), Duration::from_secs(30));
        assert_eq!(interval_from(Some("1")), Duration::from_secs(1));
        assert_eq!(interval_from(Some("0.5")), Duration::from_millis(500));
        for bad in ["inf", "-inf", "NaN", "1e30", "-1", "0", "abc", ""] {
            assert_eq!(interval_from(Some(bad)), Duration::from_secs(30), "{bad}");
        }
    }
}
