//! The Admin page's Modules tab: every discovered module with its state and error in a
//! row that fits the page, its API, pages and tabs, bundle, migrations and collections
//! under Details, and turning each off and on (with a retry for one that failed).

use gantry_sdk::{
    CollectionAccess, Confirm, FieldType, ModuleSource, ModuleState, ModuleStatus, ModuleStep,
    ToastKind,
};
use leptos::{prelude::*, task::spawn_local};
use serde::Serialize;

use crate::{bootstrap::use_admin_overview, components::icon::Icon, host_ui::use_host_ui, http};

/// The body of `PATCH /api/admin/modules/{name}`.
#[derive(Serialize)]
struct ModuleSwitch {
    enabled: bool,
    with_dependents: bool,
}

/// The display names of the modules in `all` that need `name`, directly or through
/// others, and are not disabled: disabling `name` disables them too.
fn dependents(name: &str, all: &[ModuleStatus]) -> Vec<String> {
    let mut found: Vec<&ModuleStatus> = Vec::new();
    let mut frontier = vec![name.to_owned()];
    while let Some(current) = frontier.pop() {
        for m in all {
            let needs = m.depends.contains_key(&current) && m.state != ModuleState::Disabled;
            if needs && m.name != name && !found.iter().any(|f| f.name == m.name) {
                found.push(m);
                frontier.push(m.name.clone());
            }
        }
    }
    found.iter().map(|m| m.display_name.clone()).collect()
}

/// What a row's actions change in the list.
#[derive(Clone, Copy)]
struct ListChanges {
    /// A module's new status replaces its row (or is added, for an install).
    changed: Callback<ModuleStatus>,
    /// A removed module's row goes.
    removed: Callback<String>,
    /// Whether Remove rolls back the module's migrations (its data goes).
    delete_data: RwSignal<bool>,
}

/// Every discovered module, each with its actions, and installing new ones.
#[component]
pub fn ModulesOverview() -> impl IntoView {
    let modules = RwSignal::new(use_admin_overview().map(|a| a.modules).unwrap_or_default());
    let changes = ListChanges {
        changed: Callback::new(move |status: ModuleStatus| {
            modules.update(|all| match all.iter_mut().find(|m| m.name == status.name) {
                Some(row) => *row = status,
                None => all.push(status),
            });
        }),
        removed: Callback::new(move |name: String| {
            modules.update(|all| all.retain(|m| m.name != name))
        }),
        delete_data: RwSignal::new(false),
    };
    let list = move || {
        let all = modules.get();
        if all.is_empty() {
            return view! {
                <div class="empty-state">
                    <p>"No modules are installed. Install one above, or copy a module folder into the modules folder (see System) and press Rescan."</p>
                </div>
            }
            .into_any();
        }
        let rows = all
            .iter()
            .cloned()
            .map(|m| {
                let needed_by = dependents(&m.name, &all);
                module_row(m, needed_by, changes)
            })
            .collect_view();
        view! {
            <table class="table" data-table="modules">
                <thead>
                    <tr>
                        <th>"Module"</th>
                        <th>"Version"</th>
                        <th>"State"</th>
                        <th>"Source"</th>
                        <th>"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <InstallModule changes />
        {list}
    }
}

/// Installing a drop-in from an archive, and taking in folders copied by hand.
#[component]
fn InstallModule(changes: ListChanges) -> impl IntoView {
    let host = use_host_ui();
    let file_input = NodeRef::<leptos::html::Input>::new();
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let install = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = file_input
                .get_untracked()
                .and_then(|input| input.files())
                .and_then(|files| files.get(0))
            else {
                problem.set(Some(
                    "Choose a .zip or .tar.gz of the module's folder first.".into(),
                ));
                return;
            };
            busy.set(true);
            problem.set(None);
            spawn_local(async move {
                match http::send_file::<ModuleStatus>("POST", "/api/admin/modules", &file).await {
                    Ok(status) => {
                        let state = format!("{:?}", status.state).to_lowercase();
                        let words = match &status.error {
                            Some(error) => format!(
                                "{} is installed, but: {}",
                                status.display_name, error.message
                            ),
                            None => format!("{} is installed and {state}.", status.display_name),
                        };
                        host.toast(ToastKind::Success, words);
                        changes.changed.try_run(status);
                    }
                    Err(err) => problem.set(Some(err.message)),
                }
                busy.set(false);
            });
        }
    };
    let rescan = move |_| {
        busy.set(true);
        spawn_local(async move {
            match http::send::<_, Vec<ModuleStatus>>("POST", "/api/admin/rescan-modules", &()).await
            {
                Ok(found) if found.is_empty() => {
                    host.toast(ToastKind::Info, "No new module folders.")
                }
                Ok(found) => {
                    host.toast(
                        ToastKind::Success,
                        format!("Took in {} new module(s).", found.len()),
                    );
                    for status in found {
                        changes.changed.try_run(status);
                    }
                }
                Err(err) => host.toast(ToastKind::Error, err.message),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-grid" on:submit=install data-form="install-module">
            <label class="field">
                <span>"Install a module (a .zip or .tar.gz of its folder)"</span>
                <input type="file" name="archive" accept=".zip,.tar.gz,.tgz" node_ref=file_input />
            </label>
            {move || problem.get().map(|p| view! { <pre class="form-error" role="alert">{p}</pre> })}
            <label class="checkbox">
                <input type="checkbox" bind:checked=changes.delete_data />
                <span>"Remove deletes the module's data too (rolls back its migrations)"</span>
            </label>
            <div class="button-row">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>"Install"</button>
                <button type="button" class="button" disabled=move || busy.get() on:click=rescan>
                    "Rescan the modules folder"
                </button>
            </div>
        </form>
    }
}

/// Remove for a drop-in (not for a compiled-in module).
fn remove_button(m: &ModuleStatus, changes: ListChanges) -> Option<AnyView> {
    if !matches!(m.source, ModuleSource::DropIn { .. }) {
        return None;
    }
    let host = use_host_ui();
    let (name, display_name) = (m.name.clone(), m.display_name.clone());
    let click = move |_| {
        let (name, display_name) = (name.clone(), display_name.clone());
        let delete_data = changes.delete_data.get_untracked();
        let message = if delete_data {
            format!("Remove {display_name} and delete its data? Its migrations are rolled back and its folder deleted.")
        } else {
            format!("Remove {display_name}? Its folder is deleted; its data is kept for a later install.")
        };
        host.confirm(
            Confirm {
                message,
                confirm_label: Some("Remove".into()),
                cancel_label: None,
                danger: true,
            },
            move |sure| {
                if !sure {
                    return;
                }
                spawn_local(async move {
                    let url = format!("/api/admin/modules/{name}?rollback={delete_data}");
                    match http::send_only("DELETE", &url, &()).await {
                        Ok(()) => {
                            host.toast(ToastKind::Success, format!("{display_name} is removed."));
                            changes.removed.try_run(name);
                        }
                        Err(err) => {
                            host.toast(ToastKind::Error, format!("{display_name}: {}", err.message))
                        }
                    }
                });
            },
        );
    };
    Some(
        view! {
            <button type="button" class="button button-danger" data-action="Remove" on:click=click>
                "Remove"
            </button>
        }
        .into_any(),
    )
}

fn module_row(m: ModuleStatus, needed_by: Vec<String>, changes: ListChanges) -> impl IntoView {
    let action = switch_button(&m, &needed_by, changes.changed);
    let remove = remove_button(&m, changes);
    let needs = m
        .depends
        .iter()
        .map(|(name, range)| format!("needs {name} {range}"))
        .collect::<Vec<_>>()
        .join(", ");
    let state = format!("{:?}", m.state).to_lowercase();
    let data_state = state.clone();
    let ok = m.state == ModuleState::Running;
    let off = m.state == ModuleState::Disabled;
    let source = match &m.source {
        ModuleSource::CompiledIn => "compiled in".to_owned(),
        ModuleSource::DropIn { folder } => format!("drop-in: {folder}"),
    };
    let migrations = m
        .migrations
        .iter()
        .map(|x| {
            format!(
                "{} {} ({})",
                x.version,
                x.description,
                if x.applied { "applied" } else { "pending" }
            )
        })
        .collect::<Vec<_>>();
    let bundle = m
        .bundle
        .map(|b| format!("{:.1} KiB · {}", b.size as f64 / 1024.0, b.hash))
        .unwrap_or_else(|| "none".into());
    let routes = match &m.proxy {
        Some(proxy) => format!("{}/* → {proxy}", m.router_prefix),
        None => format!("{}/*", m.router_prefix),
    };
    let pages = m
        .nav_items
        .iter()
        .map(|n| (n.icon.clone(), format!("{} {}", n.label, n.route)))
        .chain(m.tabs.iter().map(|t| {
            let place = match t.section {
                Some(section) => format!("{section:?} tab").to_lowercase(),
                None => "tab".into(),
            };
            (t.icon.clone(), format!("{} ({place})", t.label))
        }))
        .map(|(icon, words)| view! { <li><Icon name=icon />" "{words}</li> })
        .collect::<Vec<_>>();
    let collections = m
        .collections
        .iter()
        .map(|c| {
            let fields: Vec<String> = c
                .fields
                .iter()
                .map(|f| match f.kind() {
                    FieldType::Text => f.name().to_owned(),
                    kind => format!("{} ({kind:?})", f.name()).to_lowercase(),
                })
                .collect();
            let r = c.rights();
            let rule = |a: CollectionAccess| format!("{a:?}").to_lowercase();
            format!(
                "{} ({}): {}{} · read {}, create {}, update {}, delete {}",
                c.name,
                c.table,
                fields.join(", "),
                if c.owner { " · owned items" } else { "" },
                rule(r.read),
                rule(r.create),
                rule(r.update),
                rule(r.delete)
            )
        })
        .collect::<Vec<_>>();
    let name = m.name.clone();
    let details_id = format!("module-details-{}", m.name);
    let open = RwSignal::new(false);
    view! {
        <tr data-module=name.clone() data-state=data_state>
            <td>
                <strong>{m.display_name}</strong>
                " "
                <code>{m.name}</code>
                {(!needs.is_empty()).then(|| view! { <br /><small data-depends>{needs}</small> })}
            </td>
            <td>{m.version}</td>
            <td>
                <span class="status" class:status-ok=ok class:status-bad=!ok && !off>
                    {state}
                </span>
                {m.error.map(|e| view! { <p class="status-error">{e.message}</p> })}
            </td>
            <td class="cell-path">{source}</td>
            <td>
                <div class="row-actions">
                    <button
                        type="button"
                        class="button"
                        aria-expanded=move || open.get().to_string()
                        aria-controls=details_id.clone()
                        on:click=move |_| open.update(|open| *open = !*open)
                    >
                        "Details"
                    </button>
                    {action}
                    {remove}
                </div>
            </td>
        </tr>
        // What does not fit the row: shown under it on demand.
        <tr class="module-details" id=details_id data-details-of=name hidden=move || !open.get()>
            <td colspan="5">
                <dl class="facts">
                    <dt>"API"</dt>
                    <dd><code>{routes}</code></dd>
                    <dt>"Pages and tabs"</dt>
                    <dd data-pages>{list_view(pages)}</dd>
                    <dt>"Bundle"</dt>
                    <dd>{bundle}</dd>
                    <dt>"Migrations"</dt>
                    <dd data-migrations>{list(migrations)}</dd>
                    <dt>"Collections"</dt>
                    <dd data-collections>{list(collections)}</dd>
                </dl>
            </td>
        </tr>
    }
}

/// Disable for a running module, Enable for a disabled one, Try again for a failed
/// one; nothing for a module that could not be loaded.
fn switch_button(
    m: &ModuleStatus,
    needed_by: &[String],
    on_switched: Callback<ModuleStatus>,
) -> Option<AnyView> {
    let also = if needed_by.is_empty() {
        String::new()
    } else {
        format!(" {} need it and are disabled too.", needed_by.join(", "))
    };
    let waits_on_others = m.state == ModuleState::Incompatible
        && m.error
            .as_ref()
            .is_some_and(|e| e.step == ModuleStep::Dependencies);
    let (enable, label, question, confirm_label) = match m.state {
        ModuleState::Running => (
            false,
            "Disable",
            format!(
                "Disable {}? Its pages, tabs and API stop for everyone, on every instance, until it is enabled again. Its data is kept.{also}",
                m.display_name
            ),
            "Disable",
        ),
        ModuleState::Disabled => (
            true,
            "Enable",
            format!("Enable {}? Its migrations run if needed, then it starts.", m.display_name),
            "Enable",
        ),
        _ if m.state == ModuleState::Failed || waits_on_others => (
            true,
            "Try again",
            format!("Start {} again? Its migrations and start-up run once more.", m.display_name),
            "Try again",
        ),
        _ => return None,
    };
    let host = use_host_ui();
    let busy = RwSignal::new(false);
    let (name, display_name) = (m.name.clone(), m.display_name.clone());
    let click = move |_| {
        let (name, display_name) = (name.clone(), display_name.clone());
        host.confirm(
            Confirm {
                message: question.clone(),
                confirm_label: Some(confirm_label.into()),
                cancel_label: None,
                danger: !enable,
            },
            move |sure| {
                if !sure {
                    return;
                }
                busy.set(true);
                spawn_local(async move {
                    let url = format!("/api/admin/modules/{name}");
                    let body = ModuleSwitch {
                        enabled: enable,
                        with_dependents: !enable,
                    };
                    match http::send::<_, ModuleStatus>("PATCH", &url, &body).await {
                        Ok(status) => {
                            let (kind, message) = match (&status.error, status.state) {
                                (Some(error), _) => (ToastKind::Error, error.message.clone()),
                                (None, ModuleState::Disabled) => {
                                    (ToastKind::Success, format!("{display_name} is disabled."))
                                }
                                (None, _) => {
                                    (ToastKind::Success, format!("{display_name} is running."))
                                }
                            };
                            host.toast(kind, message);
                            // The tab may have been left while the module started.
                            on_switched.try_run(status);
                        }
                        Err(err) => {
                            host.toast(ToastKind::Error, format!("{display_name}: {}", err.message))
                        }
                    }
                    busy.set(false);
                });
            },
        );
    };
    Some(
        view! {
            <button type="button" class="button" class:button-danger=!enable
                data-action=label disabled=move || busy.get() on:click=click>
                {label}
            </button>
        }
        .into_any(),
    )
}

/// `items` as a compact list, or "none".
fn list(items: Vec<String>) -> AnyView {
    list_view(items.into_iter().map(|i| view! { <li>{i}</li> }).collect())
}

/// List items drawn already, as a compact list, or "none".
fn list_view<V: IntoView + 'static>(items: Vec<V>) -> AnyView {
    if items.is_empty() {
        return "none".into_any();
    }
    view! { <ul class="compact-list">{items}</ul> }.into_any()
}
