//! The collection list: the user's own, then the shared ones (marked), each a link
//! to its documents, with rename and delete where the user may manage it; the form
//! for a new one below.

use gantry_sdk::ToastKind;
use leptos::{ev, prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use super::{new_collection::NewCollectionForm, KnowledgeContext, API};
use crate::{
    host_ui::use_host_ui,
    http::{self, ApiFailure},
    knowledge_api::{Collection, CollectionInput},
};

/// The left-hand side of the page.
#[component]
pub fn CollectionList() -> impl IntoView {
    let knowledge = expect_context::<KnowledgeContext>();
    // A memo, so that a reload redraws only the rows that changed (see below).
    let state = Memo::new(move |_| match knowledge.loaded.get() {
        None => Err(None),
        Some(Err(message)) => Err(Some(message)),
        Some(Ok(())) => Ok(knowledge.collections.with(Vec::is_empty)),
    });
    let rows = move || match state.get() {
        Err(None) => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
        Err(Some(message)) => view! {
            <p class="form-error" role="alert">"Cannot list your collections: " {message}</p>
        }
        .into_any(),
        Ok(true) => view! { <p class="kb-muted">"None yet."</p> }.into_any(),
        // Keyed by what a row shows, so a reload keeps the rows that did not change
        // (and a rename being typed in one of them).
        Ok(false) => view! {
            <ul class="kb-collection-list" data-list="collections">
                <For
                    each=move || knowledge.collections.get()
                    key=|c| (c.id.clone(), c.name.clone(), c.updated_at, c.document_count)
                    let:collection
                >
                    <Row collection />
                </For>
            </ul>
        }
        .into_any(),
    };
    view! {
        <aside class="kb-collections" aria-labelledby="kb-collections-title">
            <h2 id="kb-collections-title">"Collections"</h2>
            {rows}
            <NewCollectionForm />
        </aside>
    }
}

/// One collection in the list.
#[component]
fn Row(collection: Collection) -> impl IntoView {
    let knowledge = expect_context::<KnowledgeContext>();
    let id = collection.id.clone();
    let href = format!("/knowledge/{id}");
    let is_current = {
        let id = id.clone();
        move || knowledge.selected.get().as_deref() == Some(id.as_str())
    };
    let renaming = RwSignal::new(false);
    let documents = match collection.document_count {
        1 => "1 document".to_owned(),
        n => format!("{n} documents"),
    };
    let shown = {
        let collection = collection.clone();
        let is_current = is_current.clone();
        move || {
            let current = is_current.clone();
            let actions = collection.can_manage.then(|| {
                view! {
                    <span class="kb-row-actions">
                        <button
                            type="button"
                            class="icon-button"
                            data-action="rename-collection"
                            aria-label=format!("Rename {}", collection.name)
                            title="Rename"
                            on:click=move |_| renaming.set(true)
                        >
                            "✎"
                        </button>
                        <DeleteButton collection=collection.clone() />
                    </span>
                }
            });
            view! {
                // A plain link (the router still takes it), so that the first
                // collection, open at `/knowledge`, is marked current too.
                <a
                    href=href.clone()
                    class="kb-collection-link"
                    aria-current=move || current().then_some("page")
                >
                    <span class="kb-collection-name">{collection.name.clone()}</span>
                    {collection.shared.then(|| view! { <span class="badge" data-badge="shared">"shared"</span> })}
                    <span class="kb-muted kb-collection-count">{documents.clone()}</span>
                </a>
                {actions}
            }
        }
    };
    let name = collection.name.clone();
    view! {
        <li
            class="kb-collection"
            class:kb-collection-current=is_current
            data-collection=name
        >
            <Show
                when=move || renaming.get()
                fallback=shown
            >
                <RenameForm collection=collection.clone() renaming />
            </Show>
        </li>
    }
}

/// Delete, after the host's confirmation.
#[component]
fn DeleteButton(collection: Collection) -> impl IntoView {
    let knowledge = expect_context::<KnowledgeContext>();
    let host = use_host_ui();
    let navigate = use_navigate();
    let label = format!("Delete {}", collection.name);
    let delete = move |_| {
        let Collection { id, name, .. } = collection.clone();
        let navigate = navigate.clone();
        let documents = match collection.document_count {
            0 => String::new(),
            1 => " and its document".to_owned(),
            n => format!(" and its {n} documents"),
        };
        host.confirm_delete(
            format!("Delete the collection “{name}”{documents}?"),
            "the collection",
            format!("{API}/collections/{id}"),
            move || {
                let was_open = knowledge.selected.get_untracked().as_deref() == Some(id.as_str());
                knowledge
                    .collections
                    .try_update(|list| list.retain(|c| c.id != id));
                host.toast(ToastKind::Success, format!("Deleted “{name}”."));
                if was_open {
                    navigate("/knowledge", Default::default());
                }
            },
        );
    };
    view! {
        <button
            type="button"
            class="icon-button"
            data-action="delete-collection"
            aria-label=label
            title="Delete"
            on:click=delete
        >
            "×"
        </button>
    }
}

/// The name and description of `collection`, edited in place: Enter or Save keeps
/// them, Escape or Cancel leaves them.
#[component]
fn RenameForm(collection: Collection, renaming: RwSignal<bool>) -> impl IntoView {
    let knowledge = expect_context::<KnowledgeContext>();
    let name = RwSignal::new(collection.name.clone());
    let description = RwSignal::new(collection.description.clone());
    let error = RwSignal::new(None::<ApiFailure>);
    let busy = RwSignal::new(false);
    let name_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = name_input.get() {
            let _ = input.focus();
        }
    });
    let id = collection.id.clone();
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let input = CollectionInput {
            name: name.get_untracked().trim().to_owned(),
            description: description.get_untracked().trim().to_owned(),
            shared: false,
        };
        let url = format!("{API}/collections/{id}");
        busy.set(true);
        spawn_local(async move {
            match http::send::<_, Collection>("PATCH", &url, &input).await {
                Ok(changed) => {
                    renaming.try_set(false);
                    knowledge.upsert(changed);
                }
                Err(err) => {
                    error.try_set(Some(err));
                    busy.try_set(false);
                }
            }
        });
    };
    let on_keydown = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            renaming.set(false);
        }
    };
    view! {
        <form class="kb-rename form-grid" data-form="rename-collection" on:submit=submit on:keydown=on_keydown>
            {move || error.get().map(|err| view! { <p class="form-error" role="alert">{err.message}</p> })}
            <label class="field">
                <span>"Name"</span>
                <input name="name" required maxlength="100" node_ref=name_input bind:value=name />
            </label>
            <label class="field">
                <span>"Description"</span>
                <input name="description" maxlength="1000" bind:value=description />
            </label>
            <div class="button-row">
                <button type="submit" class="button button-primary button-small" disabled=move || busy.get()>"Save"</button>
                <button type="button" class="button button-small" on:click=move |_| renaming.set(false)>"Cancel"</button>
            </div>
        </form>
    }
}
