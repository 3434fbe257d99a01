//! `ChatError` and `ModelServerError`: what can go wrong in Chat, each mapped to HTTP
//! once.

use axum::http::StatusCode;
use gantry_sdk::ApiError;

use crate::secrets::SecretError;

/// A model server failed to answer (reported in words that name the connection).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ModelServerError {
    #[error("cannot reach model server `{connection}` at {url}: {reason}")]
    Unreachable {
        connection: String,
        url: String,
        reason: String,
    },
    #[error("model server `{connection}` refused the API key (HTTP {status})")]
    Unauthorized { connection: String, status: u16 },
    #[error("model server `{connection}` has no model `{model}`")]
    UnknownModel { connection: String, model: String },
    #[error("model server `{connection}` answered HTTP {status}: {message}")]
    Status {
        connection: String,
        status: u16,
        message: String,
    },
    #[error("model server `{connection}` sent nothing for {secs} s and was given up on")]
    Timeout { connection: String, secs: u64 },
    #[error("model server `{connection}` ended the answer before it was complete")]
    Cut { connection: String },
    #[error("model server `{connection}` reported an error: {message}")]
    InStream { connection: String, message: String },
    #[error("model server `{connection}` sent something that is not an OpenAI-compatible answer: {reason}")]
    Invalid { connection: String, reason: String },
}

/// Why a chat request failed.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("no conversation `{0}`")]
    ConversationNotFound(String),
    #[error("no message `{0}` in this conversation")]
    MessageNotFound(String),
    #[error("no tool call `{0}` of yours is waiting for an answer")]
    ToolCallNotWaiting(String),
    #[error("message `{0}` is not one of your messages, so it cannot be edited")]
    NotUserMessage(String),
    #[error("there is no answer to regenerate: the conversation does not end with your message or an answer")]
    NothingToRegenerate,
    #[error("no persona `{0}`")]
    PersonaNotFound(String),
    #[error("the message is empty")]
    EmptyMessage,
    #[error("the message is {len} bytes long; the limit is {limit}")]
    MessageTooLong { len: usize, limit: usize },
    #[error("{0}")]
    Invalid(InvalidInput),
    #[error("unknown model `{0}`: pick one of the models offered (GET /api/models)")]
    UnknownModel(String),
    #[error(
        "no model chosen and no default model set: an administrator picks one in Admin → Models"
    )]
    NoModel,
    #[error("no model server connection `{0}`")]
    ConnectionNotFound(String),
    #[error("a connection named `{0}` exists already")]
    ConnectionNameTaken(String),
    #[error(transparent)]
    ModelServer(#[from] ModelServerError),
    #[error(transparent)]
    Knowledge(#[from] crate::knowledge::error::KnowledgeError),
    #[error("cannot read a secret: {0}")]
    Secret(#[from] SecretError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A field of a request that is not acceptable, and why.
#[derive(Debug)]
pub struct InvalidInput {
    pub field: &'static str,
    pub reason: String,
}

impl std::fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` {}", self.field, self.reason)
    }
}

impl ChatError {
    /// `field` is not acceptable because `reason`.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        ChatError::Invalid(InvalidInput {
            field,
            reason: reason.into(),
        })
    }
}

impl From<ModelServerError> for ApiError {
    fn from(err: ModelServerError) -> Self {
        let message = err.to_string();
        let (status, code) = match err {
            ModelServerError::Unreachable { .. } => {
                (StatusCode::BAD_GATEWAY, "model_server_unreachable")
            }
            ModelServerError::Unauthorized { .. } => {
                (StatusCode::BAD_GATEWAY, "model_server_unauthorized")
            }
            ModelServerError::UnknownModel { .. } => (StatusCode::BAD_REQUEST, "unknown_model"),
            ModelServerError::Timeout { .. } => {
                (StatusCode::GATEWAY_TIMEOUT, "model_server_timeout")
            }
            ModelServerError::Cut { .. } => (StatusCode::BAD_GATEWAY, "model_server_cut"),
            ModelServerError::Status { .. }
            | ModelServerError::InStream { .. }
            | ModelServerError::Invalid { .. } => (StatusCode::BAD_GATEWAY, "model_server_error"),
        };
        ApiError::new(status, code, message)
    }
}

impl From<ChatError> for ApiError {
    fn from(err: ChatError) -> Self {
        let message = err.to_string();
        match err {
            ChatError::ConversationNotFound(_)
            | ChatError::MessageNotFound(_)
            | ChatError::ToolCallNotWaiting(_) => ApiError::not_found(message),
            ChatError::PersonaNotFound(_) => ApiError::not_found(message).with_field("persona_id"),
            ChatError::ConnectionNotFound(_) => ApiError::not_found(message),
            ChatError::NotUserMessage(_) => ApiError::bad_request(message),
            ChatError::NothingToRegenerate => {
                ApiError::new(StatusCode::CONFLICT, "nothing_to_regenerate", message)
            }
            ChatError::EmptyMessage => ApiError::bad_request(message).with_field("content"),
            ChatError::MessageTooLong { .. } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "message_too_long", message)
                    .with_field("content")
            }
            ChatError::Invalid(input) => ApiError::bad_request(message).with_field(input.field),
            ChatError::UnknownModel(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, "unknown_model", message).with_field("model")
            }
            ChatError::NoModel => {
                ApiError::new(StatusCode::CONFLICT, "no_model", message).with_field("model")
            }
            ChatError::ConnectionNameTaken(_) => {
                ApiError::new(StatusCode::CONFLICT, "connection_name_taken", message)
                    .with_field("name")
            }
            ChatError::ModelServer(err) => err.into(),
            ChatError::Knowledge(err) => ApiError::from(err).with_field("knowledge"),
            ChatError::Secret(_) | ChatError::Database(_) => ApiError::internal(err),
        }
    }
}
