//! `/`: the chat page.

use leptos::prelude::*;
use leptos_meta::Title;

/// Where conversations will happen; for now it says so.
#[component]
pub fn ChatPage() -> impl IntoView {
    view! {
        <Title text="Chat" />
        <section class="page" data-page="chat">
            <h1>"Chat"</h1>
            <p class="lede">"Conversations with your assistants will live here."</p>
            <div class="empty-state">
                <p>"Chat is not built yet. The shell, the sidebar and the theme around it are."</p>
            </div>
        </section>
    }
}
