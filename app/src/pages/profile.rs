//! The Settings page's Profile tab: the signed-in user's display name and password.

use gantry_sdk::ToastKind;
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use crate::{
    account::{PasswordChange, Profile, ProfileUpdate},
    components::form_problem::{FieldAlert, FormAlert, FormProblem},
    host_ui::use_host_ui,
    http::{self, ApiFailure},
};

/// The Profile tab.
#[component]
pub fn ProfileTab() -> impl IntoView {
    let profile = LocalResource::new(|| http::get::<Profile>("/api/me"));
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading your profile…"</p> }>
            {move || {
                profile
                    .get()
                    .map(|answer| match answer {
                        Ok(profile) => view! {
                            <DisplayNameForm profile />
                            <PasswordForm />
                        }
                        .into_any(),
                        Err(err) if err.code == "no_account" => view! {
                            <div class="empty-state">
                                <p>"You are signed in as a development user, which has no account to edit."</p>
                            </div>
                        }
                        .into_any(),
                        Err(err) => view! {
                            <p class="form-error" role="alert">"Cannot load your profile: " {err.message}</p>
                        }
                        .into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn DisplayNameForm(profile: Profile) -> impl IntoView {
    let host = use_host_ui();
    let display_name = RwSignal::new(profile.display_name);
    let error = FormProblem::new(&["display_name"]);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let update = ProfileUpdate {
            display_name: display_name.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match http::send::<_, Profile>("PUT", "/api/me/profile", &update).await {
                Ok(saved) => {
                    error.set(None);
                    display_name.set(saved.display_name);
                    host.toast(
                        ToastKind::Success,
                        "Display name saved; the header shows it on your next page load.",
                    );
                }
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-grid" on:submit=submit data-form="profile">
            <h2>"Profile"</h2>
            <p>"Signed in as " <code>{profile.username}</code> {profile.is_admin.then_some(", an administrator")} "."</p>
            <FormAlert problem=error />
            <label class="field">
                <span>"Display name"</span>
                <input name="display_name" bind:value=display_name required maxlength="100" aria-invalid=error.invalid("display_name") />
                <FieldAlert problem=error field="display_name" />
            </label>
            <div class="button-row">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    "Save"
                </button>
            </div>
        </form>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let host = use_host_ui();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    // The server names the new password `password`; the second copy is checked here.
    let error = FormProblem::new(&["current_password", "password", "again"]);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if new.get_untracked() != again.get_untracked() {
            error.set(Some(ApiFailure {
                field: Some("again".into()),
                ..ApiFailure::local("client", "The two new passwords differ.")
            }));
            return;
        }
        let change = PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match http::send_only("POST", "/api/me/password", &change).await {
                Ok(()) => {
                    error.set(None);
                    for field in [current, new, again] {
                        field.set(String::new());
                    }
                    host.toast(
                        ToastKind::Success,
                        "Password changed. Your other sessions have been signed out.",
                    );
                }
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-grid" on:submit=submit data-form="password">
            <h2>"Password"</h2>
            <FormAlert problem=error />
            <label class="field">
                <span>"Current password"</span>
                <input name="current_password" type="password" bind:value=current required autocomplete="current-password" aria-invalid=error.invalid("current_password") />
                <FieldAlert problem=error field="current_password" />
            </label>
            <label class="field">
                <span>"New password (at least 10 characters)"</span>
                <input name="new_password" type="password" bind:value=new required minlength="10" autocomplete="new-password" aria-invalid=error.invalid("password") />
                <FieldAlert problem=error field="password" />
            </label>
            <label class="field">
                <span>"New password again"</span>
                <input name="new_password_again" type="password" bind:value=again required minlength="10" autocomplete="new-password" aria-invalid=error.invalid("again") />
                <FieldAlert problem=error field="again" />
            </label>
            <div class="button-row">
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Changing…" } else { "Change password" }}
                </button>
            </div>
        </form>
    }
}
