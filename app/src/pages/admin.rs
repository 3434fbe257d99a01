//! `/admin`: running the instance, for administrators only.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::bootstrap::use_bootstrap;

/// Administration: users, modules, audit trail and system facts, as they arrive.
/// Anyone else gets a 403 page.
#[component]
pub fn AdminPage() -> impl IntoView {
    let is_admin = use_bootstrap().user.is_some_and(|u| u.is_admin);
    if !is_admin {
        #[cfg(feature = "ssr")]
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::FORBIDDEN);
        }
        return view! {
            <Title text="Admin" />
            <section class="page" data-page="forbidden">
                <h1>"Administrators only"</h1>
                <p class="lede">"You need an administrator's account to see this page."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <Title text="Admin" />
        <section class="page" data-page="admin">
            <h1>"Admin"</h1>
            <p class="lede">"Users, modules, the audit trail and the state of this instance."</p>
            <div class="empty-state">
                <p>
                    "None of these pages are built yet. " <a href="/api/admin/modules">"/api/admin/modules"</a>
                    " lists every module with its state; " <a href="/healthz">"/healthz"</a>
                    " reports whether the database is reachable."
                </p>
            </div>
        </section>
    }
    .into_any()
}
