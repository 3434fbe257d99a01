//! `/knowledge`, `/knowledge/<collection id>` and `/knowledge/documents/<id>`: the
//! Knowledge Vault. The user's collections beside the open one (its documents,
//! uploads and a search) or one document's passages; what both halves need (the
//! list, which collection is open) is a [`KnowledgeContext`].

mod collection_view;
mod collections;
mod document_view;
mod documents;
mod new_collection;
mod search;
mod text;
mod upload;

use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{
    components::{Outlet, A},
    hooks::use_location,
};

use crate::{
    bootstrap::use_bootstrap,
    http,
    knowledge_api::{Collection, CollectionList},
};
use collection_view::CollectionView;
use collections::CollectionList as CollectionListPanel;
use document_view::DocumentView;

/// Where the page's JSON lives.
const API: &str = "/api/knowledge";

/// What the list and the open collection share; `Copy`, provided by
/// [`KnowledgePage`].
#[derive(Clone, Copy)]
pub struct KnowledgeContext {
    /// Own collections first, then the shared ones, each by name (the server's order).
    pub collections: RwSignal<Vec<Collection>>,
    /// `None` until the first answer (then the error text, if it failed).
    pub loaded: RwSignal<Option<Result<(), String>>>,
    /// The open collection: the one in the path, the open document's, else the first.
    pub selected: Memo<Option<String>>,
    /// The collection of the document shown, once loaded.
    pub document_collection: RwSignal<Option<String>>,
    pub is_admin: bool,
}

impl KnowledgeContext {
    /// Asks for the collection list again (after an upload or a deletion, for the
    /// document counts).
    pub fn reload_collections(self) {
        spawn_local(async move {
            match http::get::<CollectionList>(&format!("{API}/collections")).await {
                Ok(list) => {
                    self.collections.try_set(list.collections);
                    self.loaded.try_set(Some(Ok(())));
                }
                Err(err) => {
                    self.loaded.try_set(Some(Err(err.message)));
                }
            }
        });
    }

    /// Puts `collection` at its place in the list (new or changed).
    pub fn upsert(self, collection: Collection) {
        self.collections.try_update(|list| {
            list.retain(|c| c.id != collection.id);
            list.push(collection);
            sort_collections(list);
        });
    }

    /// Collection `id`, if listed (tracked).
    pub fn find(self, id: &str) -> Option<Collection> {
        self.collections
            .with(|list| list.iter().find(|c| c.id == id).cloned())
    }
}

/// The server's order: own collections before shared ones, then by name.
fn sort_collections(list: &mut [Collection]) {
    list.sort_by(|a, b| {
        a.shared
            .cmp(&b.shared)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// What a path under `/knowledge` opens.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Opened {
    /// `/knowledge`: the first collection, if any.
    First,
    Collection(String),
    Document(String),
}

fn opened(path: &str) -> Opened {
    let rest = path
        .strip_prefix("/knowledge")
        .unwrap_or_default()
        .trim_matches('/');
    match rest.split_once('/') {
        _ if rest.is_empty() => Opened::First,
        Some(("documents", id)) if !id.is_empty() => Opened::Document(id.to_owned()),
        Some(_) => Opened::First,
        None => Opened::Collection(rest.to_owned()),
    }
}

/// What the right-hand side shows.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Panel {
    Loading,
    /// The list failed (the left-hand side says why).
    Failed,
    /// No collection at all.
    Empty,
    /// The path names a collection that is not (or no longer) listed.
    Missing,
    Open(String),
    Document(String),
}

/// The Knowledge page.
#[component]
pub fn KnowledgePage() -> impl IntoView {
    let location = use_location();
    let path = Memo::new(move |_| location.pathname.with(|path| opened(path)));
    let collections = RwSignal::new(Vec::<Collection>::new());
    let document_collection = RwSignal::new(None::<String>);
    let selected = Memo::new(move |_| match path.get() {
        Opened::Collection(id) => Some(id),
        Opened::Document(_) => document_collection.get(),
        Opened::First => collections.with(|list| list.first().map(|c| c.id.clone())),
    });
    let knowledge = KnowledgeContext {
        collections,
        loaded: RwSignal::new(None),
        selected,
        document_collection,
        is_admin: use_bootstrap().user.is_some_and(|u| u.is_admin),
    };
    provide_context(knowledge);
    // Loaded once hydrated (on the server this request never completes).
    Effect::new(move |_| knowledge.reload_collections());
    let panel = Memo::new(move |_| match (path.get(), knowledge.loaded.get()) {
        (Opened::Document(id), _) => Panel::Document(id),
        (_, None) => Panel::Loading,
        (_, Some(Err(_))) => Panel::Failed,
        (_, Some(Ok(()))) => match selected.get() {
            None => Panel::Empty,
            Some(id) if collections.with(|list| list.iter().any(|c| c.id == id)) => Panel::Open(id),
            Some(_) => Panel::Missing,
        },
    });
    view! {
        <Title text="Knowledge" />
        <section class="page kb-page" data-page="knowledge">
            <header class="kb-head">
                <h1>"Knowledge"</h1>
                <p class="lede">
                    "Collections of documents to search. Uploads are read, cut into passages and indexed in the background."
                </p>
            </header>
            <div class="kb-layout">
                <CollectionListPanel />
                <div class="kb-main">
                    {move || match panel.get() {
                        Panel::Loading => view! {
                            <p class="loading" role="status">"Loading collections…"</p>
                        }
                        .into_any(),
                        Panel::Failed => ().into_any(),
                        Panel::Empty => view! {
                            <div class="empty-state" data-state="no-collections">
                                <p>"No collection yet. Create one to add documents to it."</p>
                            </div>
                        }
                        .into_any(),
                        Panel::Missing => view! {
                            <div class="empty-state" role="alert" data-state="collection-missing">
                                <p>"This collection does not exist, or you may not read it."</p>
                                <p><A href="/knowledge">"Back to your collections"</A></p>
                            </div>
                        }
                        .into_any(),
                        Panel::Open(id) => view! { <CollectionView id /> }.into_any(),
                        Panel::Document(id) => view! { <DocumentView id /> }.into_any(),
                    }}
                </div>
            </div>
            <Outlet />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_open_a_collection_or_a_document() {
        assert_eq!(opened("/knowledge"), Opened::First);
        assert_eq!(opened("/knowledge/"), Opened::First);
        assert_eq!(opened("/knowledge/abc"), Opened::Collection("abc".into()));
        assert_eq!(opened("/knowledge/abc/"), Opened::Collection("abc".into()));
        assert_eq!(
            opened("/knowledge/documents/d1"),
            Opened::Document("d1".into())
        );
        assert_eq!(
            opened("/knowledge/documents/"),
            Opened::Collection("documents".into())
        );
        assert_eq!(opened("/knowledge/a/b"), Opened::First);
    }
}
