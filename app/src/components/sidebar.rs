//! The sidebar: the host's and the modules' entries, in the order given.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use super::icon::Icon;
use crate::nav::SidebarEntry;

/// Links to `entries` (they follow modules being disabled and enabled); the current page's link carries `aria-current="page"`.
#[component]
pub fn Sidebar(entries: Signal<Vec<SidebarEntry>>) -> impl IntoView {
    let location = use_location();
    view! {
        <nav class="sidebar" aria-label="Main">
            <ul class="nav-list">
                {move || entries
                    .get()
                    .into_iter()
                    .map(|SidebarEntry { item, module }| {
                        let inner = view! {
                            <Icon name=item.icon />
                            <span>{item.label}</span>
                        };
                        // Pages have sub-paths (their tabs), which `A` matches too;
                        // but every path lies under `/`, Chat's, whose own are `/c/…`.
                        let link = if item.route == "/" {
                            let current = move || {
                                let path = location.pathname.get();
                                (path == "/" || path.starts_with("/c/")).then_some("page")
                            };
                            view! { <a href="/" aria-current=current>{inner}</a> }.into_any()
                        } else {
                            view! { <A href=item.route>{inner}</A> }.into_any()
                        };
                        view! {
                            <li data-nav-id=item.id.clone() data-module=module>
                                {link}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
