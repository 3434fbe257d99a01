//! The thread header's Knowledge picker: which of the user's collections, or single
//! documents of them, the conversation's answers draw on. Each change is applied at
//! once (a started conversation is patched; a new one keeps the choice until it
//! starts).

use leptos::{prelude::*, task::spawn_local};

use crate::{
    chat_api::ConversationKnowledge,
    http,
    knowledge_api::{Collection, CollectionList, DocumentList, DocumentStatus},
};

/// What the collections list shows.
#[derive(Clone, Debug, PartialEq)]
enum Listed {
    NotYet,
    Loading,
    Ready(Vec<Collection>),
    Failed(String),
}

/// The picker for `knowledge`; `on_change` gets the whole new choice.
#[component]
pub fn KnowledgePicker(
    knowledge: Signal<ConversationKnowledge>,
    on_change: Callback<ConversationKnowledge>,
) -> impl IntoView {
    let listed = RwSignal::new(Listed::NotYet);
    let load = move || {
        listed.set(Listed::Loading);
        spawn_local(async move {
            listed.set(
                match http::get::<CollectionList>("/api/knowledge/collections").await {
                    Ok(list) => Listed::Ready(list.collections),
                    Err(err) => Listed::Failed(err.message),
                },
            );
        });
    };
    // `toggle` follows each opening and closing.
    let open = StoredValue::new(false);
    let on_toggle = move |_| {
        open.update_value(|o| *o = !*o);
        if open.get_value() && !matches!(listed.get_untracked(), Listed::Ready(_) | Listed::Loading)
        {
            load();
        }
    };
    let count = move || knowledge.with(|k| k.collection_ids.len() + k.document_ids.len());
    let toggle_collection = move |id: String, on: bool| {
        let mut next = knowledge.get_untracked();
        next.collection_ids.retain(|c| *c != id);
        if on {
            next.collection_ids.push(id);
        }
        on_change.run(next);
    };
    view! {
        <details class="knowledge-picker" data-knowledge-picker on:toggle=on_toggle>
            <summary class="button button-small">
                "Knowledge"
                {move || (count() > 0).then(|| view! { <span class="badge" data-knowledge-count>{count()}</span> })}
            </summary>
            <div class="knowledge-panel" role="group" aria-label="Knowledge for this conversation">
                {move || match listed.get() {
                    Listed::NotYet | Listed::Loading => view! { <p class="loading" role="status">"Loading collections…"</p> }.into_any(),
                    Listed::Failed(message) => view! {
                        <p class="form-error" role="alert">"Cannot load collections: " {message}</p>
                        <button type="button" class="button button-small" on:click=move |_| load()>"Try again"</button>
                    }.into_any(),
                    Listed::Ready(collections) if collections.is_empty() => view! {
                        <p class="source-place">"No collections yet. Add documents in " <a href="/knowledge">"Knowledge"</a> "."</p>
                    }.into_any(),
                    Listed::Ready(collections) => collections.into_iter().map(|collection| {
                        let id = collection.id.clone();
                        let checked = {
                            let id = id.clone();
                            move || knowledge.with(|k| k.collection_ids.contains(&id))
                        };
                        let on_input = {
                            let id = id.clone();
                            move |ev| toggle_collection(id.clone(), event_target_checked(&ev))
                        };
                        view! {
                            <div class="knowledge-collection">
                                <label>
                                    <input type="checkbox" prop:checked=checked on:change=on_input />
                                    {collection.name.clone()}
                                    {collection.shared.then_some(" (shared)")}
                                    <span class="source-place">{format!(" · {} documents", collection.document_count)}</span>
                                </label>
                                <SingleDocuments collection_id=id knowledge on_change />
                            </div>
                        }
                    }).collect_view().into_any(),
                }}
            </div>
        </details>
    }
}

/// A collection's ready documents, each to pick on its own (loaded when opened).
#[component]
fn SingleDocuments(
    collection_id: String,
    knowledge: Signal<ConversationKnowledge>,
    on_change: Callback<ConversationKnowledge>,
) -> impl IntoView {
    let documents = RwSignal::new(None::<Result<DocumentList, String>>);
    let open = StoredValue::new(false);
    let on_toggle = move |_| {
        open.update_value(|o| *o = !*o);
        if open.get_value() && documents.get_untracked().is_none() {
            let url = format!("/api/knowledge/documents?collection_id={collection_id}");
            spawn_local(async move {
                documents.set(Some(
                    http::get::<DocumentList>(&url).await.map_err(|e| e.message),
                ));
            });
        }
    };
    let toggle = move |id: String, on: bool| {
        let mut next = knowledge.get_untracked();
        next.document_ids.retain(|d| *d != id);
        if on {
            next.document_ids.push(id);
        }
        on_change.run(next);
    };
    view! {
        <details class="knowledge-documents" on:toggle=on_toggle>
            <summary>"Single documents"</summary>
            {move || match documents.get() {
                None => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                Some(Ok(list)) => list.documents.into_iter()
                    .filter(|d| d.status == DocumentStatus::Ready)
                    .map(|doc| {
                        let id = doc.id.clone();
                        let checked = {
                            let id = id.clone();
                            move || knowledge.with(|k| k.document_ids.contains(&id))
                        };
                        view! {
                            <label class="knowledge-document">
                                <input type="checkbox" prop:checked=checked
                                    on:change=move |ev| toggle(id.clone(), event_target_checked(&ev)) />
                                {doc.filename}
                            </label>
                        }
                    })
                    .collect_view()
                    .into_any(),
            }}
        </details>
    }
}
