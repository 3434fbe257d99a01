//! Each module's migrations: tracked in its own table, checked for the table prefix
//! before anything runs, applied after the host's own.

use std::time::Instant;

use gantry_sdk::{Dialect, Migrations, Module};
use sqlx::migrate::{MigrateError, Migrator};

use super::{
    registry::{millis, ModuleEntry, ModuleStep},
    sql_guard, sqlite_boundary, ModuleError, ModuleState,
};
use crate::db::{Db, DbKind, MigrationState};

/// Turns a sqlx migration error into `module`'s failure.
fn failed(module: &str) -> impl Fn(MigrateError) -> ModuleError + '_ {
    move |err| ModuleError::MigrationFailed {
        module: module.to_owned(),
        reason: err.to_string(),
    }
}

/// The table tracking `module`'s applied migrations.
pub fn tracking_table(module: &str) -> String {
    format!("_gantry_migrations_{}", module.replace('-', "_"))
}

/// `module`'s migrator for `db`, tracked in its own table, with every statement
/// checked against the module's table prefix. `Ok(None)` when it has no migrations.
pub async fn migrator(module: &Module, db: &Db) -> Result<Option<Migrator>, ModuleError> {
    let name = &module.manifest.name;
    let unreadable = |reason: String| ModuleError::MigrationFailed {
        module: name.clone(),
        reason,
    };
    let migrations = match &module.migrations {
        None => return Ok(None),
        Some(Migrations::Portable(m)) => m.iter().cloned().collect(),
        Some(Migrations::PerDialect { sqlite, postgres }) => match db.kind {
            DbKind::Sqlite => sqlite.iter().cloned().collect(),
            DbKind::Postgres => postgres.iter().cloned().collect(),
        },
        Some(Migrations::Dir(dir)) => {
            let dialect_dir = dir.join(match db.kind {
                DbKind::Sqlite => "sqlite",
                DbKind::Postgres => "postgres",
            });
            let dir = if dialect_dir.is_dir() {
                dialect_dir
            } else {
                dir.clone()
            };
            Migrator::new(dir.as_path())
                .await
                .map_err(|err| unreadable(format!("cannot read `{}`: {err}", dir.display())))?
                .iter()
                .cloned()
                .collect()
        }
    };
    let mut migrator = Migrator::with_migrations(migrations);
    migrator.dangerous_set_table_name(tracking_table(name));
    let prefix = module.manifest.table_prefix();
    // On SQLite the database itself refuses what reaches outside (see `guarded`);
    // PostgreSQL has only this statement check so far.
    let scanned = if db.kind == DbKind::Postgres {
        migrator.iter().collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    for migration in scanned {
        if let Err(violation) = sql_guard::check(migration.sql.as_str(), &prefix) {
            let direction = if migration.migration_type.is_down_migration() {
                "down"
            } else {
                "up"
            };
            return Err(ModuleError::MigrationRefused {
                module: name.clone(),
                migration: format!(
                    "{}_{} ({direction})",
                    migration.version,
                    migration.description.replace(' ', "_")
                ),
                problem: violation.problem,
                statement: violation.statement,
            });
        }
    }
    Ok(Some(migrator))
}

/// Applies the pending migrations of a discovered module; on failure the module is
/// marked failed (the failing migration's transaction is rolled back, so neither the
/// host's tables nor other modules' are touched).
pub async fn apply(entry: &mut ModuleEntry, db: &Db) {
    let Some(module) = entry.module.as_ref() else {
        return;
    };
    entry.state = ModuleState::Migrating;
    let started = Instant::now();
    let res = up(module, db).await;
    entry.timings.migrations_ms = Some(millis(started.elapsed()));
    match res {
        Ok(migrations) => {
            entry.migrations = migrations;
            entry.state = ModuleState::Starting;
        }
        Err(err) => entry.fail(ModuleStep::Migration, err),
    }
}

/// The SDK's name for the database's dialect.
pub fn dialect(db: &Db) -> Dialect {
    match db.kind {
        DbKind::Sqlite => Dialect::Sqlite,
        DbKind::Postgres => Dialect::Postgres,
    }
}

/// Reverts `module`'s last `steps` applied migrations and records them in the audit
/// trail; returns the reverted versions.
pub async fn down(module: &Module, db: &Db, steps: usize) -> Result<Vec<i64>, ModuleError> {
    let name = &module.manifest.name;
    let Some(migrator) = migrator(module, db).await? else {
        return Ok(Vec::new());
    };
    let failed = failed(name);
    let mut applied = db
        .applied_versions(&migrator.table_name)
        .await
        .map_err(&failed)?;
    applied.sort_unstable();
    let keep = applied.len().saturating_sub(steps);
    let target = if keep == 0 { 0 } else { applied[keep - 1] };
    guarded(module, db, &migrator, Direction::Down(target)).await?;
    let reverted: Vec<i64> = applied[keep..].iter().rev().copied().collect();
    crate::audit::migrations(db, name, "migration.rolled_back", &reverted).await;
    Ok(reverted)
}

/// Applies `module`'s pending migrations and records them in the audit trail.
pub async fn up(module: &Module, db: &Db) -> Result<Vec<MigrationState>, ModuleError> {
    let name = &module.manifest.name;
    let Some(migrator) = migrator(module, db).await? else {
        return Ok(Vec::new());
    };
    let failed = failed(name);
    let before = db
        .applied_versions(&migrator.table_name)
        .await
        .map_err(&failed)?;
    guarded(module, db, &migrator, Direction::Up).await?;
    let states = db.migration_states(&migrator).await.map_err(failed)?;
    let applied: Vec<i64> = states
        .iter()
        .filter(|m| m.applied && !before.contains(&m.version))
        .map(|m| m.version)
        .collect();
    crate::audit::migrations(db, name, "migration.applied", &applied).await;
    Ok(states)
}

/// Which way to migrate.
#[derive(Clone, Copy)]
enum Direction {
    Up,
    /// Down to this version (0: all of them).
    Down(i64),
}

/// Runs `migrator` for `module` where the database enforces the module's boundary:
/// on SQLite, on a connection of its own whose authorizer refuses anything outside
/// the module's tables (see `sqlite_boundary`). PostgreSQL has only the statement
/// check in [`migrator`] so far.
async fn guarded(
    module: &Module,
    db: &Db,
    migrator: &Migrator,
    direction: Direction,
) -> Result<(), ModuleError> {
    let name = &module.manifest.name;
    let failed = failed(name);
    if db.kind == DbKind::Postgres {
        return match direction {
            Direction::Up => migrator.run(&db.pool).await,
            Direction::Down(target) => migrator.undo(&db.pool, target).await,
        }
        .map_err(failed);
    }
    let mut conn = sqlite_boundary::GuardedConnection::open(
        &db.url,
        &module.manifest.table_prefix(),
        &migrator.table_name,
    )
    .await
    .map_err(|err| ModuleError::MigrationFailed {
        module: name.clone(),
        reason: format!("cannot open a connection for its migrations: {err}"),
    })?;
    let res = match direction {
        Direction::Up => migrator.run(&mut conn.conn).await,
        Direction::Down(target) => migrator.undo(&mut conn.conn, target).await,
    };
    let refused = conn.refused();
    conn.close().await;
    match (res, refused) {
        (Ok(()), _) => Ok(()),
        (Err(err), Some(problem)) => Err(ModuleError::MigrationDenied {
            module: name.clone(),
            migration: match &err {
                MigrateError::ExecuteMigration(_, version) => version.to_string(),
                _ => "(unknown)".to_owned(),
            },
            problem,
        }),
        (Err(err), None) => Err(failed(err)),
    }
}

/// Records `module`'s migrations up to `version` (all when `None`) as applied without
/// running them: for a database whose schema already matches.
pub async fn baseline(module: &Module, db: &Db, version: Option<i64>) -> Result<(), ModuleError> {
    let name = &module.manifest.name;
    let Some(migrator) = migrator(module, db).await? else {
        return Ok(());
    };
    migrator.skip(&db.pool, version).await.map_err(failed(name))
}
