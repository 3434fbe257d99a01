//! The database: connecting (SQLite or PostgreSQL, chosen by URL) and core migrations.

use std::{path::Path, str::FromStr};

use sqlx::{
    any::{AnyPoolOptions, AnyRow},
    migrate::{Migrate, MigrateError, Migrator},
    AnyPool, Row,
};

/// Core migrations, one folder per dialect with the same file names.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database server a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL `{0}`: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot create the data folder `{path}`: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("core migrations failed: {0}")]
    Migrate(#[from] MigrateError),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

/// A pool of connections and the kind of database behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    /// The URL connected to (for connections of their own, such as a module's
    /// guarded migration connection on SQLite).
    pub url: String,
}

pub use gantry_sdk::MigrationState;

/// The advisory lock key of start-up (any constant no other code uses).
const STARTUP_LOCK: i64 = 0x6761_6e74_7279;

/// Start-up's turn, from [`Db::startup_turn`]: the next instance's begins when this
/// is dropped.
#[must_use = "the turn ends when this is dropped"]
pub struct StartupTurn {
    _lock: Option<sqlx::pool::PoolConnection<sqlx::Any>>,
}

impl FromStr for DbKind {
    type Err = DbError;

    fn from_str(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbKind::Postgres)
        } else {
            Err(DbError::UnsupportedUrl(url.to_owned()))
        }
    }
}

/// Makes sqlite-vec's functions (`vec_distance_cosine`…, for the Knowledge
/// Vault's vector search) part of every SQLite connection opened after this.
#[allow(unsafe_code)]
fn load_sqlite_vec() {
    static LOADED: std::sync::Once = std::sync::Once::new();
    LOADED.call_once(|| {
        type Init = unsafe extern "C" fn(
            *mut libsqlite3_sys::sqlite3,
            *mut *mut std::os::raw::c_char,
            *const libsqlite3_sys::sqlite3_api_routines,
        ) -> std::os::raw::c_int;
        // SAFETY: `sqlite3_vec_init` is an SQLite extension entry point, which has
        // exactly the signature `sqlite3_auto_extension` calls (the crate declares it
        // without arguments); registering it is process-wide and idempotent.
        let rc = unsafe {
            libsqlite3_sys::sqlite3_auto_extension(Some(std::mem::transmute::<*const (), Init>(
                sqlite_vec::sqlite3_vec_init as *const (),
            )))
        };
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::warn!("cannot load sqlite-vec (code {rc}): vector search is off");
        }
    });
}

impl Db {
    /// Connects to `url`. A SQLite file is created (with its folder) when missing and
    /// switched to write-ahead logging.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let kind: DbKind = url.parse()?;
        let url = match kind {
            DbKind::Sqlite => {
                load_sqlite_vec();
                sqlite_url(url)?
            }
            DbKind::Postgres => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .connect(&url)
            .await
            .map_err(DbError::Connect)?;
        if kind == DbKind::Sqlite {
            // Persistent for the file: readers no longer block the writer.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Self { pool, kind, url })
    }

    fn migrator(&self) -> &'static Migrator {
        match self.kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Start-up's turn on this database: on PostgreSQL an advisory lock, held until
    /// the returned guard is dropped, so that instances starting at the same moment
    /// migrate, make the setup token and the first administrator, and migrate the
    /// modules one after another. SQLite's own file lock does that there.
    pub async fn startup_turn(&self) -> Result<StartupTurn, sqlx::Error> {
        if self.kind != DbKind::Postgres {
            return Ok(StartupTurn { _lock: None });
        }
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(STARTUP_LOCK)
            .execute(&mut *conn)
            .await?;
        // Closed when dropped, which ends the lock with the session.
        conn.close_on_drop();
        Ok(StartupTurn { _lock: Some(conn) })
    }

    /// A transaction that writes. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so that under concurrent writers it waits its turn (the busy
    /// timeout) rather than failing with "database is locked" when another write
    /// commits between its first read and its first write. Every host
    /// transaction that writes begins here.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.kind {
            DbKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            DbKind::Postgres => self.pool.begin().await,
        }
    }

    /// Applies every pending core migration and records them in the audit trail;
    /// returns the versions applied.
    pub async fn migrate(&self) -> Result<Vec<i64>, DbError> {
        let before = self.core_versions().await?;
        self.migrator().run(&self.pool).await?;
        let applied: Vec<i64> = self
            .core_versions()
            .await?
            .into_iter()
            .filter(|v| !before.contains(v))
            .collect();
        crate::audit::migrations(self, "core", "migration.applied", &applied).await;
        Ok(applied)
    }

    /// Every core migration, applied or not, in order.
    pub async fn migration_status(&self) -> Result<Vec<MigrationState>, DbError> {
        Ok(self.migration_states(self.migrator()).await?)
    }

    /// Every migration of `migrator` (core's or a module's) and whether it is applied.
    pub async fn migration_states(
        &self,
        migrator: &Migrator,
    ) -> Result<Vec<MigrationState>, MigrateError> {
        let applied = self.applied_versions(&migrator.table_name).await?;
        Ok(migrator
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .map(|m| MigrationState {
                version: m.version,
                description: m.description.to_string(),
                applied: applied.contains(&m.version),
            })
            .collect())
    }

    async fn core_versions(&self) -> Result<Vec<i64>, DbError> {
        Ok(self.applied_versions(&self.migrator().table_name).await?)
    }

    /// Versions recorded in the migrations tracking table `table` (created if missing).
    pub async fn applied_versions(&self, table: &str) -> Result<Vec<i64>, MigrateError> {
        let mut conn = self.pool.acquire().await?;
        conn.ensure_migrations_table(table).await?;
        let applied = conn.list_applied_migrations(table).await?;
        Ok(applied.into_iter().map(|m| m.version).collect())
    }

    /// The database's size on disk in bytes (SQLite: its pages; PostgreSQL: the
    /// current database).
    pub async fn size_bytes(&self) -> Result<u64, DbError> {
        let sql = match self.kind {
            DbKind::Sqlite => {
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            }
            DbKind::Postgres => "SELECT pg_database_size(current_database())",
        };
        let bytes: i64 = sqlx::query_scalar(sql).fetch_one(&self.pool).await?;
        Ok(bytes.max(0) as u64)
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DbError> {
        let row: AnyRow = sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        let one: i32 = row.try_get(0)?;
        debug_assert_eq!(one, 1);
        Ok(())
    }
}

/// Adds `mode=rwc` (create when missing) and creates the file's folder.
fn sqlite_url(url: &str) -> Result<String, DbError> {
    let path = url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(url.to_owned());
    }
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|source| DbError::CreateDir {
            path: parent.display().to_string(),
            source,
        })?;
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_database_kinds() {
        assert_eq!(
            "sqlite://data/g.db".parse::<DbKind>().unwrap(),
            DbKind::Sqlite
        );
        assert_eq!(
            "postgres://u@h/db".parse::<DbKind>().unwrap(),
            DbKind::Postgres
        );
        assert!("mysql://h/db".parse::<DbKind>().is_err());
    }

    #[test]
    fn sqlite_url_asks_for_creation() {
        let dir = std::env::temp_dir().join("gantry-db-url-test");
        let url = format!("sqlite://{}/g.db", dir.display());
        assert_eq!(sqlite_url(&url).unwrap(), format!("{url}?mode=rwc"));
        assert!(dir.is_dir());
        assert_eq!(sqlite_url("sqlite::memory:").unwrap(), "sqlite::memory:");
    }
}
