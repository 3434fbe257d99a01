//! The light/dark switch in the header.

use leptos::prelude::*;

use crate::{host_ui::use_host_ui, theme::Theme};

/// A button that flips between the light and dark themes; it acts once the page is
/// hydrated, since the switch runs in the browser. Mounted modules hear of the
/// change as a `theme` event.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let theme = use_host_ui().theme;
    let switch = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let current = theme
                .get_untracked()
                .unwrap_or_else(crate::theme::system_theme);
            crate::theme::choose(theme, current.toggled());
        }
    };
    let label = move || match theme.get() {
        Some(Theme::Light) => "Light",
        Some(Theme::Dark) => "Dark",
        None => "System",
    };
    view! {
        <button
            type="button"
            class="theme-switch"
            data-testid="theme-switch"
            title="Switch between light and dark"
            on:click=switch
        >
            <span class="theme-switch-label">"Theme: " {label}</span>
        </button>
    }
}
