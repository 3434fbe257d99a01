//! A module's page: its name, its tabs (each with its own URL) and the active tab's
//! component.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::{
    components::{icon::Icon, module_component::ModuleComponent},
    live_modules::{use_known_modules, use_live_modules, use_module_problem},
    nav::{module_page, ModulePageMatch},
    pages::not_found::NotFound,
};

/// Whatever module page the path names, or the 404 page. A module turned off while
/// its page is open says so in place.
#[component]
pub fn ModulePage() -> impl IntoView {
    let modules = use_live_modules();
    let known = use_known_modules();
    let location = use_location();
    let page = Memo::new(move |_| modules.with(|m| module_page(m, &location.pathname.get())));
    move || match page.get() {
        Some(page) => view! { <ModuleView page /> }.into_any(),
        None => match known.with(|known| module_page(known, &location.pathname.get())) {
            Some(gone) => view! {
                <ModuleTurnedOff name=gone.module.display_name module=gone.module.name />
            }
            .into_any(),
            None => view! { <NotFound /> }.into_any(),
        },
    }
}

/// The page of a module that was disabled (or failed) after this page loaded; an
/// administrator also reads why it failed (a module under `gantry dev` whose last
/// save did not pass, say).
#[component]
fn ModuleTurnedOff(name: String, module: String) -> impl IntoView {
    let problem = use_module_problem(module);
    view! {
        <section class="page module-page" data-page="module-off">
            <h1>{name.clone()}</h1>
            <div class="module-error" role="alert" data-state="module-off">
                <p>
                    {name} " is not available any more: an administrator turned it off, "
                    "or it stopped. It comes back here when it is enabled again."
                </p>
                {move || problem.get().map(|why| view! {
                    <p>"Why it stopped:"</p>
                    <pre class="module-problem" data-problem="">{why}</pre>
                })}
                <p><a href="/">"Back to Chat"</a></p>
            </div>
        </section>
    }
}

#[component]
fn ModuleView(page: ModulePageMatch) -> impl IntoView {
    let ModulePageMatch {
        module,
        nav,
        tabs,
        active,
    } = page;
    let active_id = active.as_ref().map(|t| t.id.clone());
    let tab_links = tabs
        .iter()
        .map(|tab| {
            let current = active_id.as_deref() == Some(tab.id.as_str());
            view! {
                <a
                    href=format!("{}/{}", nav.route, tab.id)
                    class="tab"
                    class:tab-active=current
                    aria-current=current.then_some("page")
                    data-tab=tab.id.clone()
                >
                    {tab.icon.clone().map(|name| view! { <Icon name=name /> })}
                    {tab.label.clone()}
                </a>
            }
        })
        .collect_view();
    let content = match (&active, nav.frontend_component.is_empty()) {
        (Some(tab), _) => view! {
            <ModuleComponent module=module.clone() component=tab.frontend_component.clone() />
        }
        .into_any(),
        (None, false) => view! {
            <ModuleComponent module=module.clone() component=nav.frontend_component.clone() />
        }
        .into_any(),
        (None, true) => view! {
            <div class="empty-state">
                <p>"This module has no page content yet."</p>
            </div>
        }
        .into_any(),
    };
    let title = match &active {
        Some(tab) => format!("{} · {}", tab.label, module.display_name),
        None => module.display_name.clone(),
    };
    view! {
        <Title text=title />
        <section class="page module-page" data-page="module" data-module=module.name.clone()>
            <h1>{module.display_name.clone()}</h1>
            {(!module.description.is_empty())
                .then(|| view! { <p class="lede">{module.description.clone()}</p> })}
            {(!tabs.is_empty())
                .then(|| {
                    view! {
                        <nav class="tabs" aria-label=format!("{} tabs", module.display_name)>
                            {tab_links}
                        </nav>
                    }
                })}
            <div class="tab-panel">{content}</div>
        </section>
    }
}
