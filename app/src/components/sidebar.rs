//! The sidebar: a list of nav entries, rendered in the order given.

use gantry_sdk::NavItem;
use leptos::prelude::*;
use leptos_router::components::A;

use super::icon::Icon;

/// Links to `items`; the current page's link carries `aria-current="page"`.
#[component]
pub fn Sidebar(items: Vec<NavItem>) -> impl IntoView {
    view! {
        <nav class="sidebar" aria-label="Main">
            <ul class="nav-list">
                {items
                    .into_iter()
                    .map(|item| {
                        view! {
                            <li data-nav-id=item.id.clone()>
                                <A href=item.route exact=true>
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
