//! Memory: entries with a key, content and tags, searched over content, key and tags.

use gantry_sdk::{prelude::*, ClientAddress};
use serde::Deserialize;
use sqlx::{any::AnyRow, Row};

use super::{
    error::{check_text, OverlordError},
    now, projects,
};
use crate::model::{tags_from_column, tags_to_column, Memory, MemoryInput, MemoryPage};

/// `GET /memory` parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemoryQuery {
    /// Words that must each appear in the key, the content or a tag.
    pub q: String,
    /// Only entries with this tag.
    pub tag: String,
    /// From 0.
    pub page: u32,
    /// 1 to 100; 20 when 0.
    pub per_page: u32,
}

fn memory_of(row: &AnyRow) -> Result<Memory, sqlx::Error> {
    Ok(Memory {
        id: row.try_get("id")?,
        key: row.try_get("key")?,
        content: row.try_get("content")?,
        tags: tags_from_column(&row.try_get::<String, _>("tags")?),
        source_project: row.try_get("source_project")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// `GET /memory?q=…&tag=…&page=…`: newest change first.
pub async fn search(
    State(ctx): State<ModuleContext>,
    _admin: RequireAdmin,
    Query(query): Query<MemoryQuery>,
) -> Result<Json<MemoryPage>, ApiError> {
    let per_page = match query.per_page {
        0 => 20,
        n => n.min(100),
    };
    // Every word must match somewhere: one condition per word, all bound values.
    let words: Vec<String> = query
        .q
        .split_whitespace()
        .take(10)
        .map(|w| format!("%{}%", gantry_sdk::escape_like(w)))
        .collect();
    let mut conditions = Vec::new();
    for i in 0..words.len() {
        let p = i + 1;
        conditions.push(format!(
            "(LOWER(key) LIKE LOWER(${p}) ESCAPE '\\' OR LOWER(content) LIKE LOWER(${p}) ESCAPE '\\' \
             OR tags LIKE LOWER(${p}) ESCAPE '\\')"
        ));
    }
    let tag = query.tag.trim().to_lowercase();
    if !tag.is_empty() {
        conditions.push(format!("tags LIKE ${} ESCAPE '\\'", words.len() + 1));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let count_sql = format!("SELECT COUNT(*) FROM overlord_memory {filter}");
    let list_sql = format!(
        "SELECT id, key, content, tags, source_project, created_at, updated_at FROM overlord_memory {filter} \
         ORDER BY updated_at DESC, id DESC LIMIT {per_page} OFFSET {}",
        u64::from(query.page) * u64::from(per_page)
    );
    let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
    let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
    for word in &words {
        count = count.bind(word.clone());
        list = list.bind(word.clone());
    }
    if !tag.is_empty() {
        let pattern = format!("%,{},%", gantry_sdk::escape_like(&tag));
        count = count.bind(pattern.clone());
        list = list.bind(pattern);
    }
    let total = count
        .fetch_one(&ctx.db)
        .await
        .map_err(OverlordError::from)?;
    let entries = list
        .fetch_all(&ctx.db)
        .await
        .map_err(OverlordError::from)?
        .iter()
        .map(memory_of)
        .collect::<Result<_, _>>()
        .map_err(OverlordError::from)?;
    Ok(Json(MemoryPage {
        entries,
        total: total.max(0) as u64,
        page: query.page,
        per_page,
    }))
}

fn check(input: &MemoryInput) -> Result<(), OverlordError> {
    check_text("key", &input.key, 200)?;
    check_text("content", &input.content, 20_000)
}

async fn one(ctx: &ModuleContext, id: i64) -> Result<Memory, OverlordError> {
    let row = sqlx::query(
        "SELECT id, key, content, tags, source_project, created_at, updated_at FROM overlord_memory WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&ctx.db)
    .await?
    .ok_or(OverlordError::MemoryNotFound(id))?;
    Ok(memory_of(&row)?)
}

fn source(input: &MemoryInput) -> Option<String> {
    input
        .source_project
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `POST /memory`.
pub async fn create(
    State(ctx): State<ModuleContext>,
    RequireAdmin(admin): RequireAdmin,
    ClientAddress(address): ClientAddress,
    Json(input): Json<MemoryInput>,
) -> Result<(axum::http::StatusCode, Json<Memory>), ApiError> {
    check(&input)?;
    let at = now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO overlord_memory (key, content, tags, source_project, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(input.key.trim())
    .bind(&input.content)
    .bind(tags_to_column(&input.tags))
    .bind(source(&input))
    .bind(at)
    .fetch_one(&ctx.db)
    .await
    .map_err(OverlordError::from)?;
    projects::audit(&ctx, "memory.added", input.key.trim(), &admin, address).await?;
    Ok((axum::http::StatusCode::CREATED, Json(one(&ctx, id).await?)))
}

/// `PUT /memory/{id}`.
pub async fn update(
    State(ctx): State<ModuleContext>,
    RequireAdmin(admin): RequireAdmin,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Json(input): Json<MemoryInput>,
) -> Result<Json<Memory>, ApiError> {
    check(&input)?;
    one(&ctx, id).await?;
    sqlx::query(
        "UPDATE overlord_memory SET key = $1, content = $2, tags = $3, source_project = $4, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(input.key.trim())
    .bind(&input.content)
    .bind(tags_to_column(&input.tags))
    .bind(source(&input))
    .bind(now())
    .bind(id)
    .execute(&ctx.db)
    .await
    .map_err(OverlordError::from)?;
    projects::audit(&ctx, "memory.edited", input.key.trim(), &admin, address).await?;
    Ok(Json(one(&ctx, id).await?))
}

/// `DELETE /memory/{id}`.
pub async fn remove(
    State(ctx): State<ModuleContext>,
    RequireAdmin(admin): RequireAdmin,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<axum::http::StatusCode, ApiError> {
    let entry = one(&ctx, id).await?;
    sqlx::query("DELETE FROM overlord_memory WHERE id = $1")
        .bind(id)
        .execute(&ctx.db)
        .await
        .map_err(OverlordError::from)?;
    projects::audit(&ctx, "memory.deleted", &entry.key, &admin, address).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
