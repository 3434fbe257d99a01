//! The boundary of a module's migrations on SQLite, enforced by SQLite itself: the
//! migrations run on a connection of their own with an authorizer
//! (`sqlite3_set_authorizer`) that SQLite asks before it compiles any statement,
//! for every table, index, trigger, column and pragma the statement touches.
//!
//! Allowed: creating, altering, dropping, reading and writing tables and indexes
//! named `<prefix>…`, the module's own tracking table, transactions and ordinary
//! functions. Denied: anything that names another table (the host's or another
//! module's), triggers and views (their bodies would run later, outside this
//! check), temporary objects, `ATTACH`/`DETACH`, `PRAGMA`, and virtual tables not
//! named `<prefix>…`. The first denial is kept, so the module's error can say what
//! was refused.

// The authorizer is a C callback on the raw connection handle; sqlx has no safe
// wrapper for it.
#![allow(unsafe_code)]

use std::{
    ffi::{c_char, c_int, c_void, CStr},
    str::FromStr,
    sync::Mutex,
};

use libsqlite3_sys as ffi;
use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, SqliteConnection};

/// What the authorizer allows, and the first thing it refused.
struct Policy {
    prefix: String,
    tracking_table: String,
    refused: Mutex<Option<String>>,
}

impl Policy {
    fn owns(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        lower.starts_with(&self.prefix) || lower == self.tracking_table
    }

    /// SQLite's own bookkeeping, written as a side effect of the module's DDL.
    fn is_schema_table(name: &str) -> bool {
        matches!(
            name.to_ascii_lowercase().as_str(),
            "sqlite_master" | "sqlite_schema" | "sqlite_temp_master" | "sqlite_sequence"
        )
    }

    fn decide(&self, action: c_int, a: Option<&str>, b: Option<&str>) -> Result<(), String> {
        let table = |name: Option<&str>| -> Result<(), String> {
            match name {
                Some(name) if self.owns(name) || Self::is_schema_table(name) => Ok(()),
                Some(name) => Err(format!(
                    "it touches `{name}`, which is not named `{}…`",
                    self.prefix
                )),
                None => Ok(()),
            }
        };
        let own = |name: Option<&str>| -> Result<(), String> {
            match name {
                Some(name) if self.owns(name) => Ok(()),
                Some(name) => Err(format!(
                    "it names `{name}`, which is not named `{}…`",
                    self.prefix
                )),
                None => Ok(()),
            }
        };
        match action {
            ffi::SQLITE_SELECT
            | ffi::SQLITE_TRANSACTION
            | ffi::SQLITE_SAVEPOINT
            | ffi::SQLITE_FUNCTION
            | ffi::SQLITE_RECURSIVE => Ok(()),
            ffi::SQLITE_READ | ffi::SQLITE_INSERT | ffi::SQLITE_UPDATE | ffi::SQLITE_DELETE => {
                table(a)
            }
            ffi::SQLITE_CREATE_TABLE | ffi::SQLITE_DROP_TABLE => own(a),
            // SQLite names the indexes of UNIQUE and PRIMARY KEY constraints itself.
            ffi::SQLITE_CREATE_INDEX | ffi::SQLITE_DROP_INDEX
                if a.is_some_and(|i| i.starts_with("sqlite_autoindex_")) =>
            {
                own(b)
            }
            ffi::SQLITE_CREATE_INDEX | ffi::SQLITE_DROP_INDEX => own(a).and(own(b)),
            ffi::SQLITE_ALTER_TABLE => own(b),
            ffi::SQLITE_REINDEX => own(a),
            ffi::SQLITE_ANALYZE => own(a),
            ffi::SQLITE_CREATE_VTABLE | ffi::SQLITE_DROP_VTABLE => own(a),
            ffi::SQLITE_CREATE_TRIGGER | ffi::SQLITE_DROP_TRIGGER => Err(
                "triggers are not allowed in module migrations (their statements would run later, unchecked)".into(),
            ),
            ffi::SQLITE_CREATE_VIEW | ffi::SQLITE_DROP_VIEW => Err(
                "views are not allowed in module migrations (they would read tables later, unchecked)".into(),
            ),
            ffi::SQLITE_PRAGMA => Err(format!("`PRAGMA {}` is not allowed in module migrations", a.unwrap_or(""))),
            ffi::SQLITE_ATTACH | ffi::SQLITE_DETACH => {
                Err("`ATTACH` and `DETACH` are not allowed in module migrations".into())
            }
            _ => Err(format!("SQLite action {action} is not allowed in module migrations")),
        }
    }
}

/// The C callback SQLite asks; `user` is the `Policy`.
unsafe extern "C" fn authorize(
    user: *mut c_void,
    action: c_int,
    a: *const c_char,
    b: *const c_char,
    _database: *const c_char,
    _trigger_or_view: *const c_char,
) -> c_int {
    // SAFETY: `user` is the `Policy` that `GuardedConnection` keeps alive for as long
    // as this authorizer is installed; SQLite passes NUL-terminated strings or null.
    let policy = unsafe { &*(user as *const Policy) };
    let text = |p: *const c_char| {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    };
    let (a, b) = (text(a), text(b));
    match policy.decide(action, a.as_deref(), b.as_deref()) {
        Ok(()) => ffi::SQLITE_OK,
        Err(why) => {
            let mut refused = policy.refused.lock().unwrap_or_else(|e| e.into_inner());
            refused.get_or_insert(why);
            ffi::SQLITE_DENY
        }
    }
}

/// A connection of its own for one module's migrations, with the authorizer on.
/// Close it with [`GuardedConnection::close`]; dropped otherwise, the connection
/// (declared first) goes before the policy it points to, and runs no statement.
pub struct GuardedConnection {
    pub conn: SqliteConnection,
    policy: Box<Policy>,
}

impl GuardedConnection {
    /// Opens the database at `url` for the module whose tables are `prefix…`.
    pub async fn open(url: &str, prefix: &str, tracking_table: &str) -> Result<Self, sqlx::Error> {
        let mut conn = SqliteConnectOptions::from_str(url)?.connect().await?;
        let policy = Box::new(Policy {
            prefix: prefix.to_ascii_lowercase(),
            tracking_table: tracking_table.to_ascii_lowercase(),
            refused: Mutex::new(None),
        });
        let mut handle = conn.lock_handle().await?;
        // SAFETY: the handle is this connection's, locked for the call; the policy
        // is boxed (its address is stable) and lives in `Self` next to the
        // connection, and `Drop` removes the authorizer before the box goes.
        unsafe {
            ffi::sqlite3_set_authorizer(
                handle.as_raw_handle().as_ptr(),
                Some(authorize),
                &*policy as *const Policy as *mut c_void,
            );
        }
        drop(handle);
        Ok(Self { conn, policy })
    }

    /// What the authorizer refused first, if anything.
    pub fn refused(&self) -> Option<String> {
        self.policy
            .refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Removes the authorizer and closes the connection.
    pub async fn close(self) {
        let Self { mut conn, policy } = self;
        if let Ok(mut handle) = conn.lock_handle().await {
            // SAFETY: as in `open`; once removed, nothing calls back into `policy`.
            unsafe {
                ffi::sqlite3_set_authorizer(
                    handle.as_raw_handle().as_ptr(),
                    None,
                    std::ptr::null_mut(),
                );
            }
        }
        let _ = sqlx::Connection::close(conn).await;
        drop(policy);
    }
}
