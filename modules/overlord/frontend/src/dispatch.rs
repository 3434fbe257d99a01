//! Dispatch: send a task to a project, follow the queue and each task's history,
//! cancel a queued one.

use gantry_mod_overlord::model::{Priority, Project, Task, TaskInput, TaskState};
use gantry_sdk::leptos::{
    ui::{EmptyState, StatusBadge, Tone},
    GantryContext,
};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use serde::Deserialize;

use crate::ui;

#[derive(Deserialize)]
struct Created {
    id: i64,
}

/// The Dispatch tab.
#[component]
pub fn DispatchConsole(ctx: GantryContext) -> impl IntoView {
    let projects = RwSignal::new(Vec::<Project>::new());
    let newest = ui::NewestLoad::new();
    let tasks = RwSignal::new(None::<Result<Vec<Task>, String>>);
    let state_filter = RwSignal::new(String::new());
    let project_id = RwSignal::new(String::new());
    let instruction = RwSignal::new(String::new());
    let problem = ui::FormProblem::new();
    let priority = RwSignal::new("normal".to_owned());
    {
        let ctx = ctx.clone();
        spawn_local(async move {
            if let Ok(list) = ctx.get::<Vec<Project>>("/projects").await {
                let receivers: Vec<Project> = list
                    .into_iter()
                    .filter(|p| p.dispatch_url.is_some())
                    .collect();
                if let Some(first) = receivers.first() {
                    project_id.set(first.id.to_string());
                }
                projects.set(receivers);
            }
        });
    }
    let load = {
        let ctx = ctx.clone();
        move || {
            let ctx = ctx.clone();
            let path = format!(
                "/tasks?{}",
                ui::query(&[("state", state_filter.get_untracked())])
            );
            let ticket = newest.ticket();
            spawn_local(async move {
                let answer = ctx.get::<Vec<Task>>(&path).await.map_err(|e| e.message);
                if newest.is_newest(ticket) {
                    tasks.set(Some(answer));
                }
            });
        }
    };
    load();
    ui::poll(1500, load.clone());
    Effect::watch(
        move || state_filter.get(),
        {
            let load = load.clone();
            move |_, _, _| load()
        },
        false,
    );

    let submit = {
        let (ctx, load) = (ctx.clone(), load.clone());
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let Ok(project_id) = project_id.get_untracked().parse::<i64>() else {
                return;
            };
            let input = TaskInput {
                project_id,
                instruction: instruction.get_untracked(),
                priority: match priority.get_untracked().as_str() {
                    "high" => Priority::High,
                    "low" => Priority::Low,
                    _ => Priority::Normal,
                },
            };
            let (ctx, load) = (ctx.clone(), load.clone());
            spawn_local(async move {
                match ctx.send::<_, Created>("POST", "/tasks", &input).await {
                    Ok(created) => {
                        ui::done(&ctx, format!("Task {} queued.", created.id));
                        problem.set(None);
                        instruction.set(String::new());
                        load();
                    }
                    Err(failure) => problem.set(Some(failure)),
                }
            });
        }
    };
    let options = move || {
        projects
            .get()
            .into_iter()
            .map(|p| view! { <option value=p.id.to_string()>{p.name}</option> })
            .collect_view()
    };
    let queue = {
        let (ctx, load) = (ctx.clone(), load.clone());
        move || match tasks.get() {
            None => view! { <p class="loading" role="status">"Loading the queue…"</p> }.into_any(),
            Some(Err(err)) => view! { <p class="form-error" role="alert">{err}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => {
                view! { <EmptyState>"No tasks."</EmptyState> }.into_any()
            }
            Some(Ok(list)) => {
                let rows = list
                    .into_iter()
                    .map(|t| task_row(ctx.clone(), t, load.clone()))
                    .collect_view();
                view! {
                    <table class="table" data-table="tasks">
                        <thead>
                            <tr>
                                <th>"#"</th>
                                <th>"Project"</th>
                                <th>"Instruction"</th>
                                <th>"Priority"</th>
                                <th>"State"</th>
                                <th>"History"</th>
                                <th></th>
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
        <div class="overlord-dispatch">
            <form class="card form-grid" on:submit=submit data-form="task">
                <h2>"Dispatch a task"</h2>
                <Show
                    when=move || !projects.get().is_empty()
                    fallback=|| view! { <p>"No project has a dispatch URL yet: give one a dispatch URL in Ecosystem."</p> }
                >
                    <label class="field">
                        <span>"Project"</span>
                        <select name="project" bind:value=project_id aria-invalid=problem.invalid("project_id")>{options}</select>
                        {problem.under("project_id")}
                    </label>
                </Show>
                <label class="field">
                    <span>"Instruction"</span>
                    <textarea name="instruction" rows="3" bind:value=instruction required maxlength="4000" aria-invalid=problem.invalid("instruction")></textarea>
                    {problem.under("instruction")}
                </label>
                <label class="field">
                    <span>"Priority"</span>
                    <select name="priority" bind:value=priority>
                        <option value="low">"low"</option>
                        <option value="normal">"normal"</option>
                        <option value="high">"high"</option>
                    </select>
                </label>
                <div class="button-row">
                    <button type="submit" class="button button-primary" disabled=move || projects.get().is_empty()>
                        "Dispatch"
                    </button>
                </div>
            </form>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <label class="field">
                    <span>"State"</span>
                    <select name="state" bind:value=state_filter>
                        <option value="">"all"</option>
                        <option value="queued">"queued"</option>
                        <option value="running">"running"</option>
                        <option value="done">"done"</option>
                        <option value="failed">"failed"</option>
                        <option value="cancelled">"cancelled"</option>
                    </select>
                </label>
            </form>
            {queue}
        </div>
    }
}

fn state_badge(state: TaskState) -> impl IntoView {
    let tone = match state {
        TaskState::Done => Tone::Good,
        TaskState::Failed => Tone::Bad,
        _ => Tone::Neutral,
    };
    view! { <StatusBadge label=state.as_str() tone /> }
}

fn task_row(ctx: GantryContext, task: Task, load: impl Fn() + Clone + 'static) -> impl IntoView {
    let id = task.id;
    let cancel = move |_| {
        ui::confirm_and_send(
            ctx.clone(),
            format!("Cancel task {id}?"),
            "Cancel task",
            ("POST", format!("/tasks/{id}/cancel")),
            format!("Task {id} cancelled."),
            load.clone(),
        )
    };
    let history = task
        .history
        .iter()
        .map(|e| {
            let note = e.note.clone().map(|n| format!(": {n}")).unwrap_or_default();
            view! { <li>{format!("{} {}{note}", ui::time(e.at), e.state.as_str())}</li> }
        })
        .collect_view();
    let priority = match task.priority {
        Priority::High => "high",
        Priority::Normal => "normal",
        Priority::Low => "low",
    };
    view! {
        <tr data-task=task.id.to_string() data-state=task.state.as_str()>
            <td>{task.id}</td>
            <td>{task.project.clone()}</td>
            <td>{task.instruction.clone()}</td>
            <td>{priority}</td>
            <td>{state_badge(task.state)}</td>
            <td><ul class="compact-list">{history}</ul></td>
            <td>
                {(task.state == TaskState::Queued).then(|| view! {
                    <button type="button" class="button" on:click=cancel.clone()>"Cancel"</button>
                })}
            </td>
        </tr>
    }
}
