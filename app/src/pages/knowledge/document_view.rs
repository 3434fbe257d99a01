//! `/knowledge/documents/<id>`: one document's text as indexed, passage by passage
//! (`#passage-<position>`, where Chat's citations point), with its facts and a
//! download of the original.

use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_location;

use super::{
    text::{format_label, human_size, status_badge},
    KnowledgeContext, API,
};
use crate::{
    http,
    knowledge_api::{DocumentPassage, DocumentPassages},
};

/// Document `id`, beside the collection list (its collection marked open).
#[component]
pub fn DocumentView(id: String) -> impl IntoView {
    let knowledge = expect_context::<KnowledgeContext>();
    let loaded = RwSignal::new(None::<Result<DocumentPassages, String>>);
    let url = format!("{API}/documents/{id}/passages");
    // Loaded once hydrated (on the server this request never completes).
    Effect::new(move |_| {
        let url = url.clone();
        spawn_local(async move {
            let answer = http::get::<DocumentPassages>(&url).await;
            if let Ok(found) = &answer {
                knowledge
                    .document_collection
                    .try_set(Some(found.document.collection_id.clone()));
            }
            loaded.try_set(Some(answer.map_err(|e| e.message)));
        });
    });
    on_cleanup(move || {
        knowledge.document_collection.try_set(None);
    });
    // The passage a citation points to: marked, and scrolled to once it is there
    // (the browser looked for it before it was loaded).
    let location = use_location();
    let cited = Memo::new(move |_| {
        location
            .hash
            .with(|hash| hash.trim_start_matches('#').to_owned())
    });
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let ready = loaded.with(|l| matches!(l, Some(Ok(_))));
        let target = cited.get();
        if ready && !target.is_empty() {
            if let Some(element) = document().get_element_by_id(&target) {
                element.scroll_into_view();
            }
        }
    });
    move || match loaded.get() {
        None => view! { <p class="loading" role="status">"Loading the document…"</p> }.into_any(),
        Some(Err(message)) => view! {
            <div class="empty-state" role="alert" data-state="document-missing">
                <p>"Cannot show this document: " {message}</p>
            </div>
        }
        .into_any(),
        Some(Ok(DocumentPassages { document, passages })) => {
            let (status, tone) = status_badge(&document);
            let back = format!("/knowledge/{}", document.collection_id);
            let download = format!("{API}/documents/{}/original", document.id);
            let name = document.filename.clone();
            view! {
                <article class="kb-collection-view" data-open-document=document.id.clone()>
                    <header class="kb-collection-head">
                        <p><a href=back>"← Back to the collection"</a></p>
                        <h2 class="kb-title">{document.filename.clone()}</h2>
                        <p class="kb-muted">
                            {format_label(&document)} ", " {human_size(document.size_bytes)} " "
                            <span class=format!("status status-{tone}")>{status}</span> " "
                            <a href=download download=name>"Download the original"</a>
                        </p>
                        {document.error.clone().map(|error| view! { <p class="status-error">{error}</p> })}
                    </header>
                    {if passages.is_empty() {
                        view! { <p class="kb-muted">"No passages: the document is not indexed yet."</p> }.into_any()
                    } else {
                        view! {
                            <ol class="kb-passages" data-list="document-passages">
                                {passages
                                    .into_iter()
                                    .map(|passage| view! { <PassageItem passage cited /> })
                                    .collect_view()}
                            </ol>
                        }
                        .into_any()
                    }}
                </article>
            }
            .into_any()
        }
    }
}

#[component]
fn PassageItem(passage: DocumentPassage, cited: Memo<String>) -> impl IntoView {
    let anchor = format!("passage-{}", passage.position);
    let is_cited = {
        let anchor = anchor.clone();
        move || cited.with(|c| *c == anchor)
    };
    view! {
        <li id=anchor class="kb-passage" class:kb-passage-cited=is_cited>
            <div class="kb-passage-head">
                {passage.heading.map(|heading| view! { <strong class="kb-passage-heading">{heading}</strong> })}
                {passage.page.map(|page| view! { <span class="badge">{format!("page {page}")}</span> })}
            </div>
            <p class="kb-passage-text">{passage.text}</p>
        </li>
    }
}
