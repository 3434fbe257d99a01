//! The Admin page's Users tab: every account, creating one, changing its role,
//! disabling it, setting a new password and unlocking its sign-in.

use gantry_sdk::{Confirm, ToastKind};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use crate::{
    account::{NewUser, UserAccount, UserUpdate},
    components::form_problem::{FieldAlert, FormAlert, FormProblem},
    host_ui::use_host_ui,
    http,
    pages::admin_audit::format_time,
};

/// The Users tab.
#[component]
pub fn UsersTab() -> impl IntoView {
    let users = LocalResource::new(|| http::get::<Vec<UserAccount>>("/api/admin/users"));
    let reload = Callback::new(move |()| users.refetch());
    view! {
        <NewUserForm on_created=reload />
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading accounts…"</p> }>
            {move || {
                users
                    .get()
                    .map(|answer| match answer {
                        Ok(list) => view! { <UsersTable users=list on_change=reload /> }.into_any(),
                        Err(err) => view! {
                            <p class="form-error" role="alert">"Cannot list the accounts: " {err.message}</p>
                        }
                        .into_any(),
                    })
            }}
        </Transition>
    }
}

/// Creating an account.
#[component]
fn NewUserForm(on_created: Callback<()>) -> impl IntoView {
    let host = use_host_ui();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let is_admin = RwSignal::new(false);
    let error = FormProblem::new(&["username", "display_name", "password"]);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new = NewUser {
            username: username.get_untracked().trim().to_owned(),
            display_name: display_name.get_untracked(),
            password: password.get_untracked(),
            is_admin: is_admin.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match http::send::<_, UserAccount>("POST", "/api/admin/users", &new).await {
                Ok(user) => {
                    host.toast(
                        ToastKind::Success,
                        format!("Created the account {}.", user.username),
                    );
                    for field in [username, display_name, password] {
                        field.set(String::new());
                    }
                    is_admin.set(false);
                    error.set(None);
                    on_created.run(());
                }
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-grid" on:submit=submit data-form="new-user">
            <h2>"New account"</h2>
            <FormAlert problem=error />
            <label class="field">
                <span>"Username"</span>
                <input name="username" bind:value=username required maxlength="64" autocomplete="off" aria-invalid=error.invalid("username") />
                <FieldAlert problem=error field="username" />
            </label>
            <label class="field">
                <span>"Display name"</span>
                <input name="display_name" bind:value=display_name required maxlength="100" aria-invalid=error.invalid("display_name") />
                <FieldAlert problem=error field="display_name" />
            </label>
            <label class="field">
                <span>"Password (at least 10 characters)"</span>
                <input name="password" type="password" bind:value=password required minlength="10" autocomplete="new-password" aria-invalid=error.invalid("password") />
                <FieldAlert problem=error field="password" />
            </label>
            <label class="checkbox">
                <input name="is_admin" type="checkbox" bind:checked=is_admin />
                " Administrator"
            </label>
            <div class="button-row">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Creating…" } else { "Create account" }}
                </button>
            </div>
        </form>
    }
}

/// The accounts, each with its actions.
#[component]
fn UsersTable(users: Vec<UserAccount>, on_change: Callback<()>) -> impl IntoView {
    let rows = users
        .into_iter()
        .map(|user| view! { <UserRow user on_change /> })
        .collect_view();
    view! {
        <table class="table" data-table="users">
            <thead>
                <tr>
                    <th>"Account"</th>
                    <th>"Role"</th>
                    <th>"State"</th>
                    <th>"Last sign-in"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// One account and what an administrator can do to it.
#[component]
fn UserRow(user: UserAccount, on_change: Callback<()>) -> impl IntoView {
    let host = use_host_ui();
    let resetting = RwSignal::new(false);
    let new_password = RwSignal::new(String::new());
    let url = format!("/api/admin/users/{}", user.id);
    let username = user.username.clone();
    // Sends `update`, then says how it went.
    let apply = {
        let url = url.clone();
        let username = username.clone();
        move |update: UserUpdate, done: &'static str| {
            let (url, username) = (url.clone(), username.clone());
            spawn_local(async move {
                match http::send::<_, UserAccount>("PATCH", &url, &update).await {
                    Ok(_) => {
                        host.toast(ToastKind::Success, format!("{username}: {done}."));
                        on_change.run(());
                    }
                    Err(err) => {
                        host.toast(ToastKind::Error, format!("{username}: {}", err.message))
                    }
                }
            });
        }
    };
    let toggle_role = {
        let apply = apply.clone();
        let (username, is_admin) = (username.clone(), user.is_admin);
        move |_| {
            let apply = apply.clone();
            let question = if is_admin {
                format!("Take administrator rights from {username}? Their sessions end.")
            } else {
                format!("Make {username} an administrator? Their sessions end.")
            };
            host.confirm(
                Confirm {
                    message: question,
                    confirm_label: Some("Change role".into()),
                    cancel_label: None,
                    danger: is_admin,
                },
                move |yes| {
                    if yes {
                        let update = UserUpdate {
                            is_admin: Some(!is_admin),
                            ..UserUpdate::default()
                        };
                        apply(
                            update,
                            if is_admin {
                                "now a user"
                            } else {
                                "now an administrator"
                            },
                        );
                    }
                },
            );
        }
    };
    let toggle_disabled = {
        let apply = apply.clone();
        let (username, disabled) = (username.clone(), user.disabled);
        move |_| {
            let update = UserUpdate {
                disabled: Some(!disabled),
                ..UserUpdate::default()
            };
            if disabled {
                apply(update, "enabled");
                return;
            }
            let apply = apply.clone();
            host.confirm(
                Confirm {
                    message: format!("Disable {username}? They are signed out and cannot sign in."),
                    confirm_label: Some("Disable".into()),
                    cancel_label: None,
                    danger: true,
                },
                move |yes| {
                    if yes {
                        apply(update, "disabled");
                    }
                },
            );
        }
    };
    let unlock = {
        let (url, username) = (url.clone(), username.clone());
        move |_| {
            let (url, username) = (format!("{url}/unlock"), username.clone());
            spawn_local(async move {
                match http::send::<_, UserAccount>("POST", &url, &()).await {
                    Ok(_) => {
                        host.toast(ToastKind::Success, format!("{username} may sign in again."));
                        on_change.run(());
                    }
                    Err(err) => {
                        host.toast(ToastKind::Error, format!("{username}: {}", err.message))
                    }
                }
            });
        }
    };
    let save_password = move |ev: SubmitEvent| {
        ev.prevent_default();
        let update = UserUpdate {
            password: Some(new_password.get_untracked()),
            ..UserUpdate::default()
        };
        apply(update, "new password set, sessions ended");
        new_password.set(String::new());
        resetting.set(false);
    };
    let last_login = user
        .last_login_at
        .map(format_time)
        .unwrap_or_else(|| "never".into());
    view! {
        <tr data-user=user.username.clone()>
            <td>
                <strong>{user.display_name.clone()}</strong>
                " "
                <code>{user.username.clone()}</code>
            </td>
            <td data-role>{if user.is_admin { "administrator" } else { "user" }}</td>
            <td>
                <span class="status" class:status-ok=!user.disabled class:status-bad=user.disabled>
                    {if user.disabled { "disabled" } else { "active" }}
                </span>
                {user.sign_in_locked.then(|| view! {
                    " "
                    <span class="status status-bad" data-locked title="Too many failed sign-ins">
                        "sign-in locked"
                    </span>
                })}
            </td>
            <td>{last_login}</td>
            <td class="row-actions">
                <button type="button" class="button" on:click=toggle_role>
                    {if user.is_admin { "Make user" } else { "Make administrator" }}
                </button>
                <button type="button" class="button" class:button-danger=!user.disabled on:click=toggle_disabled>
                    {if user.disabled { "Enable" } else { "Disable" }}
                </button>
                {user.sign_in_locked.then(|| view! {
                    <button type="button" class="button" on:click=unlock.clone()>"Unlock sign-in"</button>
                })}
                <button type="button" class="button" on:click=move |_| resetting.update(|r| *r = !*r)>
                    "Set password…"
                </button>
                {move || resetting.get().then(|| {
                    let save_password = save_password.clone();
                    view! {
                    <form class="inline-form" on:submit=save_password>
                        <input
                            type="password"
                            aria-label=format!("New password for {username}")
                            bind:value=new_password
                            minlength="10"
                            required
                            autocomplete="new-password"
                        />
                        <button type="submit" class="button button-primary">"Save"</button>
                    </form>
                    }
                })}
            </td>
        </tr>
    }
}
