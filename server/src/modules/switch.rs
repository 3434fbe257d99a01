//! Disabling and enabling modules at runtime.
//!
//! An administrator's choice is a row in `module_disabled`, so it survives restarts
//! and holds for every instance on the database. The instance that is asked applies
//! it at once; every instance also compares its modules with the table every
//! [`FOLLOW_EVERY`] ([`follow`]) and disables or enables to match, so instances
//! sharing a PostgreSQL database (and the command line, which only writes the row)
//! agree within that time.
//!
//! Changes happen one at a time per instance (the registry's `switching` lock), and the table
//! is read under that turn, so a stale read can never undo a newer choice.

use std::{collections::HashSet, sync::Arc, time::Duration};

use axum::http::StatusCode;
use gantry_sdk::{ApiError, AuditEvent, ModuleStatus};

use super::{
    dependencies, lifecycle, migrate, packages,
    registry::{ModuleEntry, ModuleStep},
    ModuleError, ModuleRegistry, ModuleState,
};
use crate::{
    accounts::{now, Acting},
    audit,
    db::Db,
};

/// How often each instance follows the database's choice.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(2);

/// Why a module could not be switched.
#[derive(Debug, thiserror::Error)]
pub enum SwitchError {
    #[error("no module named `{0}`")]
    Unknown(String),
    #[error(
        "module `{module}` cannot be enabled or disabled, as it could not be loaded: {reason}"
    )]
    NotLoaded { module: String, reason: String },
    #[error("{reason}; enable it first")]
    Needs { module: String, reason: String },
    #[error("module `{module}` is needed by `{dependents}`: disable them too, or first")]
    NeededBy { module: String, dependents: String },
    #[error("cannot record the choice for module `{module}`: {source}")]
    Database { module: String, source: sqlx::Error },
}

impl From<SwitchError> for ApiError {
    fn from(err: SwitchError) -> Self {
        let (status, code, module) = match &err {
            SwitchError::Unknown(module) => (StatusCode::NOT_FOUND, "not_found", module),
            SwitchError::NotLoaded { module, .. }
            | SwitchError::Needs { module, .. }
            | SwitchError::NeededBy { module, .. } => (StatusCode::CONFLICT, "conflict", module),
            SwitchError::Database { module, source } => {
                tracing::error!("module `{module}`: {source}");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", module)
            }
        };
        let module = module.clone();
        ApiError::new(status, code, err.to_string()).with_module(module)
    }
}

/// The modules an administrator turned off.
pub async fn disabled_names(db: &Db) -> Result<HashSet<String>, sqlx::Error> {
    let names: Vec<String> = sqlx::query_scalar("SELECT module FROM module_disabled")
        .fetch_all(&db.pool)
        .await?;
    Ok(names.into_iter().collect())
}

/// An administrator's choice, from the API: recorded (and audited), then applied on
/// this instance at once. Enabling a module that failed tries it again; enabling one
/// whose dependencies are not running is refused, naming them. Disabling a module
/// that others need is refused, naming them, unless `with_dependents` (they are
/// disabled first). Returns the module's status afterwards.
pub async fn set_enabled(
    registry: &ModuleRegistry,
    db: &Db,
    name: &str,
    enabled: bool,
    with_dependents: bool,
    acting: &Acting,
) -> Result<ModuleStatus, SwitchError> {
    let entry = registry
        .get(name)
        .ok_or_else(|| SwitchError::Unknown(name.to_owned()))?;
    if entry.module.is_none() {
        return Err(SwitchError::NotLoaded {
            module: name.to_owned(),
            reason: entry
                .failure
                .as_ref()
                .map_or_else(|| "it has no parts".to_owned(), |f| f.message.clone()),
        });
    }
    let _switching = registry.switching.lock().await;
    let entries = registry.entries();
    if enabled {
        if let Some(unmet) = dependencies::missing(&entry, &entries) {
            return Err(SwitchError::Needs {
                module: name.to_owned(),
                reason: unmet.to_string(),
            });
        }
    } else {
        let dependents = dependencies::dependents(name, &entries);
        if !dependents.is_empty() && !with_dependents {
            return Err(SwitchError::NeededBy {
                module: name.to_owned(),
                dependents: dependents.join("`, `"),
            });
        }
        // The ones found last need the ones found first: they stop first.
        for dependent in dependents.iter().rev() {
            record(db, dependent, false, acting).await?;
            apply(registry, db, dependent, false).await;
        }
    }
    let changed = record(db, name, enabled, acting).await?;
    if !changed && enabled && matches!(entry.state, ModuleState::Failed | ModuleState::Incompatible)
    {
        audit::note(db, acting.event("module.retried", name)).await;
    }
    apply(registry, db, name, enabled).await;
    let after = registry.get(name).unwrap_or(entry);
    Ok(after.status())
}

/// Records the choice in the database (and the audit trail when it changes
/// anything); whether it changed anything. Running instances follow within
/// [`FOLLOW_EVERY`]: this is all the command line does.
pub async fn record(
    db: &Db,
    name: &str,
    enabled: bool,
    acting: &Acting,
) -> Result<bool, SwitchError> {
    let database = |source| SwitchError::Database {
        module: name.to_owned(),
        source,
    };
    let statement = if enabled {
        sqlx::query("DELETE FROM module_disabled WHERE module = $1").bind(name)
    } else {
        sqlx::query(
            "INSERT INTO module_disabled (module, disabled_at, disabled_by) VALUES ($1, $2, $3) \
             ON CONFLICT (module) DO NOTHING",
        )
        .bind(name)
        .bind(now())
        .bind(acting.user.as_ref().map(|u| u.name.clone()))
    };
    let changed = statement
        .execute(&db.pool)
        .await
        .map_err(database)?
        .rows_affected()
        > 0;
    if changed {
        let action = if enabled {
            "module.enabled"
        } else {
            "module.disabled"
        };
        audit::note(db, acting.event(action, name)).await;
    }
    Ok(changed)
}

/// `gantry module enable|disable NAME`: records the choice for a module the
/// command line discovers as the server would (running instances follow within
/// [`FOLLOW_EVERY`]); what to print.
pub async fn from_command_line(
    db: &Db,
    options: &super::ModuleOptions,
    name: &str,
    enabled: bool,
    with_dependents: bool,
) -> Result<String, SwitchError> {
    let candidates = super::discovery::discover(options, super::compiled_in());
    let Some(candidate) = candidates.iter().find(|c| c.name == name) else {
        return Err(SwitchError::Unknown(name.to_owned()));
    };
    if let Err(err) = &candidate.module {
        return Err(SwitchError::NotLoaded {
            module: name.to_owned(),
            reason: err.to_string(),
        });
    }
    let mut out = String::new();
    if !enabled {
        let disabled = disabled_names(db)
            .await
            .map_err(|source| SwitchError::Database {
                module: name.to_owned(),
                source,
            })?;
        let on: Vec<(&str, &std::collections::BTreeMap<String, String>)> = candidates
            .iter()
            .filter(|c| !disabled.contains(&c.name))
            .filter_map(|c| Some((c.name.as_str(), &c.module.as_ref().ok()?.manifest.depends)))
            .collect();
        let dependents = dependencies::dependents_among(name, &on);
        if !dependents.is_empty() && !with_dependents {
            return Err(SwitchError::NeededBy {
                module: name.to_owned(),
                dependents: dependents.join("`, `"),
            });
        }
        for dependent in dependents.iter().rev() {
            record(db, dependent, false, &Acting::default()).await?;
            out += &format!("module `{dependent}` is disabled (it needs `{name}`)\n");
        }
    }
    let changed = record(db, name, enabled, &Acting::default()).await?;
    let state = if enabled { "enabled" } else { "disabled" };
    out += &if changed {
        format!(
            "module `{name}` is {state}; running instances follow within {} s\n",
            FOLLOW_EVERY.as_secs()
        )
    } else {
        format!("module `{name}` was already {state}\n")
    };
    Ok(out)
}

/// Forgets the choice for a module that was removed, without an audit entry of its
/// own (the removal has one).
pub async fn forget_choice(db: &Db, name: &str) {
    if let Err(err) = sqlx::query("DELETE FROM module_disabled WHERE module = $1")
        .bind(name)
        .execute(&db.pool)
        .await
    {
        tracing::error!("module `{name}`: cannot forget whether it was disabled: {err}");
    }
}

/// Follows the database on this instance, every [`FOLLOW_EVERY`], until the server
/// begins to shut down (a change under way is finished first): first the drop-ins
/// installed or removed elsewhere ([`packages::follow_once`]), then the choice of
/// which modules are off.
pub async fn follow(registry: Arc<ModuleRegistry>, db: Db) {
    let mut failed_packages = HashSet::new();
    let mut tick = tokio::time::interval(FOLLOW_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                packages::follow_once(&registry, &db, &mut failed_packages).await;
                follow_once(&registry, &db).await;
            }
            () = registry.closing.cancelled() => return,
        }
    }
}

/// Disables here what the table says is off, and enables what is back on.
pub async fn follow_once(registry: &ModuleRegistry, db: &Db) {
    let _switching = registry.switching.lock().await;
    let disabled = match disabled_names(db).await {
        Ok(disabled) => disabled,
        Err(err) => {
            tracing::warn!("cannot read which modules are disabled: {err}");
            return;
        }
    };
    for entry in registry.entries() {
        let wanted_off = disabled.contains(&entry.name);
        let is_off = entry.state == ModuleState::Disabled;
        if entry.module.is_some() && wanted_off != is_off {
            apply(registry, db, &entry.name, !wanted_off).await;
        }
    }
}

/// Migrates and starts a module installed at runtime (it waits for the switching
/// lock like any change).
pub async fn start_added(registry: &ModuleRegistry, db: &Db, name: &str) {
    let _switching = registry.switching.lock().await;
    apply(registry, db, name, true).await;
}

/// Brings the module to the state asked for on this instance; once it runs, the
/// modules that could not start only for want of it are tried again, and theirs in
/// turn. The caller holds the registry's `switching` lock.
async fn apply(registry: &ModuleRegistry, db: &Db, name: &str, enabled: bool) {
    let mut next = vec![name.to_owned()];
    while let Some(name) = next.pop() {
        apply_one(registry, db, &name, enabled).await;
        let running = registry
            .get(&name)
            .is_some_and(|e| e.state == ModuleState::Running);
        if enabled && running {
            next.extend(waiting_for(registry, &name));
        }
    }
}

/// The modules left `incompatible` by an unmet dependency on `name`.
fn waiting_for(registry: &ModuleRegistry, name: &str) -> Vec<String> {
    registry
        .entries()
        .iter()
        .filter(|e| {
            e.state == ModuleState::Incompatible
                && e.failure
                    .as_ref()
                    .is_some_and(|f| f.step == ModuleStep::Dependencies)
                && e.manifest
                    .as_ref()
                    .is_some_and(|m| m.depends.contains_key(name))
        })
        .map(|e| e.name.clone())
        .collect()
}

/// Brings one module to the state asked for on this instance.
async fn apply_one(registry: &ModuleRegistry, db: &Db, name: &str, enabled: bool) {
    let Some(current) = registry.get(name) else {
        return;
    };
    let mut entry = (*current).clone();
    if enabled {
        if !matches!(
            entry.state,
            ModuleState::Discovered
                | ModuleState::Disabled
                | ModuleState::Failed
                | ModuleState::Incompatible
        ) {
            return;
        }
        entry.state = ModuleState::Discovered;
        entry.failure = None;
        if let Some(unmet) = dependencies::missing(&entry, &registry.entries()) {
            entry.fail(ModuleStep::Dependencies, unmet);
            tracing::error!(
                module = %name,
                "{}",
                entry.failure.as_ref().map_or("", |f| f.message.as_str())
            );
            registry.replace(entry);
            return;
        }
        // Instances enabling at the same moment migrate one after another.
        let turn = db.startup_turn().await;
        if let Err(err) = &turn {
            tracing::warn!(module = %name, "module `{name}`: migrating without the start-up lock: {err}");
        }
        entry = migrate_on_a_thread_of_its_own(entry, db).await;
        drop(turn);
        if let (ModuleState::Starting, Some(settings)) = (entry.state, &registry.settings) {
            lifecycle::start(&mut entry, db, settings, registry.hook_timeout).await;
        }
        match &entry.failure {
            Some(failure) => {
                tracing::error!(module = %name, "{}", failure.message);
                audit::note(
                    db,
                    AuditEvent::new("module.failed")
                        .target(name)
                        .detail(&failure.message),
                )
                .await;
            }
            None => {
                tracing::info!(module = %name, "module `{name}` {} is enabled", entry.version())
            }
        }
    } else {
        if entry.state == ModuleState::Disabled {
            return;
        }
        lifecycle::disable(&mut entry, registry.hook_timeout).await;
        tracing::info!(module = %name, "module `{name}` is disabled");
    }
    registry.replace(entry);
}

/// Applies a module's pending migrations on a thread of their own (see
/// [`super::on_a_thread_of_its_own`]; the start-up path awaits them on the main task
/// instead), returning the entry.
async fn migrate_on_a_thread_of_its_own(entry: ModuleEntry, db: &Db) -> ModuleEntry {
    let db = db.clone();
    let mut if_lost = entry.clone();
    let migrating = super::on_a_thread_of_its_own(move |runtime| {
        let mut entry = entry;
        runtime.block_on(migrate::apply(&mut entry, &db));
        entry
    });
    match migrating.await {
        Ok(entry) => entry,
        Err(err) => {
            let reason = format!("the migrations' task ended: {err}");
            if_lost.fail(
                ModuleStep::Migration,
                ModuleError::MigrationFailed {
                    module: if_lost.name.clone(),
                    reason,
                },
            );
            if_lost
        }
    }
}
