//! Personas (`chat_personas`): a user's own (`owner_id` = the user) and the shared
//! ones administrators manage (`owner_id` NULL).

use app::chat_api::{Persona, PersonaInput};
use sqlx::{any::AnyRow, AssertSqlSafe, Row};

use super::error::ChatError;
use crate::{
    accounts::{now, random_hex},
    db::Db,
};

/// Whose personas an operation is on.
#[derive(Clone, Copy, Debug)]
pub enum Owner<'a> {
    /// A user's own.
    User(&'a str),
    /// The shared ones (administrators only; the caller checks).
    Shared,
}

const COLUMNS: &str = "id, owner_id, name, description, system_prompt, temperature, model";
const MAX_PROMPT_BYTES: usize = 32 * 1024;

fn persona(row: &AnyRow) -> Result<Persona, sqlx::Error> {
    Ok(Persona {
        id: row.try_get("id")?,
        shared: row.try_get::<Option<String>, _>("owner_id")?.is_none(),
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        system_prompt: row.try_get("system_prompt")?,
        temperature: row.try_get("temperature")?,
        model: row.try_get("model")?,
    })
}

/// The personas `user_id` may pick: their own and the shared ones, by name.
pub async fn list_usable(db: &Db, user_id: &str) -> Result<Vec<Persona>, ChatError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM chat_personas WHERE owner_id = $1 OR owner_id IS NULL ORDER BY name, id"
    )))
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(persona).collect::<Result<_, _>>()?)
}

/// The shared personas.
pub async fn list_shared(db: &Db) -> Result<Vec<Persona>, ChatError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM chat_personas WHERE owner_id IS NULL ORDER BY name, id"
    )))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(persona).collect::<Result<_, _>>()?)
}

/// Persona `id` if `user_id` may use it (theirs or shared); another user's is
/// not found.
pub async fn get_usable(db: &Db, user_id: &str, id: &str) -> Result<Persona, ChatError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM chat_personas WHERE id = $1 AND (owner_id = $2 OR owner_id IS NULL)"
    )))
    .bind(id)
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some(row) => Ok(persona(&row)?),
        None => Err(ChatError::PersonaNotFound(id.to_owned())),
    }
}

fn check(input: &PersonaInput) -> Result<(), ChatError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ChatError::invalid("name", "must be 1 to 100 characters"));
    }
    if input.description.chars().count() > 500 {
        return Err(ChatError::invalid(
            "description",
            "must be at most 500 characters",
        ));
    }
    if input.system_prompt.len() > MAX_PROMPT_BYTES {
        return Err(ChatError::invalid(
            "system_prompt",
            format!("must be at most {MAX_PROMPT_BYTES} bytes"),
        ));
    }
    if let Some(t) = input.temperature {
        if !(0.0..=2.0).contains(&t) {
            return Err(ChatError::invalid("temperature", "must be between 0 and 2"));
        }
    }
    Ok(())
}

fn owner_id(owner: Owner<'_>) -> Option<&str> {
    match owner {
        Owner::User(id) => Some(id),
        Owner::Shared => None,
    }
}

/// Adds a persona for `owner`.
pub async fn create(db: &Db, owner: Owner<'_>, input: &PersonaInput) -> Result<Persona, ChatError> {
    check(input)?;
    let id = random_hex(8);
    let at = now();
    sqlx::query(
        "INSERT INTO chat_personas (id, owner_id, name, description, system_prompt, temperature, model, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(owner_id(owner))
    .bind(input.name.trim())
    .bind(&input.description)
    .bind(&input.system_prompt)
    .bind(input.temperature)
    .bind(input.model.as_deref().filter(|m| !m.is_empty()))
    .bind(at)
    .execute(&db.pool)
    .await?;
    get_owned(db, owner, &id).await
}

async fn get_owned(db: &Db, owner: Owner<'_>, id: &str) -> Result<Persona, ChatError> {
    let row = match owner {
        Owner::User(user_id) => {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM chat_personas WHERE id = $1 AND owner_id = $2"
            )))
            .bind(id)
            .bind(user_id)
            .fetch_optional(&db.pool)
            .await?
        }
        Owner::Shared => {
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM chat_personas WHERE id = $1 AND owner_id IS NULL"
            )))
            .bind(id)
            .fetch_optional(&db.pool)
            .await?
        }
    };
    match row {
        Some(row) => Ok(persona(&row)?),
        None => Err(ChatError::PersonaNotFound(id.to_owned())),
    }
}

/// Replaces `owner`'s persona `id`.
pub async fn update(
    db: &Db,
    owner: Owner<'_>,
    id: &str,
    input: &PersonaInput,
) -> Result<Persona, ChatError> {
    check(input)?;
    get_owned(db, owner, id).await?;
    sqlx::query(
        "UPDATE chat_personas SET name = $1, description = $2, system_prompt = $3, temperature = $4, \
         model = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(input.name.trim())
    .bind(&input.description)
    .bind(&input.system_prompt)
    .bind(input.temperature)
    .bind(input.model.as_deref().filter(|m| !m.is_empty()))
    .bind(now())
    .bind(id)
    .execute(&db.pool)
    .await?;
    get_owned(db, owner, id).await
}

/// Deletes `owner`'s persona `id`; its conversations go back to the default.
pub async fn delete(db: &Db, owner: Owner<'_>, id: &str) -> Result<(), ChatError> {
    get_owned(db, owner, id).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE chat_conversations SET persona_id = NULL WHERE persona_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM chat_personas WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
