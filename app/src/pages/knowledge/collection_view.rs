//! The open collection: its name and description, the upload zone (when the user
//! may manage it), its documents and a search.

use leptos::prelude::*;

use super::{
    documents::{DocumentTable, Documents},
    search::SearchPanel,
    upload::UploadZone,
    KnowledgeContext,
};

/// Collection `id`, which is listed. Made again for each collection opened, so its
/// document polling stops when another one opens or the page is left.
#[component]
pub fn CollectionView(id: String) -> impl IntoView {
    let knowledge = expect_context::<KnowledgeContext>();
    let collection = {
        let id = id.clone();
        Memo::new(move |_| knowledge.find(&id))
    };
    // Whether the user may manage it does not change while it is open.
    let can_manage = collection.get_untracked().is_some_and(|c| c.can_manage);
    let documents = Documents::new(id.clone());
    // Loaded once hydrated (on the server this request never completes).
    Effect::new(move |_| documents.reload());
    let on_uploaded = Callback::new(move |()| {
        documents.reload();
        knowledge.reload_collections();
    });
    let head = move || {
        collection.get().map(|c| {
            view! {
                <h2 class="kb-title">
                    {c.name}
                    {c.shared.then(|| view! { " " <span class="badge" data-badge="shared">"shared"</span> })}
                </h2>
                {(!c.description.is_empty()).then(|| view! { <p class="kb-description">{c.description}</p> })}
                {(!c.can_manage).then(|| view! {
                    <p class="kb-muted">"Shared with everyone; administrators add and remove its documents."</p>
                })}
            }
        })
    };
    let open_id = id.clone();
    let upload_id = id.clone();
    view! {
        <article class="kb-collection-view" data-open-collection=open_id>
            <header class="kb-collection-head">{head}</header>
            {can_manage.then(|| view! { <UploadZone collection_id=upload_id on_uploaded /> })}
            <section class="kb-documents-section" aria-labelledby="kb-documents-title">
                <h3 id="kb-documents-title">"Documents"</h3>
                <Show when=move || documents.processing()>
                    <p class="kb-muted" role="status" data-state="processing">
                        "Documents are being processed; this list follows by itself."
                    </p>
                </Show>
                <DocumentTable documents can_manage />
            </section>
            <SearchPanel collection_id=id />
        </article>
    }
}
