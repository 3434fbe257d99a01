//! A host page made of tabs (Admin, Settings): the host's own tabs and the modules'
//! `section` tabs in one strip, each at its own URL.

use gantry_sdk::{Tab, TabSection};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::{
    bootstrap::use_bootstrap,
    components::icon::Icon,
    components::module_component::ModuleComponent,
    components::module_settings_form::ModuleSettingsForm,
    host_pages::{host_page_tabs, resolve_host_tab, HostTabMatch, MODULE_SETTINGS},
    live_modules::use_live_modules,
    pages::not_found::NotFound,
};

/// The page at `base` with `host_tabs` (drawn by `render_host`, by tab id) and the
/// modules' tabs for `section`.
#[component]
pub fn HostTabsPage(
    base: &'static str,
    title: &'static str,
    lede: &'static str,
    section: TabSection,
    host_tabs: Vec<Tab>,
    render_host: fn(&str) -> AnyView,
) -> impl IntoView {
    let user = use_bootstrap().user;
    let modules = use_live_modules();
    // The modules' tabs follow modules being disabled and enabled.
    let tabs = Memo::new(move |_| {
        modules.with(|m| host_page_tabs(base, section, host_tabs.clone(), m, user.as_ref()))
    });
    let location = use_location();
    let current = Memo::new(move |_| {
        let path = location.pathname.get();
        tabs.with(|all| resolve_host_tab(all, base, path.strip_prefix(base).unwrap_or_default()))
    });
    let active_href = move || match current.get() {
        HostTabMatch::Tab(tab) => Some(tab.href),
        _ => None,
    };
    let links = move || {
        tabs.get()
        .into_iter()
        .map(|tab| {
            let href = tab.href.clone();
            let is_active = move || active_href().as_deref() == Some(href.as_str());
            let is_active_too = is_active.clone();
            view! {
                <a
                    href=tab.href.clone()
                    class="tab"
                    class:tab-active=is_active
                    aria-current=move || is_active_too().then_some("page")
                    data-tab=tab.tab.id.clone()
                >
                    {tab.tab.icon.clone().map(|name| view! { <Icon name=name /> })}
                    {tab.tab.label.clone()}
                    {tab.module.map(|m| view! { " " <span class="badge" title="From a module">{m.name}</span> })}
                </a>
            }
        })
        .collect_view()
    };
    view! {
        <section class="page" data-page=section_name(section)>
            <h1>{title}</h1>
            <p class="lede">{lede}</p>
            <nav class="tabs" aria-label=format!("{title} tabs")>{links}</nav>
            <div class="tab-panel">
                {move || match current.get() {
                    HostTabMatch::Tab(tab) => match tab.module.clone() {
                        Some(module) if tab.tab.frontend_component == MODULE_SETTINGS => view! {
                            <ModuleSettingsForm module=module.name section />
                        }
                        .into_any(),
                        Some(module) => view! {
                            <ModuleComponent module component=tab.tab.frontend_component />
                        }
                        .into_any(),
                        None => render_host(&tab.tab.id),
                    },
                    HostTabMatch::ModuleUnavailable { module } => {
                        view! { <ModuleUnavailable module /> }.into_any()
                    }
                    HostTabMatch::NotFound => view! { <NotFound /> }.into_any(),
                }}
            </div>
        </section>
    }
}

fn section_name(section: TabSection) -> &'static str {
    match section {
        TabSection::Admin => "admin",
        TabSection::Settings => "settings",
    }
}

/// The tab of a module that is not there; on the server, a 404.
#[component]
fn ModuleUnavailable(module: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <div class="module-error" role="alert" data-state="module-unavailable">
            <p>
                "Module " <code>{module}</code> " is not available: it is not installed, "
                "it failed to start, or it is not yours to see."
            </p>
        </div>
    }
}
