//! Vectors of chunks and questions from the embedding model an administrator
//! chose (one of a connection's models, called at `/v1/embeddings`). A chunk's vector
//! is stored with it, as little-endian `f32` bytes, next to the id of the model
//! that made it; a search only compares vectors of the current model, and chunks
//! of another (or none) are embedded again in the background.

use crate::{
    chat::{error::ModelServerError, model_client::ModelServer, ChatState},
    db::Db,
};

/// The `instance_settings` key of the chosen model (`<connection>/<model>`).
pub const EMBEDDING_MODEL_KEY: &str = "knowledge.embedding_model";
/// Chunks sent in one request.
pub const BATCH: usize = 32;

/// The chosen embedding model's id, if any.
pub async fn chosen_model(db: &Db) -> Result<Option<String>, sqlx::Error> {
    crate::instance_settings::get(db, EMBEDDING_MODEL_KEY).await
}

/// Chooses `model` (or none).
pub async fn choose_model(db: &Db, model: Option<&str>) -> Result<(), sqlx::Error> {
    crate::instance_settings::set(db, EMBEDDING_MODEL_KEY, model).await
}

/// How vectors are compared on a `kind` database: with the `sqlite-vec` extension, or
/// exactly, every stored vector in turn (PostgreSQL, where pgvector is not used).
pub fn vector_search(kind: crate::db::DbKind) -> &'static str {
    match kind {
        crate::db::DbKind::Sqlite => "sqlite-vec",
        crate::db::DbKind::Postgres => "exact",
    }
}

/// The chosen model, how vectors are compared and how many chunks have one.
pub async fn settings(db: &Db) -> Result<app::knowledge_api::KnowledgeSettings, sqlx::Error> {
    let model = chosen_model(db).await?;
    let chunks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM knowledge_chunks")
        .fetch_one(&db.pool)
        .await?;
    let embedded_chunks: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM knowledge_chunks WHERE embedding_model = $1")
            .bind(model.as_deref().unwrap_or(""))
            .fetch_one(&db.pool)
            .await?;
    Ok(app::knowledge_api::KnowledgeSettings {
        embedding_model: model,
        vector_search: vector_search(db.kind).into(),
        chunks,
        embedded_chunks,
    })
}

/// The chosen model, ready to be called.
pub struct Embedder {
    chat: ChatState,
    server: ModelServer,
    name: String,
    /// `<connection>/<model>`, stored with each vector.
    pub id: String,
}

/// Why no vectors could be made.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("the embedding model `{0}` is not offered any more: an administrator picks another in Admin → Knowledge")]
    ModelGone(String),
    #[error("embedding server unreachable: {0}")]
    Unreachable(ModelServerError),
    #[error("embedding failed: {0}")]
    Failed(ModelServerError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<ModelServerError> for EmbedError {
    fn from(err: ModelServerError) -> Self {
        match err {
            ModelServerError::Unreachable { .. } | ModelServerError::Timeout { .. } => {
                EmbedError::Unreachable(err)
            }
            other => EmbedError::Failed(other),
        }
    }
}

impl Embedder {
    /// The chosen model, or `None` when none is chosen.
    pub async fn current(db: &Db, chat: &ChatState) -> Result<Option<Self>, EmbedError> {
        let Some(id) = chosen_model(db).await? else {
            return Ok(None);
        };
        let (server, name) = chat
            .catalog
            .resolve(db, &chat.secrets, &id)
            .await
            .map_err(|_| EmbedError::ModelGone(id.clone()))?;
        Ok(Some(Self {
            chat: chat.clone(),
            server,
            name,
            id,
        }))
    }

    /// The vectors of `texts`, in order.
    pub async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(self
            .chat
            .catalog
            .client()
            .embed(&self.server, &self.name, texts)
            .await?)
    }
}

/// `vector` as stored.
pub fn to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A stored vector.
pub fn from_bytes(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// The cosine similarity of two vectors (0 when either is all zeros or they differ
/// in length).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    if a.len() != b.len() {
        return 0.0;
    }
    let (mut dot, mut na, mut nb) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}

/// Embeds up to [`BATCH`] chunks whose vector is missing or of another model (of
/// ready documents, or of `document` when given); how many were embedded.
pub async fn embed_some(
    db: &Db,
    embedder: &Embedder,
    document: Option<&str>,
) -> Result<usize, EmbedError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT k.seq, k.content FROM knowledge_chunks k \
         JOIN knowledge_documents d ON d.id = k.document_id \
         WHERE (k.embedding_model IS NULL OR k.embedding_model <> $1) \
           AND (($2 IS NULL AND d.status = 'ready') OR d.id = $2) \
         ORDER BY k.seq LIMIT $3",
    )
    .bind(&embedder.id)
    .bind(document)
    .bind(BATCH as i64)
    .fetch_all(&db.pool)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let texts: Vec<String> = rows.iter().map(|(_, text)| text.clone()).collect();
    let vectors = embedder.embed(&texts).await?;
    let mut tx = db.pool.begin().await?;
    for ((seq, _), vector) in rows.iter().zip(&vectors) {
        sqlx::query(
            "UPDATE knowledge_chunks SET embedding = $1, embedding_model = $2 WHERE seq = $3",
        )
        .bind(to_bytes(vector))
        .bind(&embedder.id)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_survive_storage_and_compare_by_angle() {
        let v = [0.5f32, -1.25, 3.0];
        assert_eq!(from_bytes(&to_bytes(&v)), v);
        assert!((cosine(&[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-9);
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-9);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), 0.0);
    }
}
