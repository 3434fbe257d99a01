//! The open collection's documents: name (a download of the original), format, size
//! and status, with Delete where the user may manage the collection. While any
//! document is processing the list is asked for again every 1.5 s, until none is or
//! the collection is left.

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};

use super::{
    text::{format_label, human_size, status_badge},
    KnowledgeContext, API,
};
use crate::{
    host_ui::use_host_ui,
    http,
    knowledge_api::{Document, DocumentList, DocumentStatus},
};

/// How long to wait before asking again while a document is processing.
const POLL_EVERY: Duration = Duration::from_millis(1500);

/// The document list of one collection and its polling; `Copy`. Made by the
/// collection's view, whose cleanup stops the polling.
#[derive(Clone, Copy)]
pub struct Documents {
    /// `None` until the first answer (then the error text, if it failed).
    pub list: RwSignal<Option<Result<Vec<Document>, String>>>,
    collection_id: StoredValue<String>,
    /// Counts requests, so only the newest one's answer is shown and schedules the
    /// next.
    generation: StoredValue<u64>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl Documents {
    pub fn new(collection_id: String) -> Self {
        let documents = Self {
            list: RwSignal::new(None),
            collection_id: StoredValue::new(collection_id),
            generation: StoredValue::new(0),
            timer: StoredValue::new(None),
        };
        // Leaving the collection (or the page) stops the polling: the waiting timer
        // is cleared, and an answer still on its way finds its generation gone.
        on_cleanup(move || {
            if let Some(Some(timer)) = documents.timer.try_get_value() {
                timer.clear();
            }
        });
        documents
    }

    /// Asks for the list now, and again every 1.5 s while a document is processing.
    pub fn reload(self) {
        let Some(generation) = self.generation.try_update_value(|g| {
            *g += 1;
            *g
        }) else {
            return;
        };
        if let Some(Some(timer)) = self.timer.try_get_value() {
            timer.clear();
        }
        let url = format!(
            "{API}/documents?collection_id={}",
            self.collection_id.get_value()
        );
        spawn_local(async move {
            let answer = http::get::<DocumentList>(&url).await;
            if self.generation.try_get_value() != Some(generation) {
                return;
            }
            let processing = answer.as_ref().is_ok_and(|list| {
                list.documents
                    .iter()
                    .any(|d| d.status == DocumentStatus::Processing)
            });
            self.list.try_set(Some(
                answer.map(|list| list.documents).map_err(|e| e.message),
            ));
            if processing {
                let timer = set_timeout_with_handle(move || self.reload(), POLL_EVERY).ok();
                self.timer.try_set_value(timer);
            }
        });
    }

    /// Whether a document of the list is still processing.
    pub fn processing(self) -> bool {
        self.list.with(|list| {
            matches!(list, Some(Ok(docs)) if docs.iter().any(|d| d.status == DocumentStatus::Processing))
        })
    }
}

/// The table, or why there is none.
#[component]
pub fn DocumentTable(documents: Documents, can_manage: bool) -> impl IntoView {
    // A memo, so that polling redraws only the rows that changed (a focused Delete
    // button keeps its focus).
    let state = Memo::new(move |_| {
        documents.list.with(|list| match list {
            None => Err(None),
            Some(Err(message)) => Err(Some(message.clone())),
            Some(Ok(list)) => Ok(list.is_empty()),
        })
    });
    let rows = move || {
        documents
            .list
            .with(|list| list.clone().and_then(Result::ok).unwrap_or_default())
    };
    move || {
        match state.get() {
        Err(None) => view! { <p class="loading" role="status">"Loading documents…"</p> }.into_any(),
        Err(Some(message)) => view! {
            <p class="form-error" role="alert">"Cannot list the documents: " {message}</p>
        }
        .into_any(),
        Ok(true) => view! {
            <div class="empty-state" data-state="no-documents">
                <p>
                    {if can_manage {
                        "No documents yet: add some above."
                    } else {
                        "No documents yet."
                    }}
                </p>
            </div>
        }
        .into_any(),
        Ok(false) => view! {
            <table class="table kb-documents" data-table="documents">
                <thead>
                    <tr>
                        <th>"Name"</th>
                        <th>"Format"</th>
                        <th>"Size"</th>
                        <th>"Status"</th>
                        {can_manage.then(|| view! { <th><span class="visually-hidden">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=rows
                        key=|d| (d.id.clone(), d.updated_at, d.stage.clone(), d.chunk_count, d.error.clone())
                        let:document
                    >
                        <DocumentRow document documents can_manage />
                    </For>
                </tbody>
            </table>
        }
        .into_any(),
    }
    }
}

#[component]
fn DocumentRow(document: Document, documents: Documents, can_manage: bool) -> impl IntoView {
    let knowledge = expect_context::<KnowledgeContext>();
    let host = use_host_ui();
    let (status, tone) = status_badge(&document);
    let status_attr = match document.status {
        DocumentStatus::Processing => "processing",
        DocumentStatus::Ready => "ready",
        DocumentStatus::Failed => "failed",
    };
    let download = format!("{API}/documents/{}/original", document.id);
    let delete = {
        let (id, name) = (document.id.clone(), document.filename.clone());
        move |_| {
            host.confirm_delete(
                format!("Delete the document “{name}” and its passages?"),
                "the document",
                format!("{API}/documents/{id}"),
                move || {
                    documents.reload();
                    knowledge.reload_collections();
                },
            );
        }
    };
    let label = format!("Delete {}", document.filename);
    view! {
        <tr data-document=document.filename.clone() data-status=status_attr>
            <td data-label="Name" class="kb-document-name">
                <a href=download download=document.filename.clone()>{document.filename.clone()}</a>
            </td>
            <td data-label="Format">{format_label(&document)}</td>
            <td data-label="Size">{human_size(document.size_bytes)}</td>
            <td data-label="Status">
                <span class=format!("status status-{tone}") data-badge="status">{status}</span>
                {document.error.clone().map(|error| view! { <p class="status-error" data-document-error>{error}</p> })}
            </td>
            {can_manage.then(|| view! {
                <td class="kb-document-actions">
                    <button type="button" class="button button-danger button-small" data-action="delete-document" aria-label=label on:click=delete>
                        "Delete"
                    </button>
                </td>
            })}
        </tr>
    }
}
