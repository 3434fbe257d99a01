//! Documents (`knowledge_documents`, their bytes in `knowledge_originals`): taken in
//! from an upload (checked by content, deduplicated by content hash within a
//! collection), listed with their ingestion status, downloaded and deleted. What a
//! user may do to a document follows from its collection.

use app::knowledge_api::{Document, DocumentPassage, DocumentStatus, UploadedDocument};
use gantry_sdk::CurrentUser;
use sha2::{Digest, Sha256};
use sqlx::{any::AnyRow, AssertSqlSafe, Row};

use super::{collections, error::KnowledgeError, formats, formats::Format};
use crate::{
    accounts::{now, random_hex},
    db::Db,
};

/// The largest file taken in.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The longest file name kept.
const MAX_FILENAME_CHARS: usize = 200;

const COLUMNS: &str = "d.id, d.collection_id, d.filename, d.format, d.size_bytes, d.content_hash, \
     d.status, d.stage, d.error, d.page_count, d.chunk_count, d.created_at, d.updated_at";

/// Where `user` may read: their own collections and the shared ones.
const READABLE: &str = "JOIN knowledge_collections c ON c.id = d.collection_id \
     WHERE (c.owner_id = $1 OR c.owner_id IS NULL)";

fn status(name: &str) -> DocumentStatus {
    match name {
        "ready" => DocumentStatus::Ready,
        "failed" => DocumentStatus::Failed,
        _ => DocumentStatus::Processing,
    }
}

fn document(row: &AnyRow) -> Result<Document, sqlx::Error> {
    Ok(Document {
        id: row.try_get("id")?,
        collection_id: row.try_get("collection_id")?,
        filename: row.try_get("filename")?,
        format: row.try_get("format")?,
        size_bytes: row.try_get("size_bytes")?,
        content_hash: row.try_get("content_hash")?,
        status: status(&row.try_get::<String, _>("status")?),
        stage: row.try_get("stage")?,
        error: row.try_get("error")?,
        page_count: row.try_get("page_count")?,
        chunk_count: row.try_get("chunk_count")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The documents of collection `collection_id`, newest first.
pub async fn list(
    db: &Db,
    user: &CurrentUser,
    collection_id: &str,
) -> Result<Vec<Document>, KnowledgeError> {
    collections::get_readable(db, user, collection_id).await?;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM knowledge_documents d WHERE d.collection_id = $1 \
         ORDER BY d.created_at DESC, d.filename"
    )))
    .bind(collection_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(document).collect::<Result<_, _>>()?)
}

/// Document `id`, if `user` may read it.
pub async fn get(db: &Db, user: &CurrentUser, id: &str) -> Result<Document, KnowledgeError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM knowledge_documents d {READABLE} AND d.id = $2"
    )))
    .bind(&user.id)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    match row {
        Some(row) => Ok(document(&row)?),
        None => Err(KnowledgeError::DocumentNotFound(id.to_owned())),
    }
}

/// The last part of an uploaded file's name, without control characters.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILENAME_CHARS)
        .collect();
    match clean.trim() {
        "" => "untitled".into(),
        name => name.to_owned(),
    }
}

/// Takes `bytes` into collection `collection_id` (which `user` may manage) as a
/// document waiting to be ingested; the same content there already is that document.
pub async fn add(
    db: &Db,
    user: &CurrentUser,
    collection_id: &str,
    filename: &str,
    bytes: &[u8],
) -> Result<UploadedDocument, KnowledgeError> {
    let rejected = |reason: String| KnowledgeError::Rejected {
        filename: filename.to_owned(),
        reason,
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(rejected(too_large(bytes.len())));
    }
    let format = formats::detect(filename, bytes).map_err(rejected)?;
    let hash = hex::encode(Sha256::digest(bytes));
    if let Some(existing) = same_content(db, collection_id, &hash).await? {
        return Ok(UploadedDocument {
            document: get(db, user, &existing).await?,
            duplicate: true,
        });
    }
    let id = random_hex(12);
    let at = now();
    let mut tx = db.pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO knowledge_documents (id, collection_id, filename, format, size_bytes, content_hash, \
         status, stage, uploaded_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'processing', 'waiting', $7, $8, $8)",
    )
    .bind(&id)
    .bind(collection_id)
    .bind(filename)
    .bind(format.name())
    .bind(bytes.len() as i64)
    .bind(&hash)
    .bind(&user.id)
    .bind(at)
    .execute(&mut *tx)
    .await;
    if let Err(err) = inserted {
        // The same content, uploaded at the same moment by another request.
        drop(tx);
        return match same_content(db, collection_id, &hash).await? {
            Some(existing) => Ok(UploadedDocument {
                document: get(db, user, &existing).await?,
                duplicate: true,
            }),
            None => Err(err.into()),
        };
    }
    sqlx::query("INSERT INTO knowledge_originals (document_id, content) VALUES ($1, $2)")
        .bind(&id)
        .bind(bytes)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(UploadedDocument {
        document: get(db, user, &id).await?,
        duplicate: false,
    })
}

/// Why a file of `len` bytes is refused.
pub fn too_large(len: usize) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    format!(
        "file too large ({:.1} MB; the limit is {} MB)",
        len as f64 / MIB,
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

async fn same_content(
    db: &Db,
    collection_id: &str,
    hash: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM knowledge_documents WHERE collection_id = $1 AND content_hash = $2",
    )
    .bind(collection_id)
    .bind(hash)
    .fetch_optional(&db.pool)
    .await
}

/// Deletes document `id` with its original and chunks.
pub async fn delete(db: &Db, user: &CurrentUser, id: &str) -> Result<(), KnowledgeError> {
    let found = get(db, user, id).await?;
    collections::get_manageable(db, user, &found.collection_id).await?;
    sqlx::query("DELETE FROM knowledge_documents WHERE id = $1")
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Document `id`'s chunks, in order.
pub async fn passages(
    db: &Db,
    user: &CurrentUser,
    id: &str,
) -> Result<(Document, Vec<DocumentPassage>), KnowledgeError> {
    let found = get(db, user, id).await?;
    let rows = sqlx::query(
        "SELECT position, heading, page, content FROM knowledge_chunks \
         WHERE document_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let passages = rows
        .iter()
        .map(|row| {
            Ok(DocumentPassage {
                position: row.try_get("position")?,
                heading: row.try_get("heading")?,
                page: row.try_get("page")?,
                text: row.try_get("content")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok((found, passages))
}

/// Document `id`'s file name, format and uploaded bytes.
pub async fn original(
    db: &Db,
    user: &CurrentUser,
    id: &str,
) -> Result<(String, Format, Vec<u8>), KnowledgeError> {
    let found = get(db, user, id).await?;
    let bytes: Vec<u8> =
        sqlx::query_scalar("SELECT content FROM knowledge_originals WHERE document_id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?
            .ok_or_else(|| KnowledgeError::DocumentNotFound(id.to_owned()))?;
    let format = Format::from_name(&found.format).unwrap_or(Format::Text);
    Ok((found.filename, format, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_part_of_a_name_is_kept() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\docs\\a.pdf"), "a.pdf");
        assert_eq!(clean_filename("a\u{0}b\n.txt"), "ab.txt");
        assert_eq!(clean_filename("dir/"), "untitled");
    }
}
