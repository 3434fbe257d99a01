//! Values the host keeps for a module: JSON by key, instance-wide or per user, in
//! the host's `module_storage` table (no migration of the module's own). The same
//! values are served to the browser at `/api/modules/<name>/storage/…`.

use std::sync::Arc;

use axum::http::StatusCode;
use serde::Serialize;

use crate::ApiError;

/// The longest key: letters, digits, `.`, `-` and `_`.
pub const MAX_KEY_CHARS: usize = 128;
/// The largest value, as JSON text.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// How many keys a module may keep in one scope (instance-wide, or one user's).
pub const MAX_KEYS: i64 = 1000;

/// Whose value it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageScope<'a> {
    /// One value for the whole instance (written by administrators over HTTP).
    Instance,
    /// One user's own value, by user id.
    User(&'a str),
}

impl StorageScope<'_> {
    fn column(&self) -> &str {
        match self {
            Self::Instance => "",
            Self::User(id) => id,
        }
    }
}

/// A stored value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredValue {
    /// Its key.
    pub key: String,
    /// The JSON value kept.
    pub value: serde_json::Value,
    /// Unix seconds.
    pub updated_at: i64,
}

/// Why a value could not be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The key is empty, too long, or has other characters.
    #[error(
        "module `{module}`: a storage key is 1 to {MAX_KEY_CHARS} letters, digits, `.`, `-` or `_`"
    )]
    InvalidKey { module: String },
    /// The value is over [`MAX_VALUE_BYTES`].
    #[error("module `{module}`: a stored value is at most {MAX_VALUE_BYTES} bytes of JSON")]
    TooLarge { module: String },
    /// The scope holds [`MAX_KEYS`] already.
    #[error("module `{module}`: at most {MAX_KEYS} keys are kept per scope")]
    TooMany { module: String },
    /// The database failed.
    #[error("module `{module}`: storage: {source}")]
    Database {
        module: String,
        #[source]
        source: sqlx::Error,
    },
}

impl From<StorageError> for ApiError {
    fn from(err: StorageError) -> Self {
        let message = err.to_string();
        let module = match &err {
            StorageError::InvalidKey { module }
            | StorageError::TooLarge { module }
            | StorageError::TooMany { module }
            | StorageError::Database { module, .. } => module.clone(),
        };
        match err {
            StorageError::InvalidKey { .. } => ApiError::bad_request(message).with_field("key"),
            StorageError::TooLarge { .. } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
            }
            StorageError::TooMany { .. } => {
                ApiError::new(StatusCode::CONFLICT, "too_many_keys", message)
            }
            StorageError::Database { .. } => ApiError::internal(message),
        }
        .with_module(module)
    }
}

/// A module's stored values, from [`crate::ModuleContext::storage`].
///
/// ```no_run
/// # async fn demo(ctx: gantry_sdk::ModuleContext) -> Result<(), gantry_sdk::StorageError> {
/// use gantry_sdk::StorageScope;
/// let storage = ctx.storage();
/// storage.set(StorageScope::Instance, "greeting", &serde_json::json!("hello")).await?;
/// let theme = storage.get(StorageScope::User("u123"), "theme").await?;
/// # let _ = theme;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ModuleStorage {
    db: sqlx::AnyPool,
    module: Arc<str>,
}

impl ModuleStorage {
    /// The values of `module` in `db`.
    pub fn new(db: sqlx::AnyPool, module: Arc<str>) -> Self {
        Self { db, module }
    }

    /// The value under `key`, if there is one.
    pub async fn get(
        &self,
        scope: StorageScope<'_>,
        key: &str,
    ) -> Result<Option<StoredValue>, StorageError> {
        self.check_key(key)?;
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT value, updated_at FROM module_storage WHERE module = $1 AND scope = $2 AND key = $3",
        )
        .bind(&*self.module)
        .bind(scope.column())
        .bind(key)
        .fetch_optional(&self.db)
        .await
        .map_err(|e| self.database(e))?;
        Ok(row.map(|(value, updated_at)| StoredValue {
            key: key.to_owned(),
            value: serde_json::from_str(&value).unwrap_or(serde_json::Value::Null),
            updated_at,
        }))
    }

    /// Every value of `scope`, by key.
    pub async fn list(&self, scope: StorageScope<'_>) -> Result<Vec<StoredValue>, StorageError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT key, value, updated_at FROM module_storage WHERE module = $1 AND scope = $2 \
             ORDER BY key",
        )
        .bind(&*self.module)
        .bind(scope.column())
        .fetch_all(&self.db)
        .await
        .map_err(|e| self.database(e))?;
        Ok(rows
            .into_iter()
            .map(|(key, value, updated_at)| StoredValue {
                key,
                value: serde_json::from_str(&value).unwrap_or(serde_json::Value::Null),
                updated_at,
            })
            .collect())
    }

    /// Keeps `value` under `key`, replacing what was there.
    pub async fn set(
        &self,
        scope: StorageScope<'_>,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<StoredValue, StorageError> {
        self.check_key(key)?;
        let text = value.to_string();
        if text.len() > MAX_VALUE_BYTES {
            return Err(StorageError::TooLarge {
                module: self.module.to_string(),
            });
        }
        let kept: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM module_storage WHERE module = $1 AND scope = $2 AND key <> $3",
        )
        .bind(&*self.module)
        .bind(scope.column())
        .bind(key)
        .fetch_one(&self.db)
        .await
        .map_err(|e| self.database(e))?;
        if kept >= MAX_KEYS {
            return Err(StorageError::TooMany {
                module: self.module.to_string(),
            });
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        sqlx::query(
            "INSERT INTO module_storage (module, scope, key, value, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (module, scope, key) \
             DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(&*self.module)
        .bind(scope.column())
        .bind(key)
        .bind(&text)
        .bind(now)
        .execute(&self.db)
        .await
        .map_err(|e| self.database(e))?;
        Ok(StoredValue {
            key: key.to_owned(),
            value: value.clone(),
            updated_at: now,
        })
    }

    /// Removes the value under `key`; `false` when there was none.
    pub async fn delete(&self, scope: StorageScope<'_>, key: &str) -> Result<bool, StorageError> {
        self.check_key(key)?;
        let removed =
            sqlx::query("DELETE FROM module_storage WHERE module = $1 AND scope = $2 AND key = $3")
                .bind(&*self.module)
                .bind(scope.column())
                .bind(key)
                .execute(&self.db)
                .await
                .map_err(|e| self.database(e))?
                .rows_affected();
        Ok(removed > 0)
    }

    fn check_key(&self, key: &str) -> Result<(), StorageError> {
        let fine = !key.is_empty()
            && key.chars().count() <= MAX_KEY_CHARS
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if fine {
            Ok(())
        } else {
            Err(StorageError::InvalidKey {
                module: self.module.to_string(),
            })
        }
    }

    fn database(&self, source: sqlx::Error) -> StorageError {
        StorageError::Database {
            module: self.module.to_string(),
            source,
        }
    }
}
