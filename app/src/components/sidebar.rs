//! The sidebar: the host's and the modules' entries, in the order given.

use leptos::prelude::*;
use leptos_router::components::A;

use super::icon::Icon;
use crate::nav::SidebarEntry;

/// Links to `entries`; the current page's link carries `aria-current="page"`.
#[component]
pub fn Sidebar(entries: Vec<SidebarEntry>) -> impl IntoView {
    view! {
        <nav class="sidebar" aria-label="Main">
            <ul class="nav-list">
                {entries
                    .into_iter()
                    .map(|SidebarEntry { item, module }| {
                        // Pages have sub-paths (their tabs): match those too, except
                        // under `/`, which every path is.
                        let exact = item.route == "/";
                        view! {
                            <li data-nav-id=item.id.clone() data-module=module>
                                <A href=item.route exact>
                                    <Icon name=item.icon />
                                    <span>{item.label}</span>
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
