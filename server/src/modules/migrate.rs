//! Each module's migrations: tracked in its own table, kept to the module's tables
//! by the database itself, applied after the host's own.

use std::time::Instant;

use gantry_sdk::{Dialect, Migrations, Module};
use sqlx::migrate::{MigrateError, Migrator};

use super::{
    pg_boundary::{self, BoundaryError, ModuleLogin},
    registry::{millis, ModuleEntry, ModuleStep},
    sqlite_boundary, ModuleError, ModuleState,
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

/// `module`'s migrator for `db`, tracked in its own table. `Ok(None)` when it has
/// no migrations.
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
            let (this, other) = match db.kind {
                DbKind::Sqlite => ("sqlite", "postgres"),
                DbKind::Postgres => ("postgres", "sqlite"),
            };
            let dialect_dir = dir.join(this);
            if !dialect_dir.is_dir() && dir.join(other).is_dir() {
                // Not silently none: the tables the module expects would be missing.
                return Err(unreadable(format!(
                    "its migrations are for {other} only (`{other}/`); add `{this}/` for this database"
                )));
            }
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
    // Refused as a whole when one of them cannot be reverted: never half of it, and
    // never a revert reported that did not happen.
    if let Some(version) = applied[keep..].iter().find(|v| {
        !migrator
            .iter()
            .any(|m| m.version == **v && m.migration_type.is_down_migration())
    }) {
        return Err(ModuleError::MigrationFailed {
            module: name.clone(),
            reason: format!(
                "migration {version} has no down migration (`.down.sql`); nothing was reverted"
            ),
        });
    }
    guarded(module, db, &migrator, Direction::Down(target)).await?;
    let left = db
        .applied_versions(&migrator.table_name)
        .await
        .map_err(&failed)?;
    let reverted: Vec<i64> = applied[keep..]
        .iter()
        .rev()
        .copied()
        .filter(|v| !left.contains(v))
        .collect();
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

/// How this database keeps module migrations to the modules' own tables, in words
/// for Admin → System.
pub async fn boundary(db: &Db) -> String {
    match db.kind {
        DbKind::Sqlite => "kept to each module's tables by SQLite (an authorizer on their \
                           own connection)"
            .to_owned(),
        DbKind::Postgres => match pg_boundary::unavailable(db).await {
            None => "kept to each module's tables by PostgreSQL (each module migrates as a \
                     role of its own)"
                .to_owned(),
            Some(why) => format!(
                "not bounded by the database: {why}; drop-in modules' migrations are \
                 refused, compiled-in modules migrate as Gantry's own user"
            ),
        },
    }
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
/// the module's tables (see `sqlite_boundary`); on PostgreSQL, logged in as the
/// module's own role (see `pg_boundary`).
async fn guarded(
    module: &Module,
    db: &Db,
    migrator: &Migrator,
    direction: Direction,
) -> Result<(), ModuleError> {
    match db.kind {
        DbKind::Sqlite => guarded_sqlite(module, db, migrator, direction).await,
        DbKind::Postgres => guarded_postgres(module, db, migrator, direction).await,
    }
}

async fn guarded_sqlite(
    module: &Module,
    db: &Db,
    migrator: &Migrator,
    direction: Direction,
) -> Result<(), ModuleError> {
    let name = &module.manifest.name;
    let failed = failed(name);
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

async fn guarded_postgres(
    module: &Module,
    db: &Db,
    migrator: &Migrator,
    direction: Direction,
) -> Result<(), ModuleError> {
    let name = &module.manifest.name;
    if let Some(why) = pg_boundary::unavailable(db).await {
        // Compiled-in code has the host's database rights at run time anyway; SQL
        // read from a drop-in folder runs only where the database bounds it.
        if matches!(module.migrations, Some(Migrations::Dir(_))) {
            return Err(ModuleError::MigrationFailed {
                module: name.clone(),
                reason: format!(
                    "a drop-in's migrations run only as a database role of its own, and {why}"
                ),
            });
        }
        return match direction {
            Direction::Up => migrator.run(&db.pool).await,
            Direction::Down(target) => migrator.undo(&db.pool, target).await,
        }
        .map_err(failed(name));
    }
    let to_module_error = |err: BoundaryError| match err {
        BoundaryError::Denied { migration, problem } => ModuleError::MigrationDenied {
            module: name.clone(),
            migration,
            problem,
        },
        BoundaryError::Failed(reason) => ModuleError::MigrationFailed {
            module: name.clone(),
            reason,
        },
    };
    let mut login = ModuleLogin::open(
        db,
        name,
        &module.manifest.table_prefix(),
        &migrator.table_name,
    )
    .await
    .map_err(to_module_error)?;
    let res = match direction {
        Direction::Up => login.up(migrator).await,
        Direction::Down(target) => login.down(migrator, target).await,
    };
    login.close(db).await;
    res.map_err(to_module_error)
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
