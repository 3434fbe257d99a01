//! `/settings`: the visitor's own settings.

use leptos::prelude::*;
use leptos_meta::Title;

/// Personal settings; the profile and password forms arrive with accounts.
#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings" />
        <section class="page" data-page="settings">
            <h1>"Settings"</h1>
            <p class="lede">"Your profile, password and preferences."</p>
            <div class="empty-state">
                <p>
                    "Accounts are not built yet, so there is nothing personal to set. "
                    "The theme switch in the header already remembers your choice."
                </p>
            </div>
        </section>
    }
}
