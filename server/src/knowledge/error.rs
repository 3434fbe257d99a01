//! `KnowledgeError`: what can go wrong in the Knowledge Vault, mapped to HTTP once.

use axum::http::StatusCode;
use gantry_sdk::ApiError;

/// Why a Knowledge Vault request failed.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error("no collection `{0}`")]
    CollectionNotFound(String),
    #[error("no document `{0}`")]
    DocumentNotFound(String),
    #[error("only administrators manage the shared collection `{0}`")]
    SharedCollection(String),
    #[error("only administrators create shared collections")]
    SharingNeedsAdmin,
    #[error("`{field}` {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("`{filename}`: {reason}")]
    Rejected { filename: String, reason: String },
    #[error("the upload is not a multipart form this endpoint understands: {0}")]
    Multipart(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl KnowledgeError {
    /// `field` is not acceptable because `reason`.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        KnowledgeError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

impl From<KnowledgeError> for ApiError {
    fn from(err: KnowledgeError) -> Self {
        let message = err.to_string();
        match err {
            KnowledgeError::CollectionNotFound(_) | KnowledgeError::DocumentNotFound(_) => {
                ApiError::not_found(message)
            }
            KnowledgeError::SharedCollection(_) | KnowledgeError::SharingNeedsAdmin => {
                ApiError::forbidden(message)
            }
            KnowledgeError::Invalid { field, .. } => {
                ApiError::bad_request(message).with_field(field)
            }
            KnowledgeError::Rejected { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "file_rejected", message).with_field("file")
            }
            KnowledgeError::Multipart(_) => ApiError::bad_request(message),
            KnowledgeError::Database(_) => ApiError::internal(err),
        }
    }
}
