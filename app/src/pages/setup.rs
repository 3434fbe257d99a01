//! `/setup`: creating the first administrator with the one-time link the server
//! prints in its log when it has none. A plain form, like the login page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The setup form; after a refused attempt it says why.
#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let token = query.with_untracked(|q| q.get("token")).unwrap_or_default();
    let error = query
        .with_untracked(|q| q.get("error"))
        .map(|reason| match reason.as_str() {
            "token" => "This setup link is invalid or was used already. Sign in, or restart Gantry for a new link.",
            "mismatch" => "The two passwords differ.",
            "username" => "A username is 1 to 64 letters, digits, '.', '-' or '_'.",
            "display_name" => "A display name is 1 to 100 characters.",
            "password" => "A password has at least 10 characters.",
            _ => "Setting up failed on the server; the details are in its log.",
        });
    view! {
        <Title text="Set up Gantry" />
        <section class="page login-page" data-page="setup">
            <form class="card login-card" method="post" action="/api/auth/setup">
                <h1>"Set up Gantry"</h1>
                <p>"Create the first administrator's account. This link works once."</p>
                {error.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                <input type="hidden" name="token" value=token />
                <label class="field">
                    <span>"Username"</span>
                    <input name="username" value="admin" autocomplete="username" required />
                </label>
                <label class="field">
                    <span>"Display name"</span>
                    <input name="display_name" value="Administrator" required />
                </label>
                <label class="field">
                    <span>"Password (at least 10 characters)"</span>
                    <input name="password" type="password" autocomplete="new-password" minlength="10" required />
                </label>
                <label class="field">
                    <span>"Password again"</span>
                    <input name="password_again" type="password" autocomplete="new-password" minlength="10" required />
                </label>
                <button type="submit" class="button button-primary">"Create the administrator"</button>
            </form>
        </section>
    }
}
