//! The Knowledge Vault: each user's collections of documents (and shared ones),
//! ingested in the background into chunks that Chat's answers are grounded in.
//!
//! `formats` tells what an upload is, `extract` reads its text, `chunking` splits
//! it, `embeddings` makes vectors of it, `ingest` is the background worker,
//! `search` finds passages (words and, with an embedding model, meaning); `collections`
//! and `documents` are the stored data. The HTTP handlers are in
//! `crate::api::knowledge`.

pub mod chunking;
pub mod collections;
pub mod documents;
pub mod embeddings;
pub mod error;
pub mod extract;
pub mod formats;
pub mod ingest;
pub mod search;
