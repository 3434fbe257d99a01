//! PostgreSQL: each module's migrations run as a database role of its own, on a
//! connection that logs in as that role, so the database refuses whatever lies
//! outside the module's tables. Setting a role on the host's own connection would
//! not do: the migration's SQL could `RESET ROLE` (or `set_config('role', …)`) back
//! to the host, since the session would still be the host's.
//!
//! The role (`gantry_m<database oid>_<module>`) owns the module's tables, may create
//! in the host's schema and holds nothing else: no grant on any host table, no
//! membership of any role. The host is a member of it, so the module's runtime code,
//! which uses the host's pool, reaches its tables. The role may log in only while its
//! migrations run, with a password made for that one login.
//!
//! Each migration runs in one transaction with its ledger row. Before it commits,
//! the catalog is read back: an object the role made whose name lies outside the
//! module's prefix (a table, index, function, type, or anything else) refuses the
//! migration and nothing of it stays. A migration that ends the transaction itself
//! is refused too.

use std::{collections::HashMap, str::FromStr};

use sqlx::{
    migrate::{Migration, Migrator},
    postgres::{PgConnectOptions, PgConnection},
    AssertSqlSafe, Connection, Row,
};

use crate::db::Db;

/// Why modules cannot have database roles of their own here, when they cannot;
/// `None` when they can. Shown in Admin → System.
pub async fn unavailable(db: &Db) -> Option<String> {
    let row = sqlx::query(
        "SELECT current_user::text, \
                (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user), \
                (SELECT pg_has_role(current_user, nspowner, 'MEMBER') \
                        OR has_schema_privilege(current_user, oid, 'CREATE WITH GRANT OPTION') \
                   FROM pg_namespace WHERE nspname = current_schema()), \
                current_schema()::text",
    )
    .fetch_one(&db.pool)
    .await;
    let row = match row {
        Ok(row) => row,
        Err(err) => return Some(format!("cannot read the database user's rights: {err}")),
    };
    let user: String = row.try_get(0).unwrap_or_default();
    let create_role: bool = row.try_get::<Option<bool>, _>(1).ok().flatten() == Some(true);
    let grant_schema: bool = row.try_get::<Option<bool>, _>(2).ok().flatten() == Some(true);
    let schema: Option<String> = row.try_get(3).ok().flatten();
    if !create_role {
        return Some(format!(
            "the database user `{user}` may not create roles (it needs CREATEROLE)"
        ));
    }
    match schema {
        None => Some("the database has no current schema".to_owned()),
        Some(schema) if !grant_schema => Some(format!(
            "the database user `{user}` may not grant CREATE on schema `{schema}`"
        )),
        Some(_) => None,
    }
}

/// A module's own login, open while its migrations run. Close it with
/// [`ModuleLogin::close`], which also takes the role's login away again.
pub struct ModuleLogin {
    conn: PgConnection,
    role: String,
    prefix: String,
    ledger: String,
}

/// Why a module's migrations did not run.
pub enum BoundaryError {
    /// The database refused a statement, or the migration reached outside the
    /// module's tables in another way: the module's fault.
    Denied { migration: String, problem: String },
    /// Anything else (the role could not be set up, the SQL is wrong, …).
    Failed(String),
}

impl ModuleLogin {
    /// Sets up `module`'s role (made once, then reused), hands it the module's
    /// tables that the host still owns, and logs in as it.
    pub async fn open(
        db: &Db,
        module: &str,
        prefix: &str,
        ledger: &str,
    ) -> Result<Self, BoundaryError> {
        let failed = |what: &str, err: sqlx::Error| {
            BoundaryError::Failed(format!("cannot {what} for its migrations: {err}"))
        };
        let mut host = db
            .pool
            .acquire()
            .await
            .map_err(|e| failed("reach the database", e))?;
        let (oid, schema): (i64, String) = sqlx::query_as(
            "SELECT oid::bigint, current_schema()::text FROM pg_database \
              WHERE datname = current_database()",
        )
        .fetch_one(&mut *host)
        .await
        .map_err(|e| failed("read the database", e))?;
        let role = format!("gantry_m{oid}_{}", module.replace('-', "_"));
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_roles WHERE rolname = $1")
            .bind(&role)
            .fetch_optional(&mut *host)
            .await
            .map_err(|e| failed("look up its role", e))?;
        if exists.is_none() {
            let made = exec(
                &mut host,
                format!("CREATE ROLE \"{role}\" NOLOGIN NOINHERIT"),
            )
            .await;
            // Another instance starting at the same moment may have made it.
            if let Err(err) = made {
                if !is_duplicate(&err) {
                    return Err(failed("create its role", err));
                }
            }
        }
        let password = password();
        for statement in [
            format!("GRANT \"{role}\" TO CURRENT_USER"),
            format!("GRANT USAGE, CREATE ON SCHEMA \"{schema}\" TO \"{role}\""),
            format!(
                "CREATE TABLE IF NOT EXISTS \"{ledger}\" (version BIGINT PRIMARY KEY, \
                 description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), \
                 success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)"
            ),
        ] {
            exec(&mut host, statement)
                .await
                .map_err(|e| failed("prepare its role", e))?;
        }
        // Tables made before modules had roles (or the ledger just made) pass to it.
        let adopt: Vec<String> = sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
              WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
                AND pg_get_userbyid(c.relowner) = current_user \
                AND (starts_with(c.relname, $1) OR c.relname = $2)",
        )
        .bind(prefix)
        .bind(ledger)
        .fetch_all(&mut *host)
        .await
        .map_err(|e| failed("list its tables", e))?;
        for table in adopt {
            exec(
                &mut host,
                format!("ALTER TABLE \"{table}\" OWNER TO \"{role}\""),
            )
            .await
            .map_err(|e| failed("hand its tables to its role", e))?;
        }
        exec(
            &mut host,
            format!("ALTER ROLE \"{role}\" LOGIN PASSWORD '{password}'"),
        )
        .await
        .map_err(|e| failed("let its role log in", e))?;
        drop(host);
        let options = PgConnectOptions::from_str(&db.url)
            .map_err(|e| failed("read the database URL", e))?
            .username(&role)
            .password(&password)
            .options([("search_path", schema.as_str())]);
        let conn = match PgConnection::connect_with(&options).await {
            Ok(conn) => conn,
            Err(err) => {
                lock_out(db, &role).await;
                return Err(BoundaryError::Failed(format!(
                    "cannot log in as its database role `{role}` (pg_hba.conf must let it \
                     sign in with a password from here): {err}"
                )));
            }
        };
        Ok(Self {
            conn,
            role,
            prefix: prefix.to_owned(),
            ledger: ledger.to_owned(),
        })
    }

    /// Applies `migrator`'s pending migrations, each in a transaction of its own.
    pub async fn up(&mut self, migrator: &Migrator) -> Result<(), BoundaryError> {
        let applied = self.applied().await?;
        for migration in migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
        {
            match applied.get(&migration.version) {
                Some(checksum) if *checksum != *migration.checksum => {
                    return Err(BoundaryError::Failed(format!(
                        "migration {} was changed after it was applied",
                        migration.version
                    )));
                }
                Some(_) => {}
                None => self.run(migration, Step::Record).await?,
            }
        }
        Ok(())
    }

    /// Reverts the applied migrations above `target`, newest first.
    pub async fn down(&mut self, migrator: &Migrator, target: i64) -> Result<(), BoundaryError> {
        let mut applied: Vec<i64> = self.applied().await?.into_keys().collect();
        applied.sort_unstable_by(|a, b| b.cmp(a));
        for version in applied.into_iter().filter(|v| *v > target) {
            let migration = migrator
                .iter()
                .find(|m| m.version == version && m.migration_type.is_down_migration())
                .ok_or_else(|| {
                    BoundaryError::Failed(format!("migration {version} has no down migration"))
                })?;
            self.run(migration, Step::Forget).await?;
        }
        Ok(())
    }

    /// Ends the login and takes the role's login away again.
    pub async fn close(self, db: &Db) {
        let _ = self.conn.close().await;
        lock_out(db, &self.role).await;
    }

    async fn applied(&mut self) -> Result<HashMap<i64, Vec<u8>>, BoundaryError> {
        let rows: Vec<(i64, Vec<u8>, bool)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT version, checksum, success FROM \"{}\"",
            self.ledger
        )))
        .fetch_all(&mut self.conn)
        .await
        .map_err(|e| BoundaryError::Failed(format!("cannot read its migrations: {e}")))?;
        if let Some((version, ..)) = rows.iter().find(|(.., success)| !success) {
            return Err(BoundaryError::Failed(format!(
                "migration {version} was left half applied; fix the database by hand"
            )));
        }
        Ok(rows.into_iter().map(|(v, c, _)| (v, c)).collect())
    }

    /// Runs one migration and its ledger change in one transaction, committed only
    /// when everything it made lies inside the module's prefix.
    async fn run(&mut self, migration: &Migration, step: Step) -> Result<(), BoundaryError> {
        let label = migration.version.to_string();
        let denied = |problem: String| BoundaryError::Denied {
            migration: label.clone(),
            problem,
        };
        let started = std::time::Instant::now();
        let mut tx =
            self.conn.begin().await.map_err(|e| {
                BoundaryError::Failed(format!("cannot begin migration {label}: {e}"))
            })?;
        let xid: i64 = sqlx::query_scalar("SELECT txid_current()")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| BoundaryError::Failed(format!("migration {label}: {e}")))?;
        let ran = sqlx::raw_sql(AssertSqlSafe(migration.sql.as_str().to_owned()))
            .execute(&mut *tx)
            .await;
        // Inside the transaction still, unless the SQL ended it: after a failure the
        // transaction refuses every query, and after a COMMIT there is none.
        let now: Result<Option<i64>, _> = sqlx::query_scalar("SELECT txid_current_if_assigned()")
            .fetch_one(&mut *tx)
            .await;
        let escaped = match (&ran, &now) {
            (Err(_), Err(_)) => false,
            (_, Ok(current)) => *current != Some(xid),
            (Ok(_), Err(err)) => {
                return Err(BoundaryError::Failed(format!("migration {label}: {err}")));
            }
        };
        if escaped {
            let dropped = drop_outside_prefix(&mut tx, &self.prefix, &self.ledger).await;
            return Err(denied(format!(
                "a migration may not end its own transaction (COMMIT, ROLLBACK); {dropped}"
            )));
        }
        if let Err(err) = ran {
            return Err(match err.as_database_error().and_then(|e| e.code()) {
                // insufficient_privilege: the database kept the boundary.
                Some(code) if code == "42501" => denied(db_message(&err)),
                _ => BoundaryError::Failed(format!("migration {label}: {}", db_message(&err))),
            });
        }
        let outside: Vec<(String, Option<String>)> = sqlx::query_as(OUTSIDE_PREFIX)
            .bind(&self.prefix)
            .bind(&self.ledger)
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| BoundaryError::Failed(format!("migration {label}: {e}")))?;
        if !outside.is_empty() {
            let names: Vec<String> = outside.into_iter().map(|(what, _)| what).collect();
            return Err(denied(format!(
                "it makes {} outside its prefix `{}`",
                names.join(", "),
                self.prefix
            )));
        }
        let ledger = &self.ledger;
        let record = match step {
            Step::Record => sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO \"{ledger}\" (version, description, success, checksum, execution_time) \
                 VALUES ($1, $2, TRUE, $3, $4)"
            )))
            .bind(migration.version)
            .bind(&*migration.description)
            .bind(&*migration.checksum)
            .bind(i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX)),
            Step::Forget => sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM \"{ledger}\" WHERE version = $1"
            )))
            .bind(migration.version),
        };
        record
            .execute(&mut *tx)
            .await
            .map_err(|e| BoundaryError::Failed(format!("migration {label}: {e}")))?;
        tx.commit()
            .await
            .map_err(|e| BoundaryError::Failed(format!("migration {label}: {e}")))
    }
}

/// What a migration's ledger row becomes.
#[derive(Clone, Copy)]
enum Step {
    Record,
    Forget,
}

/// What the current role owns whose name lies outside `$1` (the prefix) and is not
/// the ledger `$2`, with the statement that drops it: relations (tables, indexes,
/// sequences, views, composite types), functions, free-standing types (arrays
/// follow their element), views over tables it does not own (the database would
/// refuse reading them, but a collection must never serve one), and any other
/// owned object (not dropped).
const OUTSIDE_PREFIX: &str = "\
WITH me AS (SELECT oid FROM pg_roles WHERE rolname = current_user)
SELECT 'relation `' || c.relname || '`',
       'DROP ' || CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
           WHEN 'S' THEN 'SEQUENCE' WHEN 'i' THEN 'INDEX' WHEN 'I' THEN 'INDEX'
           WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END
         || ' IF EXISTS ' || c.oid::regclass::text || ' CASCADE'
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relowner = (SELECT oid FROM me) AND n.nspname <> 'pg_toast' AND c.relpersistence <> 't'
   AND NOT (starts_with(c.relname, $1) OR starts_with(c.relname, $2))
UNION ALL
SELECT 'function `' || p.proname || '`',
       'DROP ROUTINE IF EXISTS ' || p.oid::regprocedure::text || ' CASCADE'
  FROM pg_proc p
 WHERE p.proowner = (SELECT oid FROM me) AND NOT starts_with(p.proname, $1)
UNION ALL
SELECT 'type `' || t.typname || '`', 'DROP TYPE IF EXISTS ' || t.oid::regtype::text || ' CASCADE'
  FROM pg_type t
 WHERE t.typowner = (SELECT oid FROM me) AND t.typrelid = 0 AND t.typcategory <> 'A'
   AND NOT starts_with(t.typname, $1)
UNION ALL
SELECT DISTINCT 'view `' || v.relname || '` reading `' || t.relname || '`',
       'DROP VIEW IF EXISTS ' || v.oid::regclass::text || ' CASCADE'
  FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
  JOIN pg_class v ON v.oid = r.ev_class JOIN pg_class t ON t.oid = d.refobjid
 WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
   AND v.relowner = (SELECT oid FROM me) AND t.relowner <> (SELECT oid FROM me)
UNION ALL
SELECT pg_describe_object(d.classid, d.objid, d.objsubid), NULL FROM pg_shdepend d
 WHERE d.deptype = 'o' AND d.refobjid = (SELECT oid FROM me)
   AND d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND d.classid NOT IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass)";

/// After a migration committed behind the host's back: drops what it made
/// outside the module's prefix (the role's own objects, nothing else), and says
/// what was dropped and what could not be.
async fn drop_outside_prefix(conn: &mut PgConnection, prefix: &str, ledger: &str) -> String {
    let outside: Vec<(String, Option<String>)> = match sqlx::query_as(OUTSIDE_PREFIX)
        .bind(prefix)
        .bind(ledger)
        .fetch_all(&mut *conn)
        .await
    {
        Ok(rows) => rows,
        Err(err) => return format!("what it made could not be listed: {err}"),
    };
    let mut left = Vec::new();
    for (what, drop) in outside {
        let dropped = match drop {
            Some(drop) => sqlx::raw_sql(AssertSqlSafe(drop))
                .execute(&mut *conn)
                .await
                .is_ok(),
            None => false,
        };
        if !dropped {
            left.push(what);
        }
    }
    if left.is_empty() {
        "nothing it made outside its prefix was kept".to_owned()
    } else {
        format!(
            "left outside its prefix, to remove by hand: {}",
            left.join(", ")
        )
    }
}

async fn exec(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
    statement: String,
) -> Result<(), sqlx::Error> {
    sqlx::query(AssertSqlSafe(statement))
        .execute(&mut **conn)
        .await
        .map(|_| ())
}

/// Takes the role's login and password away; logged when it cannot be done.
async fn lock_out(db: &Db, role: &str) {
    let res = sqlx::query(AssertSqlSafe(format!(
        "ALTER ROLE \"{role}\" NOLOGIN PASSWORD NULL"
    )))
    .execute(&db.pool)
    .await;
    if let Err(err) = res {
        tracing::error!("cannot take the login of database role `{role}` away: {err}");
    }
}

fn is_duplicate(err: &sqlx::Error) -> bool {
    // duplicate_object, or unique_violation on pg_authid when two race.
    matches!(
        err.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("42710" | "23505")
    )
}

/// The database's own words for an error, without sqlx's wrapping.
fn db_message(err: &sqlx::Error) -> String {
    err.as_database_error()
        .map_or_else(|| err.to_string(), |e| e.message().to_owned())
}

/// A password for one login: 32 random bytes, hex (safe inside a SQL literal).
fn password() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
