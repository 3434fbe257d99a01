//! Ecosystem: the watched projects with a live health badge each; add, edit,
//! remove, check now.

use gantry_mod_overlord::model::{Health, Project, ProjectInput, WorkerStatus};
use gantry_sdk::leptos::{
    ui::{EmptyState, StatusBadge, Tone},
    GantryContext,
};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use crate::ui;

/// The Ecosystem tab.
#[component]
pub fn EcosystemDashboard(ctx: GantryContext) -> impl IntoView {
    let projects = RwSignal::new(None::<Result<Vec<Project>, String>>);
    let last_round = RwSignal::new(None::<i64>);
    // `Some(id)` while editing that project; the form holds its values.
    let editing = RwSignal::new(None::<i64>);
    let form = RwSignal::new(ProjectInput::default());
    // The server's refusal of the last save, shown under the field it names.
    let problem = ui::FormProblem::new();
    let load = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            spawn_local(async move {
                let list = ctx.get::<Vec<Project>>("/projects").await;
                projects.set(Some(list.map_err(|e| e.message)));
                if let Ok(status) = ctx.get::<WorkerStatus>("/status").await {
                    last_round.set(status.last_round_at);
                }
            });
        }
    };
    load();
    // Health changes show up by themselves.
    ui::poll(3000, load.clone());

    let submit = {
        let (ctx, load) = (ctx.clone(), load.clone());
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let (ctx, load) = (ctx.clone(), load.clone());
            let input = form.get_untracked();
            spawn_local(async move {
                let saved = match editing.get_untracked() {
                    Some(id) => {
                        ctx.send::<_, Project>("PUT", &format!("/projects/{id}"), &input)
                            .await
                    }
                    None => ctx.send::<_, Project>("POST", "/projects", &input).await,
                };
                match saved {
                    Ok(project) => {
                        ui::done(&ctx, format!("Saved {}.", project.name));
                        problem.set(None);
                        form.set(ProjectInput::default());
                        editing.set(None);
                        load();
                    }
                    Err(failure) => problem.set(Some(failure)),
                }
            });
        }
    };
    // The browser checks what it can (a name, URL syntax) before anything is sent.
    let field = move |label: &'static str,
                      name: &'static str,
                      kind: &'static str,
                      get: fn(&ProjectInput) -> String,
                      set: fn(&mut ProjectInput, String)| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input
                    name=name
                    type=kind
                    required=name == "name"
                    maxlength=(name == "name").then_some("100")
                    aria-invalid=problem.invalid(name)
                    prop:value=move || form.with(get)
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
                />
                {problem.under(name)}
            </label>
        }
    };
    let rows = {
        let (ctx, load) = (ctx.clone(), load.clone());
        move || match projects.get() {
            None => view! { <p class="loading" role="status">"Loading projects…"</p> }.into_any(),
            Some(Err(err)) => view! { <p class="form-error" role="alert">{err}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => {
                view! { <EmptyState>"No projects yet: add the first one above."</EmptyState> }
                    .into_any()
            }
            Some(Ok(list)) => {
                let rows = list
                    .into_iter()
                    .map(|p| project_row(ctx.clone(), p, editing, form, load.clone()))
                    .collect_view();
                view! {
                    <table class="table" data-table="projects">
                        <thead>
                            <tr>
                                <th>"Project"</th>
                                <th>"Health"</th>
                                <th>"Last check"</th>
                                <th>"Dispatch"</th>
                                <th>"Actions"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            }
        }
    };
    view! {
        <div class="overlord-ecosystem">
            <form class="card form-grid" on:submit=submit data-form="project">
                <h2>{move || if editing.get().is_some() { "Edit project" } else { "Add a project" }}</h2>
                {field("Name", "name", "text", |f| f.name.clone(), |f, v| f.name = v)}
                {field("Repository or location", "location", "text", |f| f.location.clone(), |f, v| f.location = v)}
                {field("Health URL", "health_url", "url", |f| f.health_url.clone().unwrap_or_default(), |f, v| f.health_url = Some(v))}
                {field("Dispatch URL", "dispatch_url", "url", |f| f.dispatch_url.clone().unwrap_or_default(), |f, v| f.dispatch_url = Some(v))}
                <div class="button-row">
                    <button type="submit" class="button button-primary">
                        {move || if editing.get().is_some() { "Save changes" } else { "Add project" }}
                    </button>
                    <Show when=move || editing.get().is_some()>
                        <button type="button" class="button" on:click=move |_| {
                            editing.set(None);
                            problem.set(None);
                            form.set(ProjectInput::default());
                        }>"Cancel"</button>
                    </Show>
                </div>
            </form>
            <p class="lede" data-last-round>
                {move || match last_round.get() {
                    Some(at) => format!("Health checked every round; last round {}.", ui::time(at)),
                    None => "The first health round has not run yet.".into(),
                }}
            </p>
            {rows}
        </div>
    }
}

fn project_row(
    ctx: GantryContext,
    project: Project,
    editing: RwSignal<Option<i64>>,
    form: RwSignal<ProjectInput>,
    load: impl Fn() + Clone + 'static,
) -> impl IntoView {
    let id = project.id;
    let tone = match project.health {
        Health::Up => Tone::Good,
        Health::Down => Tone::Bad,
        Health::Unknown => Tone::Neutral,
    };
    let health = view! { <StatusBadge label=project.health.as_str() tone /> };
    let check = {
        let (ctx, load) = (ctx.clone(), load.clone());
        move |_| {
            let (ctx, load) = (ctx.clone(), load.clone());
            spawn_local(async move {
                if let Ok(p) = ctx
                    .send::<_, Project>("POST", &format!("/projects/{id}/check"), &())
                    .await
                {
                    ui::done(&ctx, format!("{} is {}.", p.name, p.health.as_str()));
                    load();
                }
            });
        }
    };
    let edit = {
        let project = project.clone();
        move |_| {
            editing.set(Some(project.id));
            form.set(ProjectInput {
                name: project.name.clone(),
                location: project.location.clone(),
                health_url: project.health_url.clone(),
                dispatch_url: project.dispatch_url.clone(),
            });
        }
    };
    let remove = {
        let name = project.name.clone();
        move |_| {
            ui::confirm_and_send(
                ctx.clone(),
                format!("Remove {name} and its tasks?"),
                "Remove",
                ("DELETE", format!("/projects/{id}")),
                format!("Removed {name}."),
                load.clone(),
            )
        }
    };
    view! {
        <tr data-project=project.name.clone()>
            <td>
                <strong>{project.name.clone()}</strong>
                <br />
                <small>{project.location.clone()}</small>
            </td>
            <td>{health} " " <small>{project.health_detail.clone().unwrap_or_default()}</small></td>
            <td>{project.last_checked_at.map(ui::time).unwrap_or_else(|| "never".into())}</td>
            <td>{if project.dispatch_url.is_some() { "yes" } else { "no" }}</td>
            <td class="row-actions">
                <button type="button" class="button" on:click=check>"Check now"</button>
                <button type="button" class="button" on:click=edit>"Edit"</button>
                <button type="button" class="button button-danger" on:click=remove>"Remove"</button>
            </td>
        </tr>
    }
}
