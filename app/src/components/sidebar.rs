//! The sidebar: the host's and the modules' entries, in the order given.

use leptos::{ev::KeyboardEvent, prelude::*};
use leptos_router::{components::A, hooks::use_location};

use super::icon::Icon;
use crate::nav::SidebarEntry;

/// The sidebar's `id`, which the header's menu button controls.
pub const SIDEBAR_ID: &str = "main-nav";

/// Links to `entries` (they follow modules being disabled and enabled); the current page's link carries `aria-current="page"`.
///
/// At phone widths the sidebar shows only while `open` (the header's menu button);
/// going to another page or pressing Escape closes it again.
#[component]
pub fn Sidebar(entries: Signal<Vec<SidebarEntry>>, open: RwSignal<bool>) -> impl IntoView {
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    let close_on_escape = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
            // The button that opened it.
            super::header::focus(&format!("#{}", super::header::MENU_BUTTON_ID));
        }
    };
    view! {
        <nav
            class="sidebar"
            class:sidebar-open=move || open.get()
            id=SIDEBAR_ID
            aria-label="Main"
            on:keydown=close_on_escape
        >
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
