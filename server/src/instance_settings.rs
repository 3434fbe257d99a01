//! Values the instance keeps under a key (`instance_settings`): Chat's default
//! model, the Knowledge Vault's embedding model.

use crate::db::Db;

/// The value under `key`, if any.
pub async fn get(db: &Db, key: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM instance_settings WHERE key = $1")
        .bind(key)
        .fetch_optional(&db.pool)
        .await
}

/// Keeps `value` under `key`, or forgets the key for `None`.
pub async fn set(db: &Db, key: &str, value: Option<&str>) -> Result<(), sqlx::Error> {
    match value {
        Some(value) => {
            sqlx::query(
                "INSERT INTO instance_settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&db.pool)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM instance_settings WHERE key = $1")
                .bind(key)
                .execute(&db.pool)
                .await?;
        }
    }
    Ok(())
}
