//! Personas tabs: Settings → Personas (the user's own, at `/api/personas`) and
//! Admin → Personas (the shared ones, at `/api/admin/personas`).

use gantry_sdk::{Confirm, ToastKind};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use crate::{
    chat_api::{Persona, PersonaInput, PersonaList},
    components::form_problem::{FieldAlert, FormAlert, FormProblem},
    host_ui::use_host_ui,
    http::{self, ApiFailure},
};

/// The personas at `api` (`/api/personas` or `/api/admin/personas`); `shared`
/// says which kind the tab manages.
#[component]
pub fn PersonasTab(api: &'static str, shared: bool) -> impl IntoView {
    let list = LocalResource::new(move || http::get::<PersonaList>(api));
    let reload = Callback::new(move |()| list.refetch());
    let intro = if shared {
        "Shared personas: everyone can pick them in Chat."
    } else {
        "Your personas: a system prompt, temperature and model under a name, to pick in Chat."
    };
    view! {
        <p class="lede">{intro}</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading personas…"</p> }>
            {move || list.get().map(|answer| match answer {
                Ok(list) => {
                    let own: Vec<Persona> = list.personas.into_iter().filter(|p| p.shared == shared).collect();
                    if own.is_empty() {
                        view! { <div class="empty-state"><p>"No personas yet."</p></div> }.into_any()
                    } else {
                        own.into_iter().map(|p| view! { <PersonaForm api persona=Some(p) on_saved=reload /> }).collect_view().into_any()
                    }
                }
                Err(err) => view! { <p class="form-error" role="alert">"Cannot list personas: " {err.message}</p> }.into_any(),
            })}
        </Transition>
        <PersonaForm api persona=None on_saved=reload />
    }
}

/// Editing `persona`, or creating one when `None`.
#[component]
fn PersonaForm(
    api: &'static str,
    persona: Option<Persona>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let host = use_host_ui();
    let existing = persona.as_ref().map(|p| p.id.clone());
    let name = RwSignal::new(persona.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let description = RwSignal::new(
        persona
            .as_ref()
            .map(|p| p.description.clone())
            .unwrap_or_default(),
    );
    let prompt = RwSignal::new(
        persona
            .as_ref()
            .map(|p| p.system_prompt.clone())
            .unwrap_or_default(),
    );
    let temperature = RwSignal::new(
        persona
            .as_ref()
            .and_then(|p| p.temperature)
            .map(|t| t.to_string())
            .unwrap_or_default(),
    );
    let model = RwSignal::new(
        persona
            .as_ref()
            .and_then(|p| p.model.clone())
            .unwrap_or_default(),
    );
    let error = FormProblem::new(&[
        "name",
        "description",
        "system_prompt",
        "temperature",
        "model",
    ]);
    let submit = {
        let existing = existing.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let temp = temperature.get_untracked();
            let temperature_value = match temp.trim() {
                "" => None,
                t => match t.parse::<f64>() {
                    Ok(v) => Some(v),
                    Err(_) => {
                        error.set(Some(ApiFailure {
                            field: Some("temperature".into()),
                            ..ApiFailure::local("client", "must be a number, such as 0.7")
                        }));
                        return;
                    }
                },
            };
            let input = PersonaInput {
                name: name.get_untracked(),
                description: description.get_untracked(),
                system_prompt: prompt.get_untracked(),
                temperature: temperature_value,
                model: Some(model.get_untracked()).filter(|m| !m.trim().is_empty()),
            };
            let existing = existing.clone();
            spawn_local(async move {
                let answer = match &existing {
                    Some(id) => {
                        http::send::<_, Persona>("PUT", &format!("{api}/{id}"), &input).await
                    }
                    None => http::send::<_, Persona>("POST", api, &input).await,
                };
                match answer {
                    Ok(saved) => {
                        host.toast(
                            ToastKind::Success,
                            format!("Saved the persona {}.", saved.name),
                        );
                        error.set(None);
                        if existing.is_none() {
                            for field in [name, description, prompt, temperature, model] {
                                field.set(String::new());
                            }
                        }
                        on_saved.run(());
                    }
                    Err(err) => error.set(Some(err)),
                }
            });
        }
    };
    let delete = existing.clone().map(|id| {
        move |_| {
            let id = id.clone();
            host.confirm(
                Confirm {
                    message: "Delete this persona? Conversations using it go back to the default."
                        .into(),
                    confirm_label: Some("Delete".into()),
                    cancel_label: None,
                    danger: true,
                },
                move |yes| {
                    if yes {
                        spawn_local(async move {
                            match http::send_only("DELETE", &format!("{api}/{id}"), &()).await {
                                Ok(()) => on_saved.run(()),
                                Err(err) => host.toast(ToastKind::Error, err.message),
                            }
                        });
                    }
                },
            );
        }
    });
    let heading = if existing.is_some() {
        "Persona"
    } else {
        "New persona"
    };
    view! {
        <form class="card form-grid" on:submit=submit data-form=if existing.is_some() { "persona" } else { "new-persona" }>
            <h2>{heading}</h2>
            <FormAlert problem=error />
            <label class="field">
                <span>"Name"</span>
                <input name="name" required maxlength="100" bind:value=name aria-invalid=error.invalid("name") />
                <FieldAlert problem=error field="name" />
            </label>
            <label class="field">
                <span>"Description"</span>
                <input name="description" maxlength="500" bind:value=description aria-invalid=error.invalid("description") />
                <FieldAlert problem=error field="description" />
            </label>
            <label class="field">
                <span>"System prompt"</span>
                <textarea name="system_prompt" rows="4" bind:value=prompt aria-invalid=error.invalid("system_prompt")></textarea>
                <FieldAlert problem=error field="system_prompt" />
            </label>
            <label class="field">
                <span>"Temperature (0 to 2, empty for the model's own)"</span>
                <input name="temperature" type="number" min="0" max="2" step="any" inputmode="decimal" bind:value=temperature aria-invalid=error.invalid("temperature") />
                <FieldAlert problem=error field="temperature" />
            </label>
            <label class="field">
                <span>"Model (such as default/llama3.1:8b; empty for the default)"</span>
                <input name="model" bind:value=model aria-invalid=error.invalid("model") />
                <FieldAlert problem=error field="model" />
            </label>
            <div class="button-row">
                <button type="submit" class="button button-primary">"Save"</button>
                {delete.map(|delete| view! { <button type="button" class="button button-danger" on:click=delete>"Delete"</button> })}
            </div>
        </form>
    }
}
