//! Background ingestion: each instance runs one worker that takes a waiting document
//! (under a lease, so two instances on one PostgreSQL never take the same one),
//! extracts its text off the async threads, splits it into chunks and indexes them
//! in one transaction, then marks it ready, or failed with the reason in words.
//!
//! Nothing is left stuck: a document whose worker died (a crash, a restart) keeps
//! its lease only until [`LEASE_SECS`] have passed, then is taken again, from the
//! stored original; after [`MAX_ATTEMPTS`] it is marked failed.
//!
//! With an embedding model chosen, a document's chunks are embedded before it is
//! ready, and an idle worker embeds the chunks of ready documents that have no
//! vector of the current model (after the model changed). Two instances may embed
//! the same chunks at once: the work is repeated, the result the same.

use std::{sync::Arc, time::Duration};

use sqlx::Row;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{
    chunking,
    embeddings::{self, Embedder},
    extract,
    formats::Format,
};
use crate::{accounts::now, chat::ChatState, db::Db};

/// How long a worker holds a document before another may take it.
pub const LEASE_SECS: i64 = 120;
/// How many times a document is taken before it is given up on.
pub const MAX_ATTEMPTS: i64 = 3;
/// How often an idle worker looks for work nobody woke it for (another instance's
/// upload, an expired lease).
const IDLE_LOOK: Duration = Duration::from_secs(5);
/// Chunks written per statement.
const INSERT_BATCH: usize = 50;

/// Wakes the worker when there is new work.
#[derive(Clone, Debug, Default)]
pub struct IngestQueue {
    wake: Arc<Notify>,
    waiting: Arc<std::sync::atomic::AtomicBool>,
}

impl IngestQueue {
    /// Tells the worker a document is waiting.
    pub fn wake(&self) {
        self.waiting
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.wake.notify_one();
    }

    /// Whether a document was uploaded since the worker last looked (so a long
    /// re-embedding pass makes way for it).
    fn has_waiting(&self) -> bool {
        self.waiting.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn looked(&self) {
        self.waiting
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Ingests waiting documents, then embeds stale chunks, until `closing` is
/// cancelled.
pub async fn run(db: Db, chat: ChatState, queue: IngestQueue, closing: CancellationToken) {
    loop {
        queue.looked();
        loop {
            match take_next(&db).await {
                Ok(Some(taken)) => ingest(&db, &chat, taken).await,
                Ok(None) => break,
                Err(err) => {
                    tracing::warn!("knowledge ingestion cannot read its queue: {err}");
                    break;
                }
            }
            if closing.is_cancelled() {
                return;
            }
        }
        embed_stale(&db, &chat, &queue).await;
        tokio::select! {
            () = queue.wake.notified() => {}
            () = tokio::time::sleep(IDLE_LOOK) => {}
            () = closing.cancelled() => return,
        }
    }
}

/// A document this worker holds the lease of.
struct Taken {
    id: String,
    format: Format,
}

/// Leases the oldest waiting document nobody holds; one taken too often is failed.
async fn take_next(db: &Db) -> Result<Option<Taken>, sqlx::Error> {
    loop {
        let at = now();
        let Some(row) = sqlx::query(
            "SELECT id, format, attempts FROM knowledge_documents \
             WHERE status = 'processing' AND (lease_until IS NULL OR lease_until < $1) \
             ORDER BY created_at, id LIMIT 1",
        )
        .bind(at)
        .fetch_optional(&db.pool)
        .await?
        else {
            return Ok(None);
        };
        let id: String = row.try_get("id")?;
        let attempts: i64 = row.try_get("attempts")?;
        // Only one instance's update finds the lease still free.
        let taken = sqlx::query(
            "UPDATE knowledge_documents SET lease_until = $1, attempts = attempts + 1, \
             stage = 'extracting', updated_at = $2 \
             WHERE id = $3 AND status = 'processing' AND (lease_until IS NULL OR lease_until < $2)",
        )
        .bind(at + LEASE_SECS)
        .bind(at)
        .bind(&id)
        .execute(&db.pool)
        .await?
        .rows_affected()
            == 1;
        if !taken {
            continue;
        }
        if attempts >= MAX_ATTEMPTS {
            fail(
                db,
                &id,
                &format!("ingestion was interrupted {attempts} times; upload the file again"),
            )
            .await?;
            continue;
        }
        let format =
            Format::from_name(&row.try_get::<String, _>("format")?).unwrap_or(Format::Text);
        return Ok(Some(Taken { id, format }));
    }
}

/// Embeds the chunks of ready documents that lack a vector of the current model,
/// a batch at a time, until none is left or a document is waiting.
async fn embed_stale(db: &Db, chat: &ChatState, queue: &IngestQueue) {
    let embedder = match Embedder::current(db, chat).await {
        Ok(Some(embedder)) => embedder,
        Ok(None) => return,
        Err(err) => {
            tracing::warn!("knowledge: cannot embed: {err}");
            return;
        }
    };
    loop {
        match embeddings::embed_some(db, &embedder, None).await {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) => {
                tracing::warn!("knowledge: embedding stale chunks failed: {err}");
                return;
            }
        }
        if queue.has_waiting() {
            return;
        }
    }
}

async fn ingest(db: &Db, chat: &ChatState, taken: Taken) {
    if let Err(err) = try_ingest(db, chat, &taken).await {
        tracing::warn!(document = %taken.id, "knowledge ingestion failed: {err}");
        // The lease runs out and the document is taken again.
    }
}

async fn try_ingest(db: &Db, chat: &ChatState, taken: &Taken) -> Result<(), sqlx::Error> {
    let bytes: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT content FROM knowledge_originals WHERE document_id = $1")
            .bind(&taken.id)
            .fetch_optional(&db.pool)
            .await?;
    let Some(bytes) = bytes else {
        return Ok(()); // Deleted meanwhile.
    };
    let format = taken.format;
    let extracted = tokio::task::spawn_blocking(move || {
        extract::extract(format, &bytes)
            .map(|text| (chunking::chunk(&text.blocks), text.page_count))
    })
    .await
    .unwrap_or_else(|_| Err("the document could not be read".into()));
    let (chunks, page_count) = match extracted {
        Ok(done) => done,
        Err(reason) => return fail(db, &taken.id, &reason).await,
    };
    let embedder = match Embedder::current(db, chat).await {
        Ok(embedder) => embedder,
        Err(err) => return fail(db, &taken.id, &err.to_string()).await,
    };
    set_stage(db, &taken.id, "indexing").await?;
    let mut tx = db.pool.begin().await?;
    // The document's row is updated once in this transaction, and first. On
    // PostgreSQL a second update of a row the same transaction wrote checks its
    // foreign keys again, which waits for a collection being deleted, while that
    // delete waits for this transaction to let go of the document: a deadlock.
    let ready_now = embedder.is_none();
    let update = if ready_now {
        "UPDATE knowledge_documents SET chunk_count = $1, page_count = $2, status = 'ready', \
         stage = NULL, error = NULL, lease_until = NULL, updated_at = $3 WHERE id = $4"
    } else {
        "UPDATE knowledge_documents SET chunk_count = $1, page_count = $2, updated_at = $3 \
         WHERE id = $4"
    };
    let found = sqlx::query(update)
        .bind(chunks.len() as i64)
        .bind(page_count)
        .bind(now())
        .bind(&taken.id)
        .execute(&mut *tx)
        .await?;
    if found.rows_affected() == 0 {
        return Ok(()); // Deleted meanwhile.
    }
    sqlx::query("DELETE FROM knowledge_chunks WHERE document_id = $1")
        .bind(&taken.id)
        .execute(&mut *tx)
        .await?;
    for batch in chunks.chunks(INSERT_BATCH) {
        let values: Vec<String> = (0..batch.len())
            .map(|i| {
                let p = i * 5;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO knowledge_chunks (document_id, position, heading, page, content) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for chunk in batch {
            query = query
                .bind(&taken.id)
                .bind(chunk.position)
                .bind(chunk.heading.as_deref())
                .bind(chunk.page)
                .bind(&chunk.content);
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    let Some(embedder) = embedder else {
        return Ok(());
    };
    set_stage(db, &taken.id, "embedding").await?;
    loop {
        match embeddings::embed_some(db, &embedder, Some(&taken.id)).await {
            Ok(0) => break,
            Ok(_) => renew_lease(db, &taken.id).await?,
            Err(err) => return fail(db, &taken.id, &err.to_string()).await,
        }
    }
    sqlx::query(
        "UPDATE knowledge_documents SET status = 'ready', stage = NULL, error = NULL, \
         lease_until = NULL, updated_at = $1 WHERE id = $2",
    )
    .bind(now())
    .bind(&taken.id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

async fn renew_lease(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE knowledge_documents SET lease_until = $1 WHERE id = $2")
        .bind(now() + LEASE_SECS)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

async fn set_stage(db: &Db, id: &str, stage: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE knowledge_documents SET stage = $1, updated_at = $2 WHERE id = $3")
        .bind(stage)
        .bind(now())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

async fn fail(db: &Db, id: &str, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE knowledge_documents SET status = 'failed', stage = NULL, error = $1, \
         lease_until = NULL, updated_at = $2 WHERE id = $3",
    )
    .bind(reason)
    .bind(now())
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}
