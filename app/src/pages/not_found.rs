//! What any unknown path shows.

use leptos::prelude::*;
use leptos_meta::Title;

/// The 404 page; on the server it also sets the response status to 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <section class="page" data-page="not-found">
            <h1>"Page not found"</h1>
            <p class="lede">"Nothing lives at this address."</p>
            <p>
                <a href="/">"Back to Chat"</a>
            </p>
        </section>
    }
}
