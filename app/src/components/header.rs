//! The bar above every page.

use leptos::prelude::*;

use super::theme_switch::ThemeSwitch;
use crate::bootstrap::use_bootstrap;

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
