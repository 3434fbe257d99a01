//! Settings → API tokens: personal tokens for scripts (`Authorization: Bearer …`),
//! each shown once when made, listed with when it was last used, and revoked here.

use gantry_sdk::{Confirm, ToastKind};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use crate::{
    account::{ApiToken, CreatedApiToken, NewApiToken},
    clipboard::copy_text,
    components::form_problem::{FieldAlert, FormAlert, FormProblem},
    host_ui::use_host_ui,
    http,
    pages::admin_audit::format_time,
};

const API: &str = "/api/me/tokens";

/// The tab: the form, the token just made, and the list.
#[component]
pub fn ApiTokensTab() -> impl IntoView {
    let list = LocalResource::new(|| http::get::<Vec<ApiToken>>(API));
    let made = RwSignal::new(None::<CreatedApiToken>);
    let reload = Callback::new(move |()| list.refetch());
    view! {
        <p class="lede">
            "Tokens let scripts and CI call Gantry's and modules' APIs as you: send "
            <code>"Authorization: Bearer <token>"</code>
            ". A read-only token may only read."
        </p>
        <NewTokenForm made on_made=reload />
        {move || made.get().map(|created| view! {
            <div class="card" role="status" data-state="token-made">
                <h2>"Copy your new token now"</h2>
                <p>"It is shown only this once; Gantry keeps only a hash of it."</p>
                <p><code class="token-secret" data-token>{created.secret.clone()}</code></p>
                <div class="button-row">
                    <button type="button" class="button" on:click=move |_| copy_text(&created.secret)>"Copy"</button>
                    <button type="button" class="button" on:click=move |_| made.set(None)>"Done"</button>
                </div>
            </div>
        })}
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading tokens…"</p> }>
            {move || list.get().map(|answer| match answer {
                Ok(tokens) if tokens.is_empty() => {
                    view! { <div class="empty-state"><p>"No API tokens yet."</p></div> }.into_any()
                }
                Ok(tokens) => view! { <TokenTable tokens on_revoked=reload /> }.into_any(),
                Err(err) => view! { <p class="form-error" role="alert">"Cannot list tokens: " {err.message}</p> }.into_any(),
            })}
        </Transition>
    }
}

/// Name, expiry and read-only, then `made` holds the token.
#[component]
fn NewTokenForm(made: RwSignal<Option<CreatedApiToken>>, on_made: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let expiry = RwSignal::new("90".to_owned());
    let read_only = RwSignal::new(false);
    let error = FormProblem::new(&["name", "expires_in_days"]);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new = NewApiToken {
            name: name.get_untracked(),
            expires_in_days: expiry.get_untracked().parse().ok(),
            read_only: read_only.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match http::send::<_, CreatedApiToken>("POST", API, &new).await {
                Ok(created) => {
                    error.set(None);
                    name.set(String::new());
                    made.set(Some(created));
                    on_made.run(());
                }
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-grid" on:submit=submit data-form="new-token">
            <h2>"New token"</h2>
            <FormAlert problem=error />
            <label class="field">
                <span>"Name (what uses it)"</span>
                <input name="name" required maxlength="100" bind:value=name aria-invalid=error.invalid("name") />
                <FieldAlert problem=error field="name" />
            </label>
            <label class="field">
                <span>"Expires"</span>
                <select name="expires" prop:value=move || expiry.get() on:change=move |ev| expiry.set(event_target_value(&ev)) aria-invalid=error.invalid("expires_in_days")>
                    <option value="7">"in 7 days"</option>
                    <option value="30">"in 30 days"</option>
                    <option value="90">"in 90 days"</option>
                    <option value="365">"in a year"</option>
                    <option value="never">"never"</option>
                </select>
                <FieldAlert problem=error field="expires_in_days" />
            </label>
            <label class="checkbox">
                <input type="checkbox" name="read_only" bind:checked=read_only />
                <span>"Read-only"</span>
            </label>
            <div class="button-row">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>"Make token"</button>
            </div>
        </form>
    }
}

/// The tokens, with Revoke.
#[component]
fn TokenTable(tokens: Vec<ApiToken>, on_revoked: Callback<()>) -> impl IntoView {
    let host = use_host_ui();
    let rows = tokens
        .into_iter()
        .map(|token| {
            let revoke = {
                let (id, name) = (token.id.clone(), token.name.clone());
                move |_| {
                    let id = id.clone();
                    host.confirm(
                        Confirm {
                            message: format!("Revoke the token “{name}”? Scripts using it stop working at once."),
                            confirm_label: Some("Revoke".into()),
                            cancel_label: None,
                            danger: true,
                        },
                        move |yes| {
                            if yes {
                                let id = id.clone();
                                spawn_local(async move {
                                    match http::send_only("DELETE", &format!("{API}/{id}"), &()).await {
                                        Ok(()) => on_revoked.run(()),
                                        Err(err) => host.toast(ToastKind::Error, err.message),
                                    }
                                });
                            }
                        },
                    );
                }
            };
            let name = token.name.clone();
            view! {
                <tr data-token-name=name>
                    <td>
                        <strong>{token.name}</strong>
                        {token.read_only.then(|| view! { " " <span class="status">"read-only"</span> })}
                    </td>
                    <td>{format_time(token.created_at)}</td>
                    <td>{token.expires_at.map_or_else(|| "never".to_owned(), format_time)}</td>
                    <td>{token.last_used_at.map_or_else(|| "not yet".to_owned(), format_time)}</td>
                    <td><button type="button" class="button button-danger button-small" on:click=revoke>"Revoke"</button></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Made (UTC)"</th>
                    <th>"Expires"</th>
                    <th>"Last used"</th>
                    <th><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
