//! `/settings`: the visitor's own settings. Its tabs are the host's own
//! (Profile, Personas, Appearance, API tokens) and the modules' `settings` tabs.

use gantry_sdk::TabSection;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::host_tabs_page::HostTabsPage,
    host_pages::settings_host_tabs,
    host_ui::use_host_ui,
    pages::{api_tokens::ApiTokensTab, personas::PersonasTab, profile::ProfileTab},
    theme::Theme,
};

/// The Settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings" />
        <HostTabsPage
            base="/settings"
            title="Settings"
            lede="Your preferences, and those of the modules you use."
            section=TabSection::Settings
            host_tabs=settings_host_tabs()
            render_host=settings_tab
        />
    }
}

fn settings_tab(id: &str) -> AnyView {
    match id {
        "profile" => view! { <ProfileTab /> }.into_any(),
        "personas" => view! { <PersonasTab api="/api/personas" shared=false /> }.into_any(),
        "tokens" => view! { <ApiTokensTab /> }.into_any(),
        _ => view! { <Appearance /> }.into_any(),
    }
}

/// Choosing the theme.
#[component]
fn Appearance() -> impl IntoView {
    let theme = use_host_ui().theme;
    let option = move |choice: Theme, label: &'static str| {
        view! {
            <button
                type="button"
                class="button"
                class:button-primary=move || theme.get() == Some(choice)
                aria-pressed=move || (theme.get() == Some(choice)).to_string()
                on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    crate::theme::choose(theme, choice);
                    #[cfg(not(feature = "hydrate"))]
                    let _ = choice;
                }
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="card">
            <h2>"Theme"</h2>
            <p>"Until you choose, Gantry follows your system. Your choice is kept with your account."</p>
            <div class="button-row">{option(Theme::Light, "Light")} " " {option(Theme::Dark, "Dark")}</div>
        </div>
    }
}
