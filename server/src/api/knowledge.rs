//! `/api/knowledge/…`: collections, document uploads (multipart) and downloads, and
//! search. Another user's collections and documents are "not found".

use app::knowledge_api::{
    Collection, CollectionInput, CollectionList, Document, DocumentList, DocumentPassages,
    KnowledgeSettings, KnowledgeSettingsUpdate, RejectedFile, SearchRequest, SearchResults,
    UploadResult,
};
use axum::{
    extract::{Multipart, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use gantry_sdk::{ApiError, CurrentUser, Json, Path, Query, RequireAdmin};
use serde::Deserialize;

use crate::{
    accounts::Acting,
    audit,
    chat::ChatState,
    db::Db,
    knowledge::{
        collections, documents, embeddings, error::KnowledgeError, ingest::IngestQueue, search,
    },
};

/// The most an upload request may carry (several files).
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// `GET /api/knowledge/collections`: the user's own, then the shared ones.
pub async fn list_collections(
    State(db): State<Db>,
    user: CurrentUser,
) -> Result<Json<CollectionList>, ApiError> {
    Ok(Json(CollectionList {
        collections: collections::list_readable(&db, &user).await?,
    }))
}

/// `POST /api/knowledge/collections` (`shared`: administrators only).
pub async fn create_collection(
    State(db): State<Db>,
    user: CurrentUser,
    Json(input): Json<CollectionInput>,
) -> Result<(StatusCode, Json<Collection>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(collections::create(&db, &user, &input).await?),
    ))
}

/// `GET /api/knowledge/collections/{id}`.
pub async fn get_collection(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Collection>, ApiError> {
    Ok(Json(collections::get_readable(&db, &user, &id).await?))
}

/// `PATCH /api/knowledge/collections/{id}`: its name and description.
pub async fn update_collection(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(input): Json<CollectionInput>,
) -> Result<Json<Collection>, ApiError> {
    Ok(Json(collections::update(&db, &user, &id, &input).await?))
}

/// `DELETE /api/knowledge/collections/{id}`, with its documents.
pub async fn delete_collection(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    collections::delete(&db, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which collection's documents to list.
#[derive(Debug, Deserialize)]
pub struct InCollection {
    pub collection_id: String,
}

/// `GET /api/knowledge/documents?collection_id=…`, newest first, with their status.
pub async fn list_documents(
    State(db): State<Db>,
    user: CurrentUser,
    Query(query): Query<InCollection>,
) -> Result<Json<DocumentList>, ApiError> {
    Ok(Json(DocumentList {
        documents: documents::list(&db, &user, &query.collection_id).await?,
    }))
}

/// `GET /api/knowledge/documents/{id}`.
pub async fn get_document(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Document>, ApiError> {
    Ok(Json(documents::get(&db, &user, &id).await?))
}

/// `GET /api/knowledge/documents/{id}/passages`: its text as indexed, in order.
pub async fn document_passages(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<DocumentPassages>, ApiError> {
    let (document, passages) = documents::passages(&db, &user, &id).await?;
    Ok(Json(DocumentPassages { document, passages }))
}

/// `DELETE /api/knowledge/documents/{id}`, with its chunks.
pub async fn delete_document(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    documents::delete(&db, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/knowledge/documents/{id}/original`: the uploaded file, as an attachment.
pub async fn download_document(
    State(db): State<Db>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (filename, format, bytes) = documents::original(&db, &user, &id).await?;
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent_encode(&filename)
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// RFC 5987 encoding of a file name.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `POST /api/knowledge/documents`: a multipart form with `collection_id` and one
/// or more `file` parts. Each file is checked on its own: those taken in wait for
/// ingestion, the others are listed with the reason. Nothing taken in: 400 naming
/// the first file's reason.
pub async fn upload_documents(
    State(db): State<Db>,
    State(queue): State<IngestQueue>,
    user: CurrentUser,
    mut form: Multipart,
) -> Result<(StatusCode, Json<UploadResult>), ApiError> {
    let mut collection_id = None;
    let mut files = Vec::new();
    let mut rejected = Vec::new();
    let bad_form =
        |err: axum::extract::multipart::MultipartError| KnowledgeError::Multipart(err.body_text());
    while let Some(mut field) = form.next_field().await.map_err(bad_form)? {
        match field.name() {
            Some("collection_id") => collection_id = Some(field.text().await.map_err(bad_form)?),
            Some("file") => {
                let filename = documents::clean_filename(field.file_name().unwrap_or_default());
                let mut bytes = Vec::new();
                let mut too_large = false;
                while let Some(piece) = field.chunk().await.map_err(bad_form)? {
                    if bytes.len() + piece.len() > documents::MAX_FILE_BYTES {
                        too_large = true;
                    } else {
                        bytes.extend_from_slice(&piece);
                    }
                }
                if too_large {
                    rejected.push(RejectedFile {
                        filename,
                        error: documents::too_large(documents::MAX_FILE_BYTES + 1),
                    });
                } else {
                    files.push((filename, bytes));
                }
            }
            _ => {}
        }
    }
    let collection_id = collection_id
        .ok_or_else(|| KnowledgeError::invalid("collection_id", "is missing from the form"))?;
    collections::get_manageable(&db, &user, &collection_id).await?;
    if files.is_empty() && rejected.is_empty() {
        return Err(KnowledgeError::invalid("file", "no file was sent").into());
    }
    let mut taken = Vec::new();
    for (filename, bytes) in files {
        match documents::add(&db, &user, &collection_id, &filename, &bytes).await {
            Ok(document) => taken.push(document),
            Err(KnowledgeError::Rejected { filename, reason }) => rejected.push(RejectedFile {
                filename,
                error: reason,
            }),
            Err(err) => return Err(err.into()),
        }
    }
    if taken.is_empty() {
        let first = rejected.swap_remove(0);
        return Err(KnowledgeError::Rejected {
            filename: first.filename,
            reason: first.error,
        }
        .into());
    }
    if taken.iter().any(|d| !d.duplicate) {
        queue.wake();
    }
    Ok((
        StatusCode::CREATED,
        Json(UploadResult {
            documents: taken,
            rejected,
        }),
    ))
}

/// `GET /api/admin/knowledge`: the embedding model and how far embedding is.
pub async fn get_settings(
    State(db): State<Db>,
    _admin: RequireAdmin,
) -> Result<Json<KnowledgeSettings>, ApiError> {
    Ok(Json(
        embeddings::settings(&db)
            .await
            .map_err(KnowledgeError::from)?,
    ))
}

/// `PUT /api/admin/knowledge {"embedding_model"}`: one of the models offered, or
/// `null` for full-text search alone. Chunks are embedded again in the background.
pub async fn update_settings(
    State(db): State<Db>,
    State(chat): State<ChatState>,
    State(queue): State<IngestQueue>,
    _admin: RequireAdmin,
    acting: Acting,
    Json(update): Json<KnowledgeSettingsUpdate>,
) -> Result<Json<KnowledgeSettings>, ApiError> {
    let model = update.embedding_model.as_deref().filter(|m| !m.is_empty());
    if let Some(model) = model {
        chat.catalog
            .resolve(&db, &chat.secrets, model)
            .await
            .map_err(|err| ApiError::from(err).with_field("embedding_model"))?;
    }
    embeddings::choose_model(&db, model)
        .await
        .map_err(KnowledgeError::from)?;
    audit::note(
        &db,
        acting
            .event("knowledge.embedding_model", model.unwrap_or("none"))
            .detail(match model {
                Some(model) => format!("chunks are embedded with {model}"),
                None => "full-text search alone".to_owned(),
            }),
    )
    .await;
    queue.wake();
    Ok(Json(
        embeddings::settings(&db)
            .await
            .map_err(KnowledgeError::from)?,
    ))
}

/// `POST /api/knowledge/search`: the best passages of the readable collections.
pub async fn search_knowledge(
    State(db): State<Db>,
    State(chat): State<ChatState>,
    user: CurrentUser,
    Json(request): Json<SearchRequest>,
) -> Result<Json<SearchResults>, ApiError> {
    Ok(Json(search::search(&db, &chat, &user, &request).await?))
}
