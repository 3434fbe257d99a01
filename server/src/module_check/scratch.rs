//! Scratch databases a check applies a module's migrations on, removed afterwards.

use anyhow::{bail, Context, Result};

use crate::db::{Db, DbKind};

/// A SQLite file of one check's own, removed when dropped.
pub struct ScratchSqlite(std::path::PathBuf);

impl ScratchSqlite {
    pub fn new() -> Self {
        static CHECKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = CHECKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("gantry-check-{}-{n}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        Self(path)
    }

    pub fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }
}

impl Drop for ScratchSqlite {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// A database of one check's own on a PostgreSQL server; [`ScratchPostgres::drop_all`]
/// drops it and the module roles the migrations made for it.
pub struct ScratchPostgres {
    server: Db,
    name: String,
    pub url: String,
}

impl ScratchPostgres {
    pub async fn create(server_url: &str) -> Result<Self> {
        let server = Db::connect(server_url)
            .await
            .with_context(|| "cannot reach the PostgreSQL server given with --postgres")?;
        if server.kind != DbKind::Postgres {
            bail!("--postgres takes a postgres:// URL");
        }
        let name = format!(
            "gantry_check_{}_{}",
            std::process::id(),
            crate::accounts::random_hex(4)
        );
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&server.pool)
            .await
            .with_context(|| format!("cannot create the scratch database {name}"))?;
        let mut url = reqwest::Url::parse(server_url).context("--postgres is not a URL")?;
        url.set_path(&format!("/{name}"));
        Ok(Self {
            server,
            name,
            url: url.to_string(),
        })
    }

    pub async fn drop_all(self) -> Result<()> {
        let oid: i64 = sqlx::query_scalar("SELECT oid::bigint FROM pg_database WHERE datname = $1")
            .bind(&self.name)
            .fetch_one(&self.server.pool)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {} WITH (FORCE)",
            self.name
        )))
        .execute(&self.server.pool)
        .await
        .with_context(|| format!("cannot drop the scratch database {}", self.name))?;
        let roles: Vec<String> =
            sqlx::query_scalar("SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, $1)")
                .bind(format!("gantry_m{oid}_"))
                .fetch_all(&self.server.pool)
                .await?;
        for role in roles {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP ROLE \"{role}\"")))
                .execute(&self.server.pool)
                .await?;
        }
        self.server.pool.close().await;
        Ok(())
    }
}
