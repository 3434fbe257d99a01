//! The bar above every page.

use leptos::prelude::*;

use super::theme_switch::ThemeSwitch;

/// Brand on the left, controls on the right.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"G"</span>
                <span class="brand-name">"Gantry"</span>
            </a>
            <div class="topbar-controls">
                <ThemeSwitch />
            </div>
        </header>
    }
}
