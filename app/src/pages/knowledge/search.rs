//! Searching the open collection (or every readable one): the best passages, each
//! with its document (a link to the passage in the document's view), section
//! heading, page and score, shown as an excerpt around the words searched for.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use super::{
    text::{excerpt, Piece},
    KnowledgeContext, API,
};
use crate::{
    http,
    knowledge_api::{Passage, SearchMode, SearchRequest, SearchResults},
};

/// How many passages a search asks for.
const TOP_K: u32 = 10;
/// About how many characters of a passage are shown.
const EXCERPT_CHARS: usize = 320;

/// The search form and its results, below the document list of `collection_id`.
#[component]
pub fn SearchPanel(collection_id: String) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let everywhere = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // The query the results are for, with the answer.
    let results = RwSignal::new(None::<(String, Result<SearchResults, String>)>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = query.get_untracked().trim().to_owned();
        if text.is_empty() {
            results.set(None);
            return;
        }
        let request = SearchRequest {
            query: text.clone(),
            collection_ids: (!everywhere.get_untracked()).then(|| vec![collection_id.clone()]),
            top_k: Some(TOP_K),
        };
        busy.set(true);
        spawn_local(async move {
            let answer = http::send::<_, SearchResults>("POST", &format!("{API}/search"), &request)
                .await
                .map_err(|e| e.message);
            results.try_set(Some((text, answer)));
            busy.try_set(false);
        });
    };
    view! {
        <section class="kb-search" aria-labelledby="kb-search-title">
            <h3 id="kb-search-title">"Search"</h3>
            <form class="kb-search-form" role="search" data-form="search" on:submit=submit>
                <input
                    type="search"
                    name="query"
                    aria-label="Search the documents"
                    placeholder="Words to look for"
                    bind:value=query
                />
                <label class="checkbox">
                    <input type="checkbox" name="everywhere" bind:checked=everywhere />
                    <span>"In all collections"</span>
                </label>
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Searching…" } else { "Search" }}
                </button>
            </form>
            {move || results.get().map(|(text, answer)| view! { <Results text answer /> })}
        </section>
    }
}

#[component]
fn Results(text: String, answer: Result<SearchResults, String>) -> impl IntoView {
    let knowledge = expect_context::<KnowledgeContext>();
    let results = match answer {
        Err(message) => {
            return view! { <p class="form-error" role="alert">"Search failed: " {message}</p> }
                .into_any()
        }
        Ok(results) => results,
    };
    if results.passages.is_empty() {
        return view! { <p class="kb-muted" role="status" data-state="nothing-found">"Nothing found."</p> }
            .into_any();
    }
    let mode = match results.mode {
        SearchMode::FullText => "Ranked by the words they share with the search.",
        SearchMode::Hybrid => "Ranked by words and by meaning.",
    };
    let mut passages = results.passages;
    passages.sort_by(|a, b| b.score.total_cmp(&a.score));
    let several_collections = passages
        .iter()
        .any(|p| p.collection_id != passages[0].collection_id);
    view! {
        <p class="kb-muted" role="status">
            {format!("{} passage{}. ", passages.len(), if passages.len() == 1 { "" } else { "s" })}
            {mode}
        </p>
        <ol class="kb-passages" data-list="passages">
            {passages
                .into_iter()
                .map(|passage| {
                    let collection = several_collections
                        .then(|| knowledge.find(&passage.collection_id).map(|c| c.name))
                        .flatten();
                    view! { <PassageView passage query=text.clone() collection /> }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn PassageView(passage: Passage, query: String, collection: Option<String>) -> impl IntoView {
    let pieces = excerpt(&passage.text, &query, EXCERPT_CHARS);
    let href = format!(
        "/knowledge/documents/{}#passage-{}",
        passage.document_id, passage.position
    );
    view! {
        <li class="kb-passage" data-document=passage.document_name.clone()>
            <div class="kb-passage-head">
                <a class="kb-passage-document" href=href title="Open the document at this passage">
                    {passage.document_name.clone()}
                </a>
                {passage.heading.clone().map(|heading| view! { <span class="kb-passage-heading">{heading}</span> })}
                {passage.page.map(|page| view! { <span class="badge">{format!("page {page}")}</span> })}
                {collection.map(|name| view! { <span class="badge">{name}</span> })}
                <span class="kb-muted kb-passage-score" title="Relevance (comparable within this search only)">
                    {format!("score {:.2}", passage.score)}
                </span>
            </div>
            <p class="kb-passage-text">
                {pieces
                    .into_iter()
                    .map(|Piece { text, hit }| {
                        if hit {
                            view! { <mark>{text}</mark> }.into_any()
                        } else {
                            text.into_any()
                        }
                    })
                    .collect_view()}
            </p>
        </li>
    }
}
