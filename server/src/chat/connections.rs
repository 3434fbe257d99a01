//! Model server connections (`llm_connections`), their write-only API keys (in
//! [`Secrets`]), the models administrators turned off, and the default model.

use app::chat_api::{Connection, ConnectionInput};
use sqlx::{any::AnyRow, AssertSqlSafe, Row};

use super::{error::ChatError, model_client::ModelServer};
use crate::{
    accounts::{now, random_hex, Acting},
    audit,
    db::Db,
    secrets::Secrets,
};

/// The `instance_settings` key of the default model.
const DEFAULT_MODEL_KEY: &str = "chat.default_model";

/// The name of the connection `--llm-url` sets up.
pub const DEFAULT_CONNECTION: &str = "default";

fn api_key_name(connection_id: &str) -> String {
    format!("llm_connection.{connection_id}.api_key")
}

const COLUMNS: &str = "id, name, base_url, context_tokens, timeout_secs";

fn connection(row: &AnyRow, api_key_set: bool) -> Result<Connection, sqlx::Error> {
    Ok(Connection {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        base_url: row.try_get("base_url")?,
        api_key_set,
        context_tokens: row.try_get("context_tokens")?,
        timeout_secs: row.try_get("timeout_secs")?,
    })
}

/// Every connection, by name.
pub async fn list(db: &Db) -> Result<Vec<Connection>, ChatError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM llm_connections ORDER BY name"
    )))
    .fetch_all(&db.pool)
    .await?;
    let mut res = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get("id")?;
        res.push(connection(
            row,
            Secrets::is_set(db, &api_key_name(&id)).await?,
        )?);
    }
    Ok(res)
}

async fn find(db: &Db, column: &str, value: &str) -> Result<Option<Connection>, ChatError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM llm_connections WHERE {column} = $1"
    )))
    .bind(value)
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some(row) => {
            let id: String = row.try_get("id")?;
            Ok(Some(connection(
                &row,
                Secrets::is_set(db, &api_key_name(&id)).await?,
            )?))
        }
        None => Ok(None),
    }
}

/// The connection named `name`, with its API key, ready to call.
pub async fn server_named(
    db: &Db,
    secrets: &Secrets,
    name: &str,
) -> Result<Option<ModelServer>, ChatError> {
    match find(db, "name", name).await? {
        Some(conn) => Ok(Some(server(db, secrets, conn).await?)),
        None => Ok(None),
    }
}

/// `conn` with its API key.
pub async fn server(
    db: &Db,
    secrets: &Secrets,
    conn: Connection,
) -> Result<ModelServer, ChatError> {
    let api_key = secrets.get(db, &api_key_name(&conn.id)).await?;
    Ok(ModelServer {
        id: conn.id,
        name: conn.name,
        base_url: conn.base_url,
        api_key,
        context_tokens: conn.context_tokens,
        timeout_secs: conn.timeout_secs,
    })
}

fn check_name(name: &str) -> Result<(), ChatError> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ChatError::invalid(
            "name",
            "must be 1 to 40 lowercase letters, digits, `-` or `_`",
        ))
    }
}

fn check_base_url(url: &str) -> Result<(), ChatError> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => Ok(()),
        _ => Err(ChatError::invalid(
            "base_url",
            format!(
                "`{url}` is not an http:// or https:// URL (such as http://127.0.0.1:11434/v1)"
            ),
        )),
    }
}

fn check_numbers(input: &ConnectionInput) -> Result<(), ChatError> {
    if let Some(n) = input.context_tokens {
        if !(256..=10_000_000).contains(&n) {
            return Err(ChatError::invalid(
                "context_tokens",
                "must be between 256 and 10000000",
            ));
        }
    }
    if let Some(n) = input.timeout_secs {
        if !(1..=3600).contains(&n) {
            return Err(ChatError::invalid(
                "timeout_secs",
                "must be between 1 and 3600",
            ));
        }
    }
    Ok(())
}

/// Adds a connection.
pub async fn create(
    db: &Db,
    secrets: &Secrets,
    input: &ConnectionInput,
    acting: &Acting,
) -> Result<Connection, ChatError> {
    let name = input.name.clone().unwrap_or_default();
    let base_url = input.base_url.clone().unwrap_or_default();
    check_name(&name)?;
    check_base_url(&base_url)?;
    check_numbers(input)?;
    if find(db, "name", &name).await?.is_some() {
        return Err(ChatError::ConnectionNameTaken(name));
    }
    let id = random_hex(8);
    let at = now();
    sqlx::query(
        "INSERT INTO llm_connections (id, name, base_url, context_tokens, timeout_secs, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(&name)
    .bind(base_url.trim_end_matches('/'))
    .bind(input.context_tokens.unwrap_or(8192))
    .bind(input.timeout_secs.unwrap_or(120))
    .bind(at)
    .execute(&db.pool)
    .await?;
    if let Some(key) = input.api_key.as_deref().filter(|k| !k.is_empty()) {
        secrets.put(db, &api_key_name(&id), key).await?;
    }
    audit::note(
        db,
        acting
            .event("llm.connection_created", &name)
            .detail(format!("base URL {base_url}")),
    )
    .await;
    find(db, "id", &id)
        .await?
        .ok_or(ChatError::ConnectionNotFound(id))
}

/// Changes a connection's fields that `input` names.
pub async fn update(
    db: &Db,
    secrets: &Secrets,
    id: &str,
    input: &ConnectionInput,
    acting: &Acting,
) -> Result<Connection, ChatError> {
    let current = find(db, "id", id)
        .await?
        .ok_or_else(|| ChatError::ConnectionNotFound(id.to_owned()))?;
    if let Some(name) = &input.name {
        check_name(name)?;
        if *name != current.name && find(db, "name", name).await?.is_some() {
            return Err(ChatError::ConnectionNameTaken(name.clone()));
        }
    }
    if let Some(url) = &input.base_url {
        check_base_url(url)?;
    }
    check_numbers(input)?;
    sqlx::query(
        "UPDATE llm_connections SET name = $1, base_url = $2, context_tokens = $3, timeout_secs = $4, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(input.name.as_ref().unwrap_or(&current.name))
    .bind(
        input
            .base_url
            .as_deref()
            .unwrap_or(&current.base_url)
            .trim_end_matches('/'),
    )
    .bind(input.context_tokens.unwrap_or(current.context_tokens))
    .bind(input.timeout_secs.unwrap_or(current.timeout_secs))
    .bind(now())
    .bind(id)
    .execute(&db.pool)
    .await?;
    let mut changed: Vec<&str> = [
        input.name.as_ref().map(|_| "name"),
        input.base_url.as_ref().map(|_| "base URL"),
        input.context_tokens.map(|_| "context"),
        input.timeout_secs.map(|_| "timeout"),
    ]
    .into_iter()
    .flatten()
    .collect();
    match input.api_key.as_deref() {
        Some("") => {
            Secrets::delete(db, &api_key_name(id)).await?;
            changed.push("API key removed");
        }
        Some(key) => {
            secrets.put(db, &api_key_name(id), key).await?;
            changed.push("API key replaced");
        }
        None => {}
    }
    audit::note(
        db,
        acting
            .event("llm.connection_updated", &current.name)
            .detail(changed.join(", ")),
    )
    .await;
    find(db, "id", id)
        .await?
        .ok_or_else(|| ChatError::ConnectionNotFound(id.to_owned()))
}

/// Removes a connection and its API key.
pub async fn delete(db: &Db, id: &str, acting: &Acting) -> Result<(), ChatError> {
    let current = find(db, "id", id)
        .await?
        .ok_or_else(|| ChatError::ConnectionNotFound(id.to_owned()))?;
    sqlx::query("DELETE FROM llm_connections WHERE id = $1")
        .bind(id)
        .execute(&db.pool)
        .await?;
    Secrets::delete(db, &api_key_name(id)).await?;
    audit::note(db, acting.event("llm.connection_deleted", &current.name)).await;
    Ok(())
}

/// Creates or updates the connection named [`DEFAULT_CONNECTION`] from the command
/// line (`--llm-url`, `--llm-api-key`).
pub async fn ensure_default(
    db: &Db,
    secrets: &Secrets,
    url: &str,
    api_key: Option<&str>,
) -> Result<(), ChatError> {
    let acting = Acting {
        user: None,
        address: None,
    };
    let input = ConnectionInput {
        name: Some(DEFAULT_CONNECTION.into()),
        base_url: Some(url.into()),
        api_key: api_key.map(str::to_owned),
        ..ConnectionInput::default()
    };
    match find(db, "name", DEFAULT_CONNECTION).await? {
        Some(current) => {
            let same_url = current.base_url == url.trim_end_matches('/');
            let same_key = match api_key {
                None => true,
                Some(key) => secrets
                    .get(db, &api_key_name(&current.id))
                    .await?
                    .is_some_and(|stored| stored == key),
            };
            if !(same_url && same_key) {
                update(db, secrets, &current.id, &input, &acting).await?;
            }
        }
        None => {
            create(db, secrets, &input, &acting).await?;
        }
    }
    Ok(())
}

/// The models administrators turned off.
pub async fn disabled_models(db: &Db) -> Result<Vec<String>, ChatError> {
    Ok(sqlx::query_scalar("SELECT model FROM llm_disabled_models")
        .fetch_all(&db.pool)
        .await?)
}

/// Turns `model` on or off for users.
pub async fn set_enabled(db: &Db, model: &str, enabled: bool) -> Result<(), ChatError> {
    let sql = if enabled {
        "DELETE FROM llm_disabled_models WHERE model = $1"
    } else {
        "INSERT INTO llm_disabled_models (model) VALUES ($1) ON CONFLICT (model) DO NOTHING"
    };
    sqlx::query(sql).bind(model).execute(&db.pool).await?;
    Ok(())
}

/// The default model, if one is set.
pub async fn default_model(db: &Db) -> Result<Option<String>, ChatError> {
    Ok(crate::instance_settings::get(db, DEFAULT_MODEL_KEY).await?)
}

/// Makes `model` the default (or none).
pub async fn set_default_model(db: &Db, model: Option<&str>) -> Result<(), ChatError> {
    Ok(crate::instance_settings::set(db, DEFAULT_MODEL_KEY, model).await?)
}

/// Records a change of a model's settings in the audit trail.
pub async fn audit_model_change(db: &Db, acting: &Acting, model: &str, detail: String) {
    audit::note(db, acting.event("llm.model_updated", model).detail(detail)).await;
}
