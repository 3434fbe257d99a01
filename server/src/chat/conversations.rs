//! Conversations (`chat_conversations`): each user's own; another user's is "not
//! found" for every operation.

use app::chat_api::{Conversation, ConversationKnowledge, ConversationUpdate, NewConversation};
use gantry_sdk::CurrentUser;
use sqlx::{
    any::{AnyExecutor, AnyRow},
    AssertSqlSafe, Row,
};

use super::{error::ChatError, personas};
use crate::{
    accounts::{now, random_hex},
    db::Db,
    knowledge::{collections, documents},
};

/// The title of a conversation before its first message.
pub const NEW_TITLE: &str = "New conversation";
/// About how long an automatic title may be.
const TITLE_CHARS: usize = 60;
/// The longest title a user may set.
const MAX_TITLE_CHARS: usize = 200;

const COLUMNS: &str = "id, title, pinned, model, persona_id, created_at, updated_at, tools";

fn conversation(row: &AnyRow) -> Result<Conversation, sqlx::Error> {
    Ok(Conversation {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        pinned: row.try_get::<i64, _>("pinned")? != 0,
        model: row.try_get("model")?,
        persona_id: row.try_get("persona_id")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        knowledge: ConversationKnowledge::default(),
        // Written by `update` only, as a JSON array of `<module>/<tool>`.
        tools: row
            .try_get::<Option<String>, _>("tools")?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
    })
}

/// The knowledge of each of `user_id`'s conversations (or of `only` that one), by
/// conversation id.
async fn knowledge_of(
    db: &Db,
    user_id: &str,
    only: Option<&str>,
) -> Result<std::collections::HashMap<String, ConversationKnowledge>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT k.conversation_id, k.collection_id, k.document_id FROM chat_knowledge k \
         JOIN chat_conversations c ON c.id = k.conversation_id \
         WHERE c.user_id = $1 AND ($2 IS NULL OR c.id = $2) \
         ORDER BY k.collection_id, k.document_id",
    )
    .bind(user_id)
    .bind(only)
    .fetch_all(&db.pool)
    .await?;
    let mut all = std::collections::HashMap::<String, ConversationKnowledge>::new();
    for row in rows {
        let entry = all.entry(row.try_get("conversation_id")?).or_default();
        if let Some(id) = row.try_get::<Option<String>, _>("collection_id")? {
            entry.collection_ids.push(id);
        }
        if let Some(id) = row.try_get::<Option<String>, _>("document_id")? {
            entry.document_ids.push(id);
        }
    }
    Ok(all)
}

/// Refused unless `user` may read each collection and document of `knowledge`.
async fn check_knowledge(
    db: &Db,
    user: &CurrentUser,
    knowledge: &ConversationKnowledge,
) -> Result<(), ChatError> {
    const MAX_SOURCES: usize = 50;
    if knowledge.collection_ids.len() + knowledge.document_ids.len() > MAX_SOURCES {
        return Err(ChatError::invalid(
            "knowledge",
            format!("may name at most {MAX_SOURCES} collections and documents"),
        ));
    }
    for collection in &knowledge.collection_ids {
        collections::get_readable(db, user, collection).await?;
    }
    for document in &knowledge.document_ids {
        documents::get(db, user, document).await?;
    }
    Ok(())
}

/// Replaces what conversation `id` draws on (checked by [`check_knowledge`]).
async fn set_knowledge(
    db: &Db,
    id: &str,
    knowledge: &ConversationKnowledge,
) -> Result<(), ChatError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM chat_knowledge WHERE conversation_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let mut seen = std::collections::HashSet::new();
    let rows = knowledge
        .collection_ids
        .iter()
        .map(|c| (Some(c), None))
        .chain(knowledge.document_ids.iter().map(|d| (None, Some(d))));
    for (collection, document) in rows {
        if !seen.insert((collection, document)) {
            continue;
        }
        sqlx::query(
            "INSERT INTO chat_knowledge (conversation_id, collection_id, document_id) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(collection)
        .bind(document)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `user_id`'s conversations, pinned first, then the most recently updated (within
/// the same second, the one with the newest message).
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<Conversation>, ChatError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM chat_conversations c WHERE user_id = $1 \
         ORDER BY pinned DESC, updated_at DESC, \
         COALESCE((SELECT MAX(m.seq) FROM chat_messages m WHERE m.conversation_id = c.id), 0) DESC, \
         created_at DESC, id"
    )))
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    let mut knowledge = knowledge_of(db, user_id, None).await?;
    let mut list: Vec<Conversation> = rows.iter().map(conversation).collect::<Result<_, _>>()?;
    for c in &mut list {
        c.knowledge = knowledge.remove(&c.id).unwrap_or_default();
    }
    Ok(list)
}

/// `user_id`'s conversation `id`.
pub async fn get(db: &Db, user_id: &str, id: &str) -> Result<Conversation, ChatError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM chat_conversations WHERE id = $1 AND user_id = $2"
    )))
    .bind(id)
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        return Err(ChatError::ConversationNotFound(id.to_owned()));
    };
    let mut found = conversation(&row)?;
    found.knowledge = knowledge_of(db, user_id, Some(id))
        .await?
        .remove(id)
        .unwrap_or_default();
    Ok(found)
}

/// Starts a conversation for `user`.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    new: &NewConversation,
) -> Result<Conversation, ChatError> {
    let user_id = user.id.as_str();
    if let Some(persona_id) = &new.persona_id {
        personas::get_usable(db, user_id, persona_id).await?;
    }
    check_knowledge(db, user, &new.knowledge).await?;
    let id = random_hex(12);
    let at = now();
    sqlx::query(
        "INSERT INTO chat_conversations (id, user_id, title, model, persona_id, created_at, updated_at, tools) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(NEW_TITLE)
    .bind(new.model.as_deref().filter(|m| !m.is_empty()))
    .bind(new.persona_id.as_deref())
    .bind(at)
    .bind(tools_column(&new.tools))
    .execute(&db.pool)
    .await?;
    if !new.knowledge.is_empty() {
        set_knowledge(db, &id, &new.knowledge).await?;
    }
    get(db, user_id, &id).await
}

/// The stored form of a conversation's tools (checked by the caller, who knows the
/// modules: `chat::tools::check_choice`): a JSON array, or NULL for none.
fn tools_column(tools: &[String]) -> Option<String> {
    (!tools.is_empty()).then(|| serde_json::to_string(tools).expect("names serialize"))
}

/// Changes what `update` names.
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    id: &str,
    update: &ConversationUpdate,
) -> Result<Conversation, ChatError> {
    let user_id = user.id.as_str();
    let current = get(db, user_id, id).await?;
    let title = match &update.title {
        Some(title) => {
            let title = title.trim();
            if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
                return Err(ChatError::invalid(
                    "title",
                    format!("must be 1 to {MAX_TITLE_CHARS} characters"),
                ));
            }
            Some(title.to_owned())
        }
        None => None,
    };
    if let Some(Some(persona_id)) = &update.persona_id {
        personas::get_usable(db, user_id, persona_id).await?;
    }
    if let Some(knowledge) = &update.knowledge {
        check_knowledge(db, user, knowledge).await?;
        set_knowledge(db, id, knowledge).await?;
    }
    let model = match &update.model {
        Some(model) => model.clone().filter(|m| !m.is_empty()),
        None => current.model,
    };
    let persona_id = match &update.persona_id {
        Some(persona) => persona.clone(),
        None => current.persona_id,
    };
    let tools = tools_column(update.tools.as_ref().unwrap_or(&current.tools));
    sqlx::query(
        "UPDATE chat_conversations SET title = $1, title_set_by_user = CASE WHEN $2 = 1 THEN 1 ELSE title_set_by_user END, pinned = $3, model = $4, \
         persona_id = $5, updated_at = $6, tools = $9 WHERE id = $7 AND user_id = $8",
    )
    .bind(title.as_deref().unwrap_or(&current.title))
    .bind(i64::from(title.is_some()))
    .bind(i64::from(update.pinned.unwrap_or(current.pinned)))
    .bind(model)
    .bind(persona_id)
    .bind(now())
    .bind(id)
    .bind(user_id)
    .bind(tools)
    .execute(&db.pool)
    .await?;
    get(db, user_id, id).await
}

/// Deletes the conversation and its messages.
pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<(), ChatError> {
    let mut tx = db.begin_write().await?;
    let n = sqlx::query("DELETE FROM chat_conversations WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(ChatError::ConversationNotFound(id.to_owned()));
    }
    sqlx::query("DELETE FROM chat_messages WHERE conversation_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks the conversation as just used.
pub async fn touch<'c>(db: impl AnyExecutor<'c>, id: &str) -> Result<(), ChatError> {
    sqlx::query("UPDATE chat_conversations SET updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks the conversation as just used after the user sent `text`, and titles it
/// from `text` when that is its only user message and the user has not named it:
/// one write, on the path to the first token.
pub async fn touch_after_message<'c>(
    db: impl AnyExecutor<'c>,
    id: &str,
    text: &str,
) -> Result<(), ChatError> {
    sqlx::query(
        "UPDATE chat_conversations SET updated_at = $1, title = CASE \
         WHEN title_set_by_user = 0 AND (SELECT COUNT(*) FROM chat_messages \
              WHERE conversation_id = $2 AND role = 'user') = 1 THEN $3 ELSE title END \
         WHERE id = $2",
    )
    .bind(now())
    .bind(id)
    .bind(title_from(text))
    .execute(db)
    .await?;
    Ok(())
}

/// A title from a first message: its first line, cut to about
/// [`TITLE_CHARS`] characters on a word boundary.
pub fn title_from(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= TITLE_CHARS {
        return if line.is_empty() {
            NEW_TITLE.to_owned()
        } else {
            line
        };
    }
    let mut title = String::new();
    for word in line.split(' ') {
        if title.chars().count() + word.chars().count() + 1 > TITLE_CHARS {
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    if title.is_empty() {
        title = line.chars().take(TITLE_CHARS).collect();
    }
    title.push('…');
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cut_on_word_boundaries() {
        assert_eq!(title_from("  Hello\n  there "), "Hello there");
        assert_eq!(title_from(""), NEW_TITLE);
        let long = "word ".repeat(30);
        let title = title_from(&long);
        assert!(title.ends_with("word…"), "{title}");
        assert!(title.chars().count() <= TITLE_CHARS + 1);
        let one_word = "x".repeat(100);
        assert_eq!(title_from(&one_word).chars().count(), TITLE_CHARS + 1);
    }
}
