//! Starting an answer: which model and persona a conversation uses, the checks on a
//! user's message, the history sent, and the stored message the answer goes into.

use app::chat_api::Conversation;
use gantry_sdk::{ClientAddress, CurrentUser};

use super::{
    answer::AnswerJob,
    connections,
    error::ChatError,
    grounding, history,
    messages::{self, Status},
    model_client::ModelServer,
    personas,
    tools::Toolbox,
    ChatState,
};
use crate::db::Db;

/// The longest message a user may send, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// `content` when it may be sent: not blank, not over [`MAX_MESSAGE_BYTES`].
pub fn check_content(content: &str) -> Result<&str, ChatError> {
    if content.trim().is_empty() {
        return Err(ChatError::EmptyMessage);
    }
    if content.len() > MAX_MESSAGE_BYTES {
        return Err(ChatError::MessageTooLong {
            len: content.len(),
            limit: MAX_MESSAGE_BYTES,
        });
    }
    Ok(content)
}

/// The model, server and persona settings an answer is written with.
pub struct Chosen {
    pub server: ModelServer,
    /// `<connection>/<model>`.
    pub model_id: String,
    pub model_name: String,
    pub system_prompt: String,
    pub temperature: Option<f64>,
}

/// The model for the next answer in `conversation`: the one asked for, else the
/// conversation's, else its persona's, else the instance's default (the first
/// model offered when none is set).
pub async fn choose(
    state: &ChatState,
    db: &Db,
    user_id: &str,
    conversation: &Conversation,
    requested: Option<&str>,
) -> Result<Chosen, ChatError> {
    let persona = match &conversation.persona_id {
        // A persona deleted since is no persona.
        Some(id) => personas::get_usable(db, user_id, id).await.ok(),
        None => None,
    };
    let model_id = match requested
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .or_else(|| conversation.model.clone())
        .or_else(|| persona.as_ref().and_then(|p| p.model.clone()))
    {
        Some(model) => model,
        None => match connections::default_model(db).await? {
            Some(model) => model,
            None => state
                .catalog
                .choices(db, &state.secrets)
                .await?
                .models
                .into_iter()
                .find(|m| m.default)
                .map(|m| m.id)
                .ok_or(ChatError::NoModel)?,
        },
    };
    let (server, model_name) = state.catalog.resolve(db, &state.secrets, &model_id).await?;
    Ok(Chosen {
        server,
        model_id,
        model_name,
        system_prompt: persona
            .as_ref()
            .map(|p| p.system_prompt.clone())
            .unwrap_or_default(),
        temperature: persona.and_then(|p| p.temperature),
    })
}

/// The writes of a turn up to its first token, in one transaction: the handler's
/// (the user's message, a dropped answer) and the new assistant message.
pub type TurnWrites = sqlx::Transaction<'static, sqlx::Any>;

/// The job of answering the conversation as `writes` leaves it, with a new
/// `streaming` assistant message for it to fill (holding the passages of the
/// conversation's knowledge it is given), offering the conversation's tools that
/// `modules` has for the user; commits `writes`.
pub async fn begin(
    (state, modules): (&ChatState, &std::sync::Arc<crate::modules::ModuleRegistry>),
    db: &Db,
    mut writes: TurnWrites,
    (user, address, conversation): (&CurrentUser, &ClientAddress, &Conversation),
    chosen: Chosen,
) -> Result<AnswerJob, ChatError> {
    let conversation_id = conversation.id.as_str();
    let stored = messages::list(&mut *writes, conversation_id).await?;
    let question = stored
        .iter()
        .rev()
        .find(|m| m.role == "user")
        .map_or("", |m| m.content.as_str());
    let sources = grounding::retrieve(db, state, user, conversation, question).await?;
    let system_prompt = grounding::system_prompt(&chosen.system_prompt, &sources);
    let history = history::build(&system_prompt, &stored, chosen.server.context_tokens);
    let message_id = messages::insert(
        &mut *writes,
        conversation_id,
        "assistant",
        "",
        Status::Streaming,
        Some(&chosen.model_id),
        Some(messages::lease_until(&chosen.server)),
    )
    .await?;
    if !sources.is_empty() {
        messages::set_sources(&mut *writes, &message_id, &sources).await?;
    }
    writes.commit().await?;
    Ok(AnswerJob {
        db: db.clone(),
        client: state.catalog.client().clone(),
        server: chosen.server,
        model_name: chosen.model_name,
        history,
        temperature: chosen.temperature,
        conversation_id: conversation_id.to_owned(),
        message_id,
        tools: Toolbox::new(
            (modules.clone(), db.clone()),
            (user.clone(), address.clone()),
            &conversation.tools,
            state.confirmations.clone(),
        ),
        in_flight: state.answering.start(),
    })
}
