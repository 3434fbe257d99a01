//! The bar above every page.

use leptos::prelude::*;

use super::{sidebar::SIDEBAR_ID, theme_switch::ThemeSwitch};
use crate::bootstrap::use_bootstrap;

/// The menu button's `id`, where the focus returns when the sidebar closes.
pub const MENU_BUTTON_ID: &str = "menu-button";

/// Brand on the left, controls on the right. With `menu` (a signed-in shell), a menu
/// button that shows and hides the sidebar, drawn only at phone widths.
#[component]
pub fn Header(menu: Option<RwSignal<bool>>) -> impl IntoView {
    view! {
        <header class="topbar">
            {menu
                .map(|open| {
                    view! {
                        <button
                            type="button"
                            class="icon-button menu-button"
                            id=MENU_BUTTON_ID
                            aria-label="Menu"
                            aria-controls=SIDEBAR_ID
                            aria-expanded=move || open.get().to_string()
                            on:click=move |_| {
                                open.update(|open| *open = !*open);
                                if open.get_untracked() {
                                    request_animation_frame(|| focus(&format!("#{SIDEBAR_ID} a")));
                                }
                            }
                        >
                            <svg class="icon" width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
                                <path d="M4 6h16M4 12h16M4 18h16" />
                            </svg>
                        </button>
                    }
                })}
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"G"</span>
                <span class="brand-name">"Gantry"</span>
            </a>
            <div class="topbar-controls">
                <ThemeSwitch />
                {use_bootstrap()
                    .user
                    .map(|user| {
                        view! {
                            <span class="topbar-user">{user.name}</span>
                            <form method="post" action="/api/auth/logout">
                                <button type="submit" class="theme-switch">"Sign out"</button>
                            </form>
                        }
                    })}
            </div>
        </header>
    }
}

/// Moves the keyboard's focus to the first element `selector` finds, if any.
pub(super) fn focus(selector: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(element) = document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = selector;
}
