//! Searching a user's own conversation titles and messages through the database's
//! full-text index: SQLite FTS5 (`chat_messages_fts`, `chat_conversations_fts`) or
//! PostgreSQL `tsvector` columns with GIN indexes.

use app::chat_api::SearchResult;
use sqlx::Row;

use super::error::ChatError;
use crate::db::{Db, DbKind};

/// The most results a search returns.
pub const MAX_RESULTS: usize = 20;

/// The words of `query` (letters and digits only, lowercased), so no search syntax
/// reaches the index.
fn words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(10)
        .map(str::to_lowercase)
        .collect()
}

/// The index query: every word, each as a prefix.
fn index_query(kind: DbKind, words: &[String]) -> String {
    match kind {
        DbKind::Sqlite => words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" "),
        DbKind::Postgres => words
            .iter()
            .map(|w| format!("{w}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
    }
}

/// `user_id`'s titles and messages matching every word of `query`, newest first.
pub async fn search(db: &Db, user_id: &str, query: &str) -> Result<Vec<SearchResult>, ChatError> {
    let words = words(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let q = index_query(db.kind, &words);
    let (messages_sql, titles_sql) = match db.kind {
        DbKind::Sqlite => (
            "SELECT c.id AS conversation_id, c.title AS title, m.role AS role, m.created_at AS created_at, \
                    snippet(chat_messages_fts, 0, '', '', '…', 16) AS snippet \
             FROM chat_messages_fts f \
             JOIN chat_messages m ON m.seq = f.rowid \
             JOIN chat_conversations c ON c.id = m.conversation_id \
             WHERE chat_messages_fts MATCH $1 AND c.user_id = $2 \
             ORDER BY m.created_at DESC, m.seq DESC LIMIT $3",
            "SELECT c.id AS conversation_id, c.title AS title, 'title' AS role, c.updated_at AS created_at, \
                    c.title AS snippet \
             FROM chat_conversations_fts f \
             JOIN chat_conversations c ON c.rowid = f.rowid \
             WHERE chat_conversations_fts MATCH $1 AND c.user_id = $2 \
             ORDER BY c.updated_at DESC LIMIT $3",
        ),
        DbKind::Postgres => (
            "SELECT c.id AS conversation_id, c.title AS title, m.role AS role, m.created_at AS created_at, \
                    ts_headline('simple', m.content, to_tsquery('simple', $1), \
                                'StartSel=\"\", StopSel=\"\", MaxWords=24, MinWords=8, ShortWord=1') AS snippet \
             FROM chat_messages m \
             JOIN chat_conversations c ON c.id = m.conversation_id \
             WHERE m.content_tsv @@ to_tsquery('simple', $1) AND c.user_id = $2 \
             ORDER BY m.created_at DESC, m.seq DESC LIMIT $3",
            "SELECT c.id AS conversation_id, c.title AS title, 'title' AS role, c.updated_at AS created_at, \
                    c.title AS snippet \
             FROM chat_conversations c \
             WHERE c.title_tsv @@ to_tsquery('simple', $1) AND c.user_id = $2 \
             ORDER BY c.updated_at DESC LIMIT $3",
        ),
    };
    let mut results = Vec::new();
    for sql in [titles_sql, messages_sql] {
        let rows = sqlx::query(sql)
            .bind(&q)
            .bind(user_id)
            .bind(MAX_RESULTS as i64)
            .fetch_all(&db.pool)
            .await?;
        for row in rows {
            results.push(SearchResult {
                conversation_id: row.try_get("conversation_id")?,
                conversation_title: row.try_get("title")?,
                message_snippet: row.try_get("snippet")?,
                role: row.try_get("role")?,
                created_at: row.try_get("created_at")?,
            });
        }
    }
    results.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    results.truncate(MAX_RESULTS);
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_syntax_never_reaches_the_index() {
        let w = words(r#"Rust" OR title:* NEAR(x) ' ; DROP"#);
        assert_eq!(w, ["rust", "or", "title", "near", "x", "drop"]);
        assert_eq!(index_query(DbKind::Sqlite, &w[..2]), r#""rust"* "or"*"#);
        assert_eq!(index_query(DbKind::Postgres, &w[..2]), "rust:* & or:*");
        assert!(words("  ,;  ").is_empty());
    }
}
