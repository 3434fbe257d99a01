//! The JSON of the Knowledge Vault's APIs (`/api/knowledge/…`), shared by the server
//! that answers and the pages that ask.

use serde::{Deserialize, Serialize};

/// A collection of documents: a user's own, or shared (everyone reads it,
/// administrators manage it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Collection {
    pub id: String,
    pub name: String,
    pub description: String,
    pub shared: bool,
    /// Whether the asking user may add, change and delete (its owner, or an
    /// administrator for a shared one).
    pub can_manage: bool,
    pub document_count: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// `POST /api/knowledge/collections` and `PATCH …/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// A shared collection (administrators only; on creation only).
    #[serde(default)]
    pub shared: bool,
}

/// `GET /api/knowledge/collections`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollectionList {
    pub collections: Vec<Collection>,
}

/// Where a document is in its ingestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentStatus {
    /// Waiting or being ingested (`stage` says which step).
    Processing,
    /// Searchable.
    Ready,
    /// Not ingested (`error` says why).
    Failed,
}

/// A document, as listed and as returned by an upload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub collection_id: String,
    pub filename: String,
    /// What the content is: `pdf`, `docx`, `markdown`, `html`, `csv` or `text`.
    pub format: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, in hex.
    pub content_hash: String,
    pub status: DocumentStatus,
    /// While processing: `waiting`, `extracting` or `indexing`.
    pub stage: Option<String>,
    /// Why it failed, in words.
    pub error: Option<String>,
    /// A PDF's pages.
    pub page_count: Option<i64>,
    pub chunk_count: i64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// `GET /api/knowledge/documents?collection_id=…`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentList {
    pub documents: Vec<Document>,
}

/// One file of an upload that was taken in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadedDocument {
    #[serde(flatten)]
    pub document: Document,
    /// The collection had this very content already: this is that document.
    pub duplicate: bool,
}

/// One file of an upload that was refused, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RejectedFile {
    pub filename: String,
    pub error: String,
}

/// `POST /api/knowledge/documents` (multipart: `collection_id`, then `file` parts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UploadResult {
    pub documents: Vec<UploadedDocument>,
    pub rejected: Vec<RejectedFile>,
}

/// `POST /api/knowledge/search`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    pub query: String,
    /// Only these collections (each must be readable); all readable ones if absent.
    #[serde(default)]
    pub collection_ids: Option<Vec<String>>,
    /// How many passages (1 to 50; 8 if absent).
    #[serde(default)]
    pub top_k: Option<u32>,
}

/// A passage found by a search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    pub document_id: String,
    pub document_name: String,
    pub collection_id: String,
    /// The chunk's place in its document, from 0.
    pub position: i64,
    /// The section heading it is under.
    pub heading: Option<String>,
    /// The PDF page it starts on, from 1.
    pub page: Option<i64>,
    pub text: String,
    /// Higher is more relevant (comparable within one search only).
    pub score: f64,
}

/// How a search ranked its passages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    /// Words only: no embedding model is configured.
    FullText,
    /// Words and meaning (vector similarity), fused.
    Hybrid,
}

/// The answer of `POST /api/knowledge/search`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub passages: Vec<Passage>,
    pub mode: SearchMode,
}

/// One chunk of a document, as the document view shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentPassage {
    pub position: i64,
    pub heading: Option<String>,
    pub page: Option<i64>,
    pub text: String,
}

/// `GET /api/knowledge/documents/{id}/passages`: a document's text as indexed, in
/// order (what citations point into).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentPassages {
    pub document: Document,
    pub passages: Vec<DocumentPassage>,
}

/// `GET /api/admin/knowledge`: how the Knowledge Vault searches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeSettings {
    /// The model chunks and questions are embedded with (`<connection>/<model>`);
    /// `None`: full-text search alone.
    pub embedding_model: Option<String>,
    /// How vectors are compared: `sqlite-vec`, or `exact` (PostgreSQL without
    /// pgvector).
    pub vector_search: String,
    pub chunks: i64,
    /// Chunks with a vector of the current model (the rest are being embedded).
    pub embedded_chunks: i64,
}

/// `PUT /api/admin/knowledge`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeSettingsUpdate {
    pub embedding_model: Option<String>,
}
