//! The form for a new collection: a name, an optional description and, for
//! administrators, whether everyone shares it. The new one opens at once.

use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use super::{KnowledgeContext, API};
use crate::{
    components::form_problem::{FieldAlert, FormAlert, FormProblem},
    http,
    knowledge_api::{Collection, CollectionInput},
};

/// Below the collection list.
#[component]
pub fn NewCollectionForm() -> impl IntoView {
    let knowledge = expect_context::<KnowledgeContext>();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let shared = RwSignal::new(false);
    let error = FormProblem::new(&["name", "description"]);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = CollectionInput {
            name: name.get_untracked().trim().to_owned(),
            description: description.get_untracked().trim().to_owned(),
            shared: knowledge.is_admin && shared.get_untracked(),
        };
        let navigate = navigate.clone();
        busy.set(true);
        spawn_local(async move {
            let url = format!("{API}/collections");
            match http::send::<_, Collection>("POST", &url, &input).await {
                Ok(created) => {
                    let href = format!("/knowledge/{}", created.id);
                    knowledge.upsert(created);
                    name.try_set(String::new());
                    description.try_set(String::new());
                    shared.try_set(false);
                    error.set(None);
                    navigate(&href, Default::default());
                }
                Err(err) => {
                    error.set(Some(err));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <form class="kb-new form-grid" data-form="new-collection" on:submit=submit>
            <h3>"New collection"</h3>
            <FormAlert problem=error />
            <label class="field">
                <span>"Name"</span>
                <input name="name" required maxlength="100" bind:value=name aria-invalid=error.invalid("name") />
                <FieldAlert problem=error field="name" />
            </label>
            <label class="field">
                <span>"Description " <small class="kb-muted">"(optional)"</small></span>
                <input name="description" maxlength="1000" bind:value=description aria-invalid=error.invalid("description") />
                <FieldAlert problem=error field="description" />
            </label>
            {knowledge.is_admin.then(|| view! {
                <label class="checkbox">
                    <input type="checkbox" name="shared" bind:checked=shared />
                    <span>"Shared: everyone may read it, administrators manage it"</span>
                </label>
            })}
            <div class="button-row">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Creating…" } else { "Create" }}
                </button>
            </div>
        </form>
    }
}
