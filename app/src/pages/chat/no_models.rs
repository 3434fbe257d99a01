//! The thread's empty state when no model can be picked, and the escaping of a
//! stopped answer's text.

use leptos::prelude::*;

use super::ChatContext;

/// The empty state when no model can be picked: where to add a model server, or
/// which one is not answering.
#[component]
pub fn NoModels(is_admin: bool) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    move || {
        if !chat.models_loaded.get() || !chat.models.with(Vec::is_empty) {
            return None;
        }
        let unavailable = chat.unavailable.get();
        Some(if !unavailable.is_empty() {
            view! {
                <div class="empty-state" data-state="models-unavailable" role="status">
                    <h2>"No model is answering"</h2>
                    {unavailable.into_iter().map(|u| view! { <p>{u.error}</p> }).collect_view()}
                </div>
            }
            .into_any()
        } else if is_admin {
            view! {
                <div class="empty-state" data-state="no-models">
                    <h2>"No model server is set up yet"</h2>
                    <p>"Add an OpenAI-compatible server (Ollama, vLLM, llama.cpp, OpenAI…) in " <a href="/admin/models">"Admin → Models"</a> ", or start Gantry with " <code>"--llm-url"</code> "."</p>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="empty-state" data-state="no-models">
                    <h2>"No model server is set up yet"</h2>
                    <p>"Ask an administrator to add one; then you can chat here."</p>
                </div>
            }
            .into_any()
        })
    }
}

/// `text` as HTML text.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
