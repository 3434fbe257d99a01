//! Searching the chunks of the collections a user may read, through the database's
//! full-text index: SQLite FTS5 (`knowledge_chunks_fts`, Porter stemming) ranked by
//! BM25, or PostgreSQL's `tsvector` (English) ranked by `ts_rank`. A question's
//! words are alternatives, so a passage needs only some of them.

use app::knowledge_api::{Passage, SearchMode, SearchRequest, SearchResults};
use gantry_sdk::CurrentUser;
use sqlx::{AssertSqlSafe, Row};

use super::{collections, error::KnowledgeError};
use crate::db::{Db, DbKind};

/// Passages returned when the request does not say.
pub const DEFAULT_TOP_K: u32 = 8;
/// The most passages a search returns.
pub const MAX_TOP_K: u32 = 50;

/// The words of `query` (letters and digits only, lowercased), so no search syntax
/// reaches the index.
fn words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(32)
        .map(str::to_lowercase)
        .collect()
}

/// The index query: any of the words.
fn index_query(kind: DbKind, words: &[String]) -> String {
    match kind {
        DbKind::Sqlite => words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" OR "),
        DbKind::Postgres => words.join(" | "),
    }
}

/// The passages of `user`'s readable collections (or of those named) that best
/// match `request.query`.
pub async fn search(
    db: &Db,
    user: &CurrentUser,
    request: &SearchRequest,
) -> Result<SearchResults, KnowledgeError> {
    let top_k = request.top_k.unwrap_or(DEFAULT_TOP_K);
    if !(1..=MAX_TOP_K).contains(&top_k) {
        return Err(KnowledgeError::invalid(
            "top_k",
            format!("must be 1 to {MAX_TOP_K}"),
        ));
    }
    if request.query.trim().is_empty() {
        return Err(KnowledgeError::invalid("query", "is empty"));
    }
    let collection_ids = match &request.collection_ids {
        Some(ids) => {
            for id in ids {
                collections::get_readable(db, user, id).await?;
            }
            ids.clone()
        }
        None => collections::list_readable(db, user)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect(),
    };
    let words = words(&request.query);
    if words.is_empty() || collection_ids.is_empty() {
        return Ok(SearchResults {
            passages: Vec::new(),
            mode: SearchMode::FullText,
        });
    }
    // $1 the query, $2 the limit, then the collections.
    let in_collections = (0..collection_ids.len())
        .map(|i| format!("${}", i + 3))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = match db.kind {
        DbKind::Sqlite => format!(
            "SELECT k.document_id, d.filename, d.collection_id, k.position, k.heading, k.page, \
                    k.content, -bm25(knowledge_chunks_fts) AS score \
             FROM knowledge_chunks_fts f \
             JOIN knowledge_chunks k ON k.seq = f.rowid \
             JOIN knowledge_documents d ON d.id = k.document_id \
             WHERE knowledge_chunks_fts MATCH $1 AND d.status = 'ready' \
               AND d.collection_id IN ({in_collections}) \
             ORDER BY score DESC, k.seq LIMIT $2"
        ),
        DbKind::Postgres => format!(
            "SELECT k.document_id, d.filename, d.collection_id, k.position, k.heading, k.page, \
                    k.content, ts_rank(k.content_tsv, q)::float8 AS score \
             FROM knowledge_chunks k \
             JOIN knowledge_documents d ON d.id = k.document_id, \
                  to_tsquery('english', $1) q \
             WHERE k.content_tsv @@ q AND d.status = 'ready' \
               AND d.collection_id IN ({in_collections}) \
             ORDER BY score DESC, k.seq LIMIT $2"
        ),
    };
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(index_query(db.kind, &words))
        .bind(i64::from(top_k));
    for id in &collection_ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&db.pool).await?;
    let passages = rows
        .iter()
        .map(|row| {
            Ok(Passage {
                document_id: row.try_get("document_id")?,
                document_name: row.try_get("filename")?,
                collection_id: row.try_get("collection_id")?,
                position: row.try_get("position")?,
                heading: row.try_get("heading")?,
                page: row.try_get("page")?,
                text: row.try_get("content")?,
                score: row.try_get("score")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(SearchResults {
        passages,
        mode: SearchMode::FullText,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_syntax_never_reaches_the_index() {
        let w = words(r#"warranty" OR NEAR(x) ' ; DROP"#);
        assert_eq!(w, ["warranty", "or", "near", "x", "drop"]);
        assert_eq!(
            index_query(DbKind::Sqlite, &w[..2]),
            r#""warranty" OR "or""#
        );
        assert_eq!(index_query(DbKind::Postgres, &w[..2]), "warranty | or");
    }
}
