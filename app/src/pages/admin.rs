//! `/admin`: running the instance, for administrators only. Its tabs are the host's
//! own (Users, Models, Personas, Modules, Audit, System) and the modules' `admin` tabs.

use gantry_sdk::{CollectionAccess, FieldType, ModuleSource, ModuleState, TabSection};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    bootstrap::use_bootstrap,
    components::host_tabs_page::HostTabsPage,
    host_pages::admin_host_tabs,
    pages::{
        admin_audit::AuditTab, admin_models::ModelsTab, admin_users::UsersTab,
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
        "audit" => view! { <AuditTab /> }.into_any(),
        _ => view! { <SystemOverview /> }.into_any(),
    }
}

/// Every discovered module with its state, error, bundle and migrations.
#[component]
fn ModulesOverview() -> impl IntoView {
    let modules = use_bootstrap().admin.map(|a| a.modules).unwrap_or_default();
    if modules.is_empty() {
        return view! {
            <div class="empty-state">
                <p>"No modules are installed. Drop a module folder into the modules folder (see System) and restart Gantry."</p>
            </div>
        }
        .into_any();
    }
    let rows = modules
        .into_iter()
        .map(|m| {
            let state = format!("{:?}", m.state).to_lowercase();
            let ok = m.state == ModuleState::Running;
            let source = match &m.source {
                ModuleSource::CompiledIn => "compiled in".to_owned(),
                ModuleSource::DropIn { folder } => format!("drop-in: {folder}"),
            };
            let migrations = m
                .migrations
                .iter()
                .map(|x| {
                    format!(
                        "{} {} ({})",
                        x.version,
                        x.description,
                        if x.applied { "applied" } else { "pending" }
                    )
                })
                .collect::<Vec<_>>();
            let bundle = m
                .bundle
                .map(|b| format!("{:.1} KiB · {}", b.size as f64 / 1024.0, b.hash))
                .unwrap_or_else(|| "none".into());
            let routes = match &m.proxy {
                Some(proxy) => format!("{}/* → {proxy}", m.router_prefix),
                None => format!("{}/*", m.router_prefix),
            };
            let pages = m
                .nav_items
                .iter()
                .map(|n| format!("{} {}", n.label, n.route))
                .chain(m.tabs.iter().map(|t| {
                    let place = match t.section {
                        Some(section) => format!("{section:?} tab").to_lowercase(),
                        None => "tab".into(),
                    };
                    format!("{} ({place})", t.label)
                }))
                .collect::<Vec<_>>();
            let collections = m
                .collections
                .iter()
                .map(|c| {
                    let fields: Vec<String> = c
                        .fields
                        .iter()
                        .map(|f| match f.kind() {
                            FieldType::Text => f.name().to_owned(),
                            kind => format!("{} ({kind:?})", f.name()).to_lowercase(),
                        })
                        .collect();
                    let r = c.rights();
                    let rule = |a: CollectionAccess| format!("{a:?}").to_lowercase();
                    format!(
                        "{} ({}): {}{} · read {}, create {}, update {}, delete {}",
                        c.name,
                        c.table,
                        fields.join(", "),
                        if c.owner { " · owned items" } else { "" },
                        rule(r.read),
                        rule(r.create),
                        rule(r.update),
                        rule(r.delete)
                    )
                })
                .collect::<Vec<_>>();
            let name = m.name.clone();
            view! {
                <tr data-module=name>
                    <td>
                        <strong>{m.display_name}</strong>
                        " "
                        <code>{m.name}</code>
                    </td>
                    <td>{m.version}</td>
                    <td>
                        <span class="status" class:status-ok=ok class:status-bad=!ok>
                            {state}
                        </span>
                        {m.error.map(|e| view! { <p class="status-error">{e.message}</p> })}
                    </td>
                    <td>{source}</td>
                    <td><code>{routes}</code></td>
                    <td>{list(pages)}</td>
                    <td>{bundle}</td>
                    <td data-migrations>{list(migrations)}</td>
                    <td data-collections>{list(collections)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th>"Module"</th>
                    <th>"Version"</th>
                    <th>"State"</th>
                    <th>"Source"</th>
                    <th>"API"</th>
                    <th>"Pages and tabs"</th>
                    <th>"Bundle"</th>
                    <th>"Migrations"</th>
                    <th>"Collections"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// `items` as a compact list, or "none".
fn list(items: Vec<String>) -> AnyView {
    if items.is_empty() {
        return "none".into_any();
    }
    view! { <ul class="compact-list">{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }
        .into_any()
}

/// Version, database, uptime and folders.
#[component]
fn SystemOverview() -> impl IntoView {
    let Some(system) = use_bootstrap().admin.map(|a| a.system) else {
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
        </dl>
    }
    .into_any()
}
