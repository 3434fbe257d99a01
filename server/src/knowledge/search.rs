//! Searching the chunks of the collections a user may read, through the database's
//! full-text index: SQLite FTS5 (`knowledge_chunks_fts`, Porter stemming) ranked by
//! BM25, or PostgreSQL's `tsvector` (English) ranked by `ts_rank`. A question's
//! words are alternatives, so a passage needs only some of them. With an embedding
//! model, the nearest chunks in meaning are ranked too, and the two rankings fused
//! (reciprocal rank fusion); without one, or when it does not answer, words alone.

use app::knowledge_api::{Passage, SearchMode, SearchRequest, SearchResults};
use gantry_sdk::CurrentUser;
use sqlx::{any::AnyRow, AssertSqlSafe, Row};

use super::{
    collections,
    embeddings::{self, Embedder},
    error::KnowledgeError,
};
use crate::{
    chat::ChatState,
    db::{Db, DbKind},
};

/// Passages returned when the request does not say.
pub const DEFAULT_TOP_K: u32 = 8;
/// The most passages a search returns.
pub const MAX_TOP_K: u32 = 50;

/// Words too common to tell passages apart (PostgreSQL's `english` drops them too).
const STOP_WORDS: &[&str] = &[
    "a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from",
    "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "should", "that", "the",
    "this", "to", "was", "what", "when", "where", "which", "who", "why", "will", "with", "you",
    "your",
];

/// The words of `query` (letters and digits only, lowercased, common words left
/// out unless there is nothing else), so no search syntax reaches the index.
fn words(query: &str) -> Vec<String> {
    let all: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(32)
        .map(str::to_lowercase)
        .collect();
    let telling: Vec<String> = all
        .iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .cloned()
        .collect();
    if telling.is_empty() {
        all
    } else {
        telling
    }
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

/// What a search looks in: these collections and these single documents.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub collection_ids: Vec<String>,
    pub document_ids: Vec<String>,
}

impl Scope {
    fn is_empty(&self) -> bool {
        self.collection_ids.is_empty() && self.document_ids.is_empty()
    }

    /// The condition on `d` (documents) and `c` (collections) that keeps ready
    /// documents in the scope that the user (`$user`) may read; the ids are bound
    /// from `$first` on, in the order of [`Scope::ids`].
    fn condition(&self, user: usize, first: usize) -> String {
        let placeholders = |from: usize, n: usize| {
            let list: Vec<String> = (from..from + n).map(|i| format!("${i}")).collect();
            // `IN ()` is not SQL; NULL matches nothing.
            if list.is_empty() {
                "NULL".to_owned()
            } else {
                list.join(", ")
            }
        };
        format!(
            "d.status = 'ready' AND (c.owner_id = ${user} OR c.owner_id IS NULL) \
             AND (d.collection_id IN ({}) OR d.id IN ({}))",
            placeholders(first, self.collection_ids.len()),
            placeholders(first + self.collection_ids.len(), self.document_ids.len()),
        )
    }

    fn ids(&self) -> impl Iterator<Item = &String> {
        self.collection_ids.iter().chain(&self.document_ids)
    }
}

/// The passages of `user`'s readable collections (or of those named) that best
/// match `request.query`.
pub async fn search(
    db: &Db,
    chat: &ChatState,
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
    let scope = Scope {
        collection_ids,
        document_ids: Vec::new(),
    };
    let (passages, mode) = passages(db, chat, user, &request.query, &scope, top_k).await?;
    Ok(SearchResults { passages, mode })
}

/// The `top_k` passages within `scope` that best match `query`, of what `user` may
/// read (anything else in `scope` is passed over): by words, fused with nearness in
/// meaning when an embedding model is chosen and answers.
pub async fn passages(
    db: &Db,
    chat: &ChatState,
    user: &CurrentUser,
    query: &str,
    scope: &Scope,
    top_k: u32,
) -> Result<(Vec<Passage>, SearchMode), sqlx::Error> {
    if scope.is_empty() || query.trim().is_empty() {
        return Ok((Vec::new(), SearchMode::FullText));
    }
    let embedder = match Embedder::current(db, chat).await {
        Ok(embedder) => embedder,
        Err(err) => {
            tracing::warn!("knowledge search without vectors: {err}");
            None
        }
    };
    let Some(embedder) = embedder else {
        return Ok((
            by_words(db, user, query, scope, top_k).await?,
            SearchMode::FullText,
        ));
    };
    let question = match embedder.embed(&[query.to_owned()]).await {
        Ok(mut vectors) => vectors.pop().unwrap_or_default(),
        Err(err) => {
            tracing::warn!("knowledge search without vectors: {err}");
            return Ok((
                by_words(db, user, query, scope, top_k).await?,
                SearchMode::FullText,
            ));
        }
    };
    let wide = top_k * FUSION_WIDTH;
    let words = by_words(db, user, query, scope, wide).await?;
    let meaning = by_meaning(db, user, &question, &embedder.id, scope, wide).await?;
    Ok((fuse(words, meaning, top_k as usize), SearchMode::Hybrid))
}

/// How many more candidates than asked for each ranking brings to the fusion.
const FUSION_WIDTH: u32 = 4;
/// Reciprocal rank fusion's constant: how little the very top ranks dominate.
const RRF_K: f64 = 60.0;

/// Two rankings as one, by reciprocal rank fusion: each passage scores the sum of
/// `1 / (RRF_K + rank)` over the rankings it is in.
fn fuse(words: Vec<Passage>, meaning: Vec<Passage>, top_k: usize) -> Vec<Passage> {
    let mut fused: Vec<Passage> = Vec::new();
    for ranking in [words, meaning] {
        for (rank, mut passage) in ranking.into_iter().enumerate() {
            let score = 1.0 / (RRF_K + rank as f64 + 1.0);
            match fused
                .iter_mut()
                .find(|p| p.document_id == passage.document_id && p.position == passage.position)
            {
                Some(known) => known.score += score,
                None => {
                    passage.score = score;
                    fused.push(passage);
                }
            }
        }
    }
    fused.sort_by(|a, b| b.score.total_cmp(&a.score));
    fused.truncate(top_k);
    fused
}

const PASSAGE_COLUMNS: &str =
    "k.document_id, d.filename, d.collection_id, k.position, k.heading, k.page, k.content";

fn passage(row: &AnyRow, score: f64) -> Result<Passage, sqlx::Error> {
    Ok(Passage {
        document_id: row.try_get("document_id")?,
        document_name: row.try_get("filename")?,
        collection_id: row.try_get("collection_id")?,
        position: row.try_get("position")?,
        heading: row.try_get("heading")?,
        page: row.try_get("page")?,
        text: row.try_get("content")?,
        score,
    })
}

/// The passages whose words best match `query`, through the full-text index.
async fn by_words(
    db: &Db,
    user: &CurrentUser,
    query: &str,
    scope: &Scope,
    limit: u32,
) -> Result<Vec<Passage>, sqlx::Error> {
    let words = words(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    // $1 the query, $2 the user, $3 the limit, then the ids.
    let in_scope = scope.condition(2, 4);
    let sql = match db.kind {
        // The index is asked first, alone, so the matching is done once (not once
        // per candidate chunk, whichever join order the planner picks).
        DbKind::Sqlite => format!(
            "WITH hits AS MATERIALIZED ( \
                 SELECT rowid AS seq, -bm25(knowledge_chunks_fts) AS score \
                 FROM knowledge_chunks_fts WHERE knowledge_chunks_fts MATCH $1) \
             SELECT {PASSAGE_COLUMNS}, hits.score AS score \
             FROM hits \
             JOIN knowledge_chunks k ON k.seq = hits.seq \
             JOIN knowledge_documents d ON d.id = k.document_id \
             JOIN knowledge_collections c ON c.id = d.collection_id \
             WHERE {in_scope} \
             ORDER BY score DESC, k.seq LIMIT $3"
        ),
        DbKind::Postgres => format!(
            "SELECT {PASSAGE_COLUMNS}, ts_rank(k.content_tsv, q)::float8 AS score \
             FROM knowledge_chunks k \
             JOIN knowledge_documents d ON d.id = k.document_id \
             JOIN knowledge_collections c ON c.id = d.collection_id, \
                  to_tsquery('english', $1) q \
             WHERE k.content_tsv @@ q AND {in_scope} \
             ORDER BY score DESC, k.seq LIMIT $3"
        ),
    };
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(index_query(db.kind, &words))
        .bind(&user.id)
        .bind(i64::from(limit));
    for id in scope.ids() {
        query = query.bind(id);
    }
    query
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|row| passage(row, row.try_get("score")?))
        .collect()
}

/// The passages nearest in meaning to `question` (vectors of `model` only): with
/// sqlite-vec's cosine distance in SQLite, exactly over the stored vectors on
/// PostgreSQL.
async fn by_meaning(
    db: &Db,
    user: &CurrentUser,
    question: &[f32],
    model: &str,
    scope: &Scope,
    limit: u32,
) -> Result<Vec<Passage>, sqlx::Error> {
    let mut query = match db.kind {
        // $1 the model, $2 the user, $3 the question's vector, $4 the limit, then the ids.
        DbKind::Sqlite => sqlx::query(AssertSqlSafe(format!(
            "SELECT {PASSAGE_COLUMNS}, 1.0 - vec_distance_cosine(k.embedding, $3) AS score \
             FROM knowledge_chunks k \
             JOIN knowledge_documents d ON d.id = k.document_id \
             JOIN knowledge_collections c ON c.id = d.collection_id \
             WHERE k.embedding_model = $1 AND {} \
             ORDER BY score DESC, k.seq LIMIT $4",
            scope.condition(2, 5)
        )))
        .bind(model)
        .bind(&user.id)
        .bind(embeddings::to_bytes(question))
        .bind(i64::from(limit)),
        // $1 the model, $2 the user, then the ids; compared here.
        DbKind::Postgres => sqlx::query(AssertSqlSafe(format!(
            "SELECT {PASSAGE_COLUMNS}, k.embedding \
             FROM knowledge_chunks k \
             JOIN knowledge_documents d ON d.id = k.document_id \
             JOIN knowledge_collections c ON c.id = d.collection_id \
             WHERE k.embedding_model = $1 AND {}",
            scope.condition(2, 3)
        )))
        .bind(model)
        .bind(&user.id),
    };
    for id in scope.ids() {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&db.pool).await?;
    let mut found = rows
        .iter()
        .map(|row| {
            let score = match db.kind {
                DbKind::Sqlite => row.try_get("score")?,
                DbKind::Postgres => embeddings::cosine(
                    question,
                    &embeddings::from_bytes(&row.try_get::<Vec<u8>, _>("embedding")?),
                ),
            };
            passage(row, score)
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found.truncate(limit as usize);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_syntax_never_reaches_the_index() {
        let w = words(r#"warranty" OR NEAR(x) ' ; DROP"#);
        assert_eq!(w, ["warranty", "near", "x", "drop"]);
        assert_eq!(
            index_query(DbKind::Sqlite, &w[..2]),
            r#""warranty" OR "near""#
        );
        assert_eq!(index_query(DbKind::Postgres, &w[..2]), "warranty | near");
        assert_eq!(words("What is the warranty?"), ["warranty"]);
        assert_eq!(words("The Who"), ["the", "who"]);
    }
}
