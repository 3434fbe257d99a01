//! The Admin page's Knowledge tab: the embedding model (one of a connection's
//! models, or none for search by words alone), how many passages have a vector of
//! it, and how vectors are compared.

use gantry_sdk::ToastKind;
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use crate::{
    chat_api::ConnectionStatuses,
    host_ui::use_host_ui,
    http,
    knowledge_api::{KnowledgeSettings, KnowledgeSettingsUpdate},
    pages::admin::vector_search_words,
};

const API: &str = "/api/admin/knowledge";

/// The Knowledge tab.
#[component]
pub fn KnowledgeTab() -> impl IntoView {
    let settings = LocalResource::new(|| http::get::<KnowledgeSettings>(API));
    let connections =
        LocalResource::new(|| http::get::<ConnectionStatuses>("/api/admin/llm/connections"));
    let reload = Callback::new(move |()| settings.refetch());
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the Knowledge settings…"</p> }>
            {move || {
                let answer = (settings.get()?, connections.get()?);
                Some(match answer {
                    (Ok(settings), Ok(connections)) => {
                        view! { <EmbeddingForm settings connections on_saved=reload /> }.into_any()
                    }
                    (Err(err), _) | (_, Err(err)) => view! {
                        <p class="form-error" role="alert">"Cannot load the Knowledge settings: " {err.message}</p>
                    }
                    .into_any(),
                })
            }}
        </Transition>
    }
}

/// The embedding model picker and the state of the vectors.
#[component]
fn EmbeddingForm(
    settings: KnowledgeSettings,
    connections: ConnectionStatuses,
    on_saved: Callback<()>,
) -> impl IntoView {
    let host = use_host_ui();
    let current = settings.embedding_model.clone().unwrap_or_default();
    let chosen = RwSignal::new(current.clone());
    let saving = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        error.set(None);
        let model = chosen.get_untracked();
        let update = KnowledgeSettingsUpdate {
            embedding_model: Some(model.clone()).filter(|m| !m.is_empty()),
        };
        spawn_local(async move {
            match http::send::<_, KnowledgeSettings>("PUT", API, &update).await {
                Ok(_) => {
                    host.toast(
                        ToastKind::Success,
                        if model.is_empty() {
                            "Search uses words alone now.".to_owned()
                        } else {
                            format!("Passages are embedded with {model} in the background.")
                        },
                    );
                    on_saved.run(());
                }
                Err(err) => error.set(Some(err.message)),
            }
            saving.set(false);
        });
    };
    // The chosen model stays offered when its server does not list it just now.
    let listed = connections
        .connections
        .iter()
        .flat_map(|c| &c.models)
        .any(|m| m.id == current);
    let unlisted = (!current.is_empty() && !listed).then(|| {
        let label = format!("{current} (not listed by its server now)");
        view! { <option value=current.clone()>{label}</option> }
    });
    let groups = connections
        .connections
        .into_iter()
        .filter(|c| !c.models.is_empty())
        .map(|c| {
            view! {
                <optgroup label=c.connection.name>
                    {c.models
                        .into_iter()
                        .map(|m| view! { <option value=m.id>{m.name}</option> })
                        .collect_view()}
                </optgroup>
            }
        })
        .collect_view();
    let progress = match &settings.embedding_model {
        None => "No embedding model: search and Chat's knowledge use words alone.".to_owned(),
        Some(model) if settings.embedded_chunks >= settings.chunks => format!(
            "All {} passages are embedded with {model}; search fuses words and meaning.",
            settings.chunks
        ),
        Some(model) => format!(
            "{} of {} passages are embedded with {model}; the rest are being embedded in the background (search uses words for them meanwhile).",
            settings.embedded_chunks, settings.chunks
        ),
    };
    let embedding =
        settings.embedding_model.is_some() && settings.embedded_chunks < settings.chunks;
    view! {
        <form class="card form-grid" data-form="knowledge-settings" on:submit=on_submit>
            <p data-state="embedding" role="status">{progress}</p>
            {embedding.then(|| view! {
                <p><button type="button" class="button" on:click=move |_| on_saved.run(())>"Check again"</button></p>
            })}
            <label class="field">
                <span>"Embedding model"</span>
                <select name="embedding_model"
                    prop:value=move || chosen.get()
                    on:change=move |ev| chosen.set(event_target_value(&ev))
                >
                    <option value="">"None: search by words alone"</option>
                    {unlisted}
                    {groups}
                </select>
                <small>"One of a connection's models that answers /v1/embeddings (for example nomic-embed-text on Ollama). Changing it embeds every passage again in the background."</small>
            </label>
            <dl class="facts">
                <dt>"Vector search"</dt>
                <dd>{vector_search_words(&settings.vector_search)}</dd>
            </dl>
            {move || error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <div class="button-row">
                <button type="submit" class="button button-primary" disabled=move || saving.get()>
                    {move || if saving.get() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </form>
    }
}
