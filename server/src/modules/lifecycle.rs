//! Starting and stopping modules: hooks run in their own task, with a time limit,
//! so one that fails, panics or hangs stops only its own module.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use gantry_sdk::{Hook, ModuleContext};
use tower_http::catch_panic::CatchPanicLayer;

use super::{
    registry::{millis, ModuleEntry, ModuleStep},
    ModuleError, ModuleState,
};

/// Builds the module's context and router, then awaits its `on_startup`.
pub async fn start(
    entry: &mut ModuleEntry,
    db: &crate::db::Db,
    settings: &Arc<super::settings::HostSettings>,
    timeout: Duration,
) {
    let Some(module) = entry.module.clone() else {
        return;
    };
    let context = ModuleContext {
        name: Arc::from(entry.name.as_str()),
        db: db.pool.clone(),
        dialect: super::migrate::dialect(db),
        audit: gantry_sdk::AuditLog::new(
            entry.name.as_str(),
            crate::audit::HostAuditSink::shared(db.clone()),
        ),
        settings: gantry_sdk::ModuleSettings::new(Arc::from(entry.name.as_str()), settings.clone()),
    };
    let router = module.router.clone().map(|router| {
        let name = entry.name.clone();
        let unknown = name.clone();
        router
            .fallback(move |uri: axum::http::Uri| async move {
                gantry_sdk::ApiError::not_found(format!(
                    "module `{unknown}` has no route `{}`",
                    uri.path()
                ))
                .with_module(unknown)
            })
            .with_state(context.clone())
            // A panicking handler answers 500 naming the module; the host goes on.
            .layer(CatchPanicLayer::custom(
                move |panic: Box<dyn std::any::Any + Send>| {
                    tracing::error!(
                        "module `{name}`: handler panicked: {}",
                        panic_message(&*panic)
                    );
                    axum::response::IntoResponse::into_response(
                        gantry_sdk::ApiError::internal(format!("module `{name}` panicked"))
                            .with_module(name.clone()),
                    )
                },
            ))
    });
    let hook = module.on_startup.clone();
    let started = Instant::now();
    let res = match super::collections::verify(&entry.name, &module.manifest.collections, db).await
    {
        Err(err) => Err(err),
        Ok(()) => match hook {
            Some(hook) => run_hook(&entry.name, "on_startup", hook, context.clone(), timeout).await,
            None => Ok(()),
        },
    };
    entry.timings.startup_ms = Some(millis(started.elapsed()));
    match res {
        Ok(()) => {
            entry.context = Some(context);
            entry.router = router;
            entry.state = ModuleState::Running;
        }
        Err(err) => entry.fail(ModuleStep::Startup, err),
    }
}

/// Stops a running module here at an administrator's word: its `on_shutdown` runs,
/// then it is `disabled` (a hook that fails is logged; the module is disabled all
/// the same, as the administrator asked).
pub async fn disable(entry: &mut ModuleEntry, timeout: Duration) {
    stop(entry, timeout).await;
    entry.state = ModuleState::Disabled;
    entry.router = None;
    entry.context = None;
}

/// Awaits a running module's `on_shutdown`; a failure is logged, nothing more.
pub async fn stop(entry: &ModuleEntry, timeout: Duration) {
    if entry.state != ModuleState::Running {
        return;
    }
    let (Some(module), Some(context)) = (&entry.module, &entry.context) else {
        return;
    };
    if let Some(hook) = module.on_shutdown.clone() {
        match run_hook(&entry.name, "on_shutdown", hook, context.clone(), timeout).await {
            Ok(()) => tracing::info!(module = %entry.name, "module `{}` stopped", entry.name),
            Err(err) => tracing::error!(module = %entry.name, "{err}"),
        }
    }
}

async fn run_hook(
    module: &str,
    hook_name: &'static str,
    hook: Hook,
    context: ModuleContext,
    timeout: Duration,
) -> Result<(), ModuleError> {
    let task = tokio::spawn(async move { hook(context).await });
    let abort = task.abort_handle();
    match tokio::time::timeout(timeout, task).await {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(err))) => Err(ModuleError::HookFailed {
            module: module.to_owned(),
            hook: hook_name,
            reason: err.to_string(),
        }),
        Ok(Err(join_error)) => Err(ModuleError::HookPanicked {
            module: module.to_owned(),
            hook: hook_name,
            reason: if join_error.is_panic() {
                panic_message(&*join_error.into_panic())
            } else {
                "cancelled".into()
            },
        }),
        Err(_) => {
            abort.abort();
            Err(ModuleError::HookTimedOut {
                module: module.to_owned(),
                hook: hook_name,
                limit: format!("{timeout:?}"),
            })
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
