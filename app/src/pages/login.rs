//! `/login`: signing in. A plain form, so it works before (and without) the WASM.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The login form; after a refused attempt it says why.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = query
        .with_untracked(|q| q.get("next"))
        .unwrap_or_else(|| "/".into());
    let retry = query.with_untracked(|q| q.get("retry")).unwrap_or_default();
    let error = query
        .with_untracked(|q| q.get("error"))
        .map(|reason| match reason.as_str() {
            "disabled" => "This account is disabled.".to_owned(),
            "rate_limited" => format!(
                "Too many failed sign-ins. Try again in {} minutes.",
                retry.parse::<u32>().unwrap_or(15)
            ),
            "internal" => "Signing in failed on the server; the details are in its log.".into(),
            _ => "Wrong username or password.".into(),
        });
    view! {
        <Title text="Sign in" />
        <section class="page login-page" data-page="login">
            <form class="card login-card" method="post" action="/api/auth/login">
                <h1>"Sign in"</h1>
                {error.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                <label class="field">
                    <span>"Username"</span>
                    <input name="username" autocomplete="username" required autofocus />
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input name="password" type="password" autocomplete="current-password" required />
                </label>
                <input type="hidden" name="next" value=next />
                <button type="submit" class="button button-primary">"Sign in"</button>
            </form>
        </section>
    }
}
