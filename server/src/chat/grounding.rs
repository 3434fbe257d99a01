//! Answers grounded in the user's documents: the passages of a conversation's
//! knowledge that best match the question, and the instructions that hand them to
//! the model with numbers to cite them by.

use app::{chat_api::Conversation, knowledge_api::Passage};
use gantry_sdk::CurrentUser;

use super::{error::ChatError, ChatState};
use crate::{
    db::Db,
    knowledge::search::{self, Scope},
};

/// How many passages an answer is given.
pub const PASSAGES_PER_ANSWER: u32 = 5;

/// The passages of `conversation`'s knowledge (what `user` may still read) that
/// best match `question`; none when it has no knowledge.
pub async fn retrieve(
    db: &Db,
    chat: &ChatState,
    user: &CurrentUser,
    conversation: &Conversation,
    question: &str,
) -> Result<Vec<Passage>, ChatError> {
    if conversation.knowledge.is_empty() {
        return Ok(Vec::new());
    }
    let scope = Scope {
        collection_ids: conversation.knowledge.collection_ids.clone(),
        document_ids: conversation.knowledge.document_ids.clone(),
    };
    let (passages, _) =
        search::passages(db, chat, user, question, &scope, PASSAGES_PER_ANSWER).await?;
    Ok(passages)
}

/// `system_prompt` followed by the numbered `sources` and how to cite them.
pub fn system_prompt(system_prompt: &str, sources: &[Passage]) -> String {
    if sources.is_empty() {
        return system_prompt.to_owned();
    }
    let mut prompt = String::new();
    if !system_prompt.trim().is_empty() {
        prompt.push_str(system_prompt.trim_end());
        prompt.push_str("\n\n");
    }
    prompt.push_str(
        "Answer using the numbered passages from the user's documents below when they are \
         relevant. Cite each passage you use by its number in square brackets, like [1]. \
         If the passages do not contain the answer, say so.\n",
    );
    for (i, passage) in sources.iter().enumerate() {
        let place = match (&passage.heading, passage.page) {
            (Some(heading), Some(page)) => format!(", {heading}, page {page}"),
            (Some(heading), None) => format!(", {heading}"),
            (None, Some(page)) => format!(", page {page}"),
            (None, None) => String::new(),
        };
        prompt.push_str(&format!(
            "\n[{}] {}{place}:\n{}\n",
            i + 1,
            passage.document_name,
            passage.text
        ));
    }
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_are_numbered_after_the_persona_prompt() {
        let passage = Passage {
            document_id: "d".into(),
            document_name: "manual.pdf".into(),
            collection_id: "c".into(),
            position: 3,
            heading: Some("Care".into()),
            page: Some(7),
            text: "Oil monthly.".into(),
            score: 1.0,
        };
        let prompt = system_prompt("Be brief.", &[passage]);
        assert!(prompt.starts_with("Be brief.\n\nAnswer using"), "{prompt}");
        assert!(
            prompt.ends_with("[1] manual.pdf, Care, page 7:\nOil monthly.\n"),
            "{prompt}"
        );
        assert_eq!(system_prompt("Be brief.", &[]), "Be brief.");
    }
}
