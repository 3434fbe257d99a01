//! Chat, the core of Gantry: conversations with OpenAI-compatible model servers.
//!
//! `connections` and `catalog` know the model servers and their models,
//! `conversations`, `messages` and `personas` are the stored data, `turn` starts an
//! answer (with `grounding`'s passages of the user's documents and the module
//! tools of `tools`) and `answer` streams it; `search`, `export` and `markdown` serve the page.
//! The HTTP handlers are in `crate::api::chat`.

pub mod answer;
pub mod catalog;
pub mod confirmations;
pub mod connections;
pub mod conversations;
pub mod error;
pub mod export;
pub mod grounding;
pub mod history;
pub mod markdown;
pub mod messages;
pub mod model_client;
pub mod page_status;
pub mod personas;
pub mod search;
pub mod tools;
pub mod turn;

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use crate::secrets::Secrets;

/// What Chat's handlers share: the model catalog (with its pooled HTTP client) and
/// the secrets that hold the connections' API keys.
#[derive(Clone, Debug)]
pub struct ChatState {
    pub catalog: catalog::ModelCatalog,
    pub secrets: Secrets,
    /// Tool calls waiting for their user's OK.
    pub confirmations: confirmations::Confirmations,
    /// The answers being written now (for `/metrics`).
    pub answering: AnswersInFlight,
}

/// How many answers are being written now.
#[derive(Clone, Debug, Default)]
pub struct AnswersInFlight(Arc<AtomicI64>);

impl AnswersInFlight {
    /// Counts one more until the returned guard is dropped.
    pub fn start(&self) -> AnswerInFlight {
        self.0.fetch_add(1, Ordering::Relaxed);
        AnswerInFlight(self.0.clone())
    }

    pub fn count(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// One answer being written; counted until dropped.
#[derive(Debug)]
pub struct AnswerInFlight(Arc<AtomicI64>);

impl Drop for AnswerInFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl ChatState {
    pub fn new(secrets: Secrets) -> Self {
        Self {
            catalog: catalog::ModelCatalog::default(),
            secrets,
            confirmations: confirmations::Confirmations::default(),
            answering: AnswersInFlight::default(),
        }
    }
}
