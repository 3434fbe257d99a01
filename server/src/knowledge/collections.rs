//! Collections (`knowledge_collections`): a user's own, and shared ones (`owner_id`
//! NULL) that everyone reads and administrators manage. Another user's collection is
//! "not found" for every operation.

use app::knowledge_api::{Collection, CollectionInput};
use gantry_sdk::CurrentUser;
use sqlx::{any::AnyRow, AssertSqlSafe, Row};

use super::error::KnowledgeError;
use crate::{
    accounts::{now, random_hex},
    db::Db,
};

const MAX_NAME_CHARS: usize = 100;
const MAX_DESCRIPTION_CHARS: usize = 1000;

const SELECT: &str = "SELECT c.id, c.owner_id, c.name, c.description, c.created_at, c.updated_at, \
     (SELECT COUNT(*) FROM knowledge_documents d WHERE d.collection_id = c.id) AS document_count \
     FROM knowledge_collections c";

fn collection(row: &AnyRow, user: &CurrentUser) -> Result<Collection, sqlx::Error> {
    let owner: Option<String> = row.try_get("owner_id")?;
    Ok(Collection {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        shared: owner.is_none(),
        can_manage: match &owner {
            Some(owner) => *owner == user.id,
            None => user.is_admin,
        },
        document_count: row.try_get("document_count")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The collections `user` may read: their own, then the shared ones, by name.
pub async fn list_readable(db: &Db, user: &CurrentUser) -> Result<Vec<Collection>, KnowledgeError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE c.owner_id = $1 OR c.owner_id IS NULL \
         ORDER BY CASE WHEN c.owner_id IS NULL THEN 1 ELSE 0 END, LOWER(c.name), c.id"
    )))
    .bind(&user.id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| collection(row, user))
        .collect::<Result<_, _>>()?)
}

/// Collection `id`, if `user` may read it.
pub async fn get_readable(
    db: &Db,
    user: &CurrentUser,
    id: &str,
) -> Result<Collection, KnowledgeError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE c.id = $1 AND (c.owner_id = $2 OR c.owner_id IS NULL)"
    )))
    .bind(id)
    .bind(&user.id)
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some(row) => Ok(collection(&row, user)?),
        None => Err(KnowledgeError::CollectionNotFound(id.to_owned())),
    }
}

/// Collection `id`, if `user` may change it and its documents.
pub async fn get_manageable(
    db: &Db,
    user: &CurrentUser,
    id: &str,
) -> Result<Collection, KnowledgeError> {
    let found = get_readable(db, user, id).await?;
    if !found.can_manage {
        return Err(KnowledgeError::SharedCollection(found.name));
    }
    Ok(found)
}

/// The name and description of `input`, trimmed and checked.
fn checked(input: &CollectionInput) -> Result<(&str, &str), KnowledgeError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(KnowledgeError::invalid(
            "name",
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    let description = input.description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(KnowledgeError::invalid(
            "description",
            format!("may be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok((name, description))
}

/// A new collection of `user`'s, or a shared one (administrators only).
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    input: &CollectionInput,
) -> Result<Collection, KnowledgeError> {
    let (name, description) = checked(input)?;
    if input.shared && !user.is_admin {
        return Err(KnowledgeError::SharingNeedsAdmin);
    }
    let id = random_hex(12);
    let at = now();
    sqlx::query(
        "INSERT INTO knowledge_collections (id, owner_id, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(&id)
    .bind((!input.shared).then_some(user.id.as_str()))
    .bind(name)
    .bind(description)
    .bind(at)
    .execute(&db.pool)
    .await?;
    get_readable(db, user, &id).await
}

/// Renames collection `id` or changes its description (sharing stays as created).
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    id: &str,
    input: &CollectionInput,
) -> Result<Collection, KnowledgeError> {
    get_manageable(db, user, id).await?;
    let (name, description) = checked(input)?;
    sqlx::query(
        "UPDATE knowledge_collections SET name = $1, description = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(name)
    .bind(description)
    .bind(now())
    .bind(id)
    .execute(&db.pool)
    .await?;
    get_readable(db, user, id).await
}

/// Deletes collection `id` with its documents, their originals and chunks.
pub async fn delete(db: &Db, user: &CurrentUser, id: &str) -> Result<(), KnowledgeError> {
    get_manageable(db, user, id).await?;
    sqlx::query("DELETE FROM knowledge_collections WHERE id = $1")
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}
