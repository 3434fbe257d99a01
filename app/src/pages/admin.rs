//! `/admin`: running the instance, for administrators only. Its tabs are the host's
//! own (Users, Models, Personas, Knowledge, Modules, Audit, Logs, System) and the modules' `admin` tabs;
//! Modules is `admin_modules.rs`.

use gantry_sdk::TabSection;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    bootstrap::{use_admin_overview, use_bootstrap},
    components::host_tabs_page::HostTabsPage,
    host_pages::admin_host_tabs,
    pages::{
        admin_audit::AuditTab, admin_knowledge::KnowledgeTab, admin_logs::LogsTab,
        admin_models::ModelsTab, admin_modules::ModulesOverview, admin_users::UsersTab,
        personas::PersonasTab,
    },
};

/// The Admin page; anyone but an administrator gets a 403 page.
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
                <div class="button-row">
                    <a class="button" href="/">"Back to Chat"</a>
                    <form method="post" action="/api/auth/logout">
                        <button type="submit" class="button">"Sign in as someone else"</button>
                    </form>
                </div>
            </section>
        }
        .into_any();
    }
    view! {
        <Title text="Admin" />
        <HostTabsPage
            base="/admin"
            title="Admin"
            lede="Accounts, modules, the audit trail and the state of this instance."
            section=TabSection::Admin
            host_tabs=admin_host_tabs()
            render_host=admin_tab
        />
    }
    .into_any()
}

fn admin_tab(id: &str) -> AnyView {
    match id {
        "users" => view! { <UsersTab /> }.into_any(),
        "models" => view! { <ModelsTab /> }.into_any(),
        "personas" => view! { <PersonasTab api="/api/admin/personas" shared=true /> }.into_any(),
        "modules" => view! { <ModulesOverview /> }.into_any(),
        "knowledge" => view! { <KnowledgeTab /> }.into_any(),
        "audit" => view! { <AuditTab /> }.into_any(),
        "logs" => view! { <LogsTab /> }.into_any(),
        _ => view! { <SystemOverview /> }.into_any(),
    }
}

/// Version, database, uptime and folders.
#[component]
fn SystemOverview() -> impl IntoView {
    let Some(system) = use_admin_overview().map(|a| a.system) else {
        return ().into_any();
    };
    let uptime = format!(
        "{}h {}m {}s",
        system.uptime_seconds / 3600,
        system.uptime_seconds / 60 % 60,
        system.uptime_seconds % 60
    );
    view! {
        <dl class="facts">
            <dt>"Gantry"</dt>
            <dd>{system.version}</dd>
            <dt>"Database"</dt>
            <dd>
                {system.database}
                {system.database_bytes.map(|b| format!(", {:.1} MiB", b as f64 / (1024.0 * 1024.0)))}
            </dd>
            <dt>"Up for"</dt>
            <dd>{uptime}</dd>
            <dt>"Data folder"</dt>
            <dd><code>{system.data_dir}</code></dd>
            <dt>"Modules folder"</dt>
            <dd><code>{system.modules_dir}</code></dd>
            <dt>"Module migrations"</dt>
            <dd>{system.module_boundary}</dd>
            <dt>"Vector search"</dt>
            <dd data-fact="vector-search">{vector_search_words(&system.vector_search)}</dd>
        </dl>
    }
    .into_any()
}

/// What `vector_search` (from the server) means, in words.
pub fn vector_search_words(vector_search: &str) -> String {
    match vector_search {
        "sqlite-vec" => "sqlite-vec (SQLite extension, built in)".into(),
        "exact" => "exact, every stored vector compared (PostgreSQL without pgvector)".into(),
        other => other.into(),
    }
}
