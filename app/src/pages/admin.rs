//! `/admin`: running the instance.

use leptos::prelude::*;
use leptos_meta::Title;

/// Administration: users, modules, audit trail and system facts, as they arrive.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <Title text="Admin" />
        <section class="page" data-page="admin">
            <h1>"Admin"</h1>
            <p class="lede">"Users, modules, the audit trail and the state of this instance."</p>
            <div class="empty-state">
                <p>"None of these are built yet. " <a href="/healthz">"/healthz"</a> " reports whether the database is reachable."</p>
            </div>
        </section>
    }
}
