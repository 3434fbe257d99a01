//! The Admin page's Models tab: model server connections (the API key is write-only:
//! "set" or "not set"), each one's models with reachability, which models users may
//! pick, and the default model.

use gantry_sdk::{Confirm, ToastKind};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use crate::{
    chat_api::{
        AdminModel, Connection, ConnectionInput, ConnectionStatus, ConnectionStatuses,
        ModelSettings,
    },
    components::form_problem::{FieldAlert, FormAlert, FormProblem},
    host_ui::use_host_ui,
    http,
};

/// The Models tab.
#[component]
pub fn ModelsTab() -> impl IntoView {
    let statuses =
        LocalResource::new(|| http::get::<ConnectionStatuses>("/api/admin/llm/connections"));
    let reload = Callback::new(move |()| statuses.refetch());
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Asking the model servers…"</p> }>
            {move || {
                statuses.get().map(|answer| match answer {
                    Ok(list) if list.connections.is_empty() => view! {
                        <div class="empty-state" data-state="no-connections">
                            <p>"No model server yet. Add one below: any server that speaks the OpenAI chat API, such as Ollama (" <code>"http://127.0.0.1:11434/v1"</code> "), vLLM, llama.cpp's server or OpenAI."</p>
                        </div>
                    }
                    .into_any(),
                    Ok(list) => list
                        .connections
                        .into_iter()
                        .map(|status| view! { <ConnectionCard status on_change=reload /> })
                        .collect_view()
                        .into_any(),
                    Err(err) => view! {
                        <p class="form-error" role="alert">"Cannot list the connections: " {err.message}</p>
                    }
                    .into_any(),
                })
            }}
        </Transition>
        <NewConnectionForm on_created=reload />
    }
}

#[component]
fn ConnectionCard(status: ConnectionStatus, on_change: Callback<()>) -> impl IntoView {
    let host = use_host_ui();
    let conn = status.connection.clone();
    let remove = {
        let conn = conn.clone();
        move |_| {
            let conn = conn.clone();
            host.confirm(
                Confirm {
                    message: format!(
                        "Remove the connection `{}`? Conversations keep their messages.",
                        conn.name
                    ),
                    confirm_label: Some("Remove".into()),
                    cancel_label: None,
                    danger: true,
                },
                move |yes| {
                    if yes {
                        spawn_local(async move {
                            let url = format!("/api/admin/llm/connections/{}", conn.id);
                            match http::send_only("DELETE", &url, &()).await {
                                Ok(()) => {
                                    host.toast(
                                        ToastKind::Success,
                                        format!("Removed `{}`.", conn.name),
                                    );
                                    on_change.run(());
                                }
                                Err(err) => host.toast(ToastKind::Error, err.message),
                            }
                        });
                    }
                },
            );
        }
    };
    let models = status.models.clone();
    view! {
        <section class="card" data-connection=conn.name.clone()>
            <h2>{conn.name.clone()} " "
                {if status.reachable {
                    view! { <span class="status status-ok" data-reachable="true">"reachable"</span> }.into_any()
                } else {
                    view! { <span class="status status-bad" data-reachable="false">"unreachable"</span> }.into_any()
                }}
            </h2>
            <dl class="facts">
                <dt>"Base URL"</dt><dd><code>{conn.base_url.clone()}</code></dd>
                <dt>"API key"</dt><dd data-api-key>{if conn.api_key_set { "set" } else { "not set" }}</dd>
                <dt>"Context"</dt><dd>{conn.context_tokens} " tokens"</dd>
                <dt>"Gives up after"</dt><dd>{conn.timeout_secs} " s without a token"</dd>
            </dl>
            {status.error.map(|error| view! { <p class="form-error" role="alert" data-connection-error>{error}</p> })}
            {(!models.is_empty()).then(|| view! { <ModelTable models on_change /> })}
            <EditConnectionForm conn=conn.clone() on_saved=on_change />
            <div class="button-row">
                <button type="button" class="button button-danger" data-action="remove-connection" on:click=remove>"Remove"</button>
            </div>
        </section>
    }
}

#[component]
fn ModelTable(models: Vec<AdminModel>, on_change: Callback<()>) -> impl IntoView {
    let host = use_host_ui();
    let put = move |id: String, settings: ModelSettings| {
        spawn_local(async move {
            match http::send_only("PUT", &format!("/api/admin/llm/models/{id}"), &settings).await {
                Ok(()) => on_change.run(()),
                Err(err) => host.toast(ToastKind::Error, err.message),
            }
        });
    };
    view! {
        <table class="table" data-table="models">
            <thead><tr><th>"Model"</th><th>"Offered to users"</th><th>"Default"</th></tr></thead>
            <tbody>
                {models.into_iter().map(|m| {
                    let (id_a, id_b) = (m.id.clone(), m.id.clone());
                    view! {
                        <tr data-model=m.id.clone()>
                            <td><code>{m.name.clone()}</code></td>
                            <td>
                                <input type="checkbox" aria-label=format!("Offer {}", m.name) prop:checked=m.enabled
                                    on:change=move |ev| put(id_a.clone(), ModelSettings { enabled: Some(event_target_checked(&ev)), default: None }) />
                            </td>
                            <td>
                                <input type="radio" name="default-model" aria-label=format!("Make {} the default", m.name) prop:checked=m.default
                                    on:change=move |_| put(id_b.clone(), ModelSettings { enabled: None, default: Some(true) }) />
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The fields of a connection form; `key_hint` tells what an empty key means.
#[component]
fn ConnectionFields(
    base_url: RwSignal<String>,
    api_key: RwSignal<String>,
    context_tokens: RwSignal<String>,
    timeout_secs: RwSignal<String>,
    key_hint: &'static str,
    error: FormProblem,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>"Base URL"</span>
            <input name="base_url" type="url" required placeholder="http://127.0.0.1:11434/v1" bind:value=base_url aria-invalid=error.invalid("base_url") />
            <FieldAlert problem=error field="base_url" />
        </label>
        <label class="field">
            <span>"API key " <small>{key_hint}</small></span>
            <input name="api_key" type="password" autocomplete="off" bind:value=api_key aria-invalid=error.invalid("api_key") />
            <FieldAlert problem=error field="api_key" />
        </label>
        <label class="field">
            <span>"Context (tokens)"</span>
            <input name="context_tokens" type="number" min="256" bind:value=context_tokens aria-invalid=error.invalid("context_tokens") />
            <FieldAlert problem=error field="context_tokens" />
        </label>
        <label class="field">
            <span>"Give up after (seconds without a token)"</span>
            <input name="timeout_secs" type="number" min="1" max="3600" bind:value=timeout_secs aria-invalid=error.invalid("timeout_secs") />
            <FieldAlert problem=error field="timeout_secs" />
        </label>
    }
}

/// The fields of the connection forms, as the API names them.
const CONNECTION_FIELDS: &[&str] = &[
    "name",
    "base_url",
    "api_key",
    "context_tokens",
    "timeout_secs",
];

fn number(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

#[component]
fn NewConnectionForm(on_created: Callback<()>) -> impl IntoView {
    let host = use_host_ui();
    let name = RwSignal::new(String::new());
    let base_url = RwSignal::new(String::new());
    let api_key = RwSignal::new(String::new());
    let context_tokens = RwSignal::new("8192".to_owned());
    let timeout_secs = RwSignal::new("120".to_owned());
    let error = FormProblem::new(CONNECTION_FIELDS);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = ConnectionInput {
            name: Some(name.get_untracked().trim().to_owned()),
            base_url: Some(base_url.get_untracked().trim().to_owned()),
            api_key: Some(api_key.get_untracked()).filter(|k| !k.is_empty()),
            context_tokens: number(&context_tokens.get_untracked()),
            timeout_secs: number(&timeout_secs.get_untracked()),
        };
        busy.set(true);
        spawn_local(async move {
            match http::send::<_, Connection>("POST", "/api/admin/llm/connections", &input).await {
                Ok(conn) => {
                    host.toast(
                        ToastKind::Success,
                        format!("Added the connection `{}`.", conn.name),
                    );
                    for field in [name, base_url, api_key] {
                        field.set(String::new());
                    }
                    error.set(None);
                    on_created.run(());
                }
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-grid" on:submit=submit data-form="new-connection">
            <h2>"Add a model server"</h2>
            <FormAlert problem=error />
            <label class="field">
                <span>"Name (lowercase letters, digits, - or _)"</span>
                <input name="name" required maxlength="40" pattern="[a-z0-9_\\-]+" bind:value=name aria-invalid=error.invalid("name") />
                <FieldAlert problem=error field="name" />
            </label>
            <ConnectionFields base_url api_key context_tokens timeout_secs error key_hint="(optional; stored encrypted, never shown again)" />
            <div class="button-row">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>"Add"</button>
            </div>
        </form>
    }
}

#[component]
fn EditConnectionForm(conn: Connection, on_saved: Callback<()>) -> impl IntoView {
    let host = use_host_ui();
    let open = RwSignal::new(false);
    let base_url = RwSignal::new(conn.base_url.clone());
    let api_key = RwSignal::new(String::new());
    let context_tokens = RwSignal::new(conn.context_tokens.to_string());
    let timeout_secs = RwSignal::new(conn.timeout_secs.to_string());
    let remove_key = RwSignal::new(false);
    let error = FormProblem::new(CONNECTION_FIELDS);
    let id = conn.id.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let key = api_key.get_untracked();
        let input = ConnectionInput {
            name: None,
            base_url: Some(base_url.get_untracked().trim().to_owned()),
            api_key: if remove_key.get_untracked() {
                Some(String::new())
            } else {
                Some(key).filter(|k| !k.is_empty())
            },
            context_tokens: number(&context_tokens.get_untracked()),
            timeout_secs: number(&timeout_secs.get_untracked()),
        };
        let id = id.clone();
        spawn_local(async move {
            match http::send::<_, Connection>(
                "PATCH",
                &format!("/api/admin/llm/connections/{id}"),
                &input,
            )
            .await
            {
                Ok(conn) => {
                    host.toast(ToastKind::Success, format!("Saved `{}`.", conn.name));
                    open.set(false);
                    on_saved.run(());
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    view! {
        <Show
            when=move || open.get()
            fallback=move || view! { <button type="button" class="button" data-action="edit-connection" on:click=move |_| open.set(true)>"Edit"</button> }
        >
            <form class="form-grid" on:submit=submit.clone() data-form="edit-connection">
                <FormAlert problem=error />
                <ConnectionFields base_url api_key context_tokens timeout_secs error key_hint="(leave empty to keep the stored one)" />
                <label class="checkbox">
                    <input type="checkbox" bind:checked=remove_key />
                    <span>"Remove the stored API key"</span>
                </label>
                <div class="button-row">
                    <button type="submit" class="button button-primary">"Save"</button>
                    <button type="button" class="button" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
            </form>
        </Show>
    }
}
