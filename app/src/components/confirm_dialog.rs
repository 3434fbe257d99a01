//! The confirm dialog modules ask for through the EventBus: modal, focus kept inside,
//! Escape cancels, the answer goes back to the module's promise.

use leptos::prelude::*;

use crate::host_ui::use_host_ui;

/// Renders the pending confirmation, if any.
#[component]
pub fn ConfirmDialog() -> impl IntoView {
    let host = use_host_ui();
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    let cancel_button = NodeRef::<leptos::html::Button>::new();
    let answer = move |confirmed: bool| {
        if let Some(pending) = host.confirm.get_untracked() {
            host.confirm.set(None);
            #[cfg(feature = "hydrate")]
            if !crate::host_ui::answer_host(pending.id, confirmed) {
                crate::browser::bus::answer(pending.id, confirmed);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (pending, confirmed);
        }
    };
    // Focus the confirming button when the dialog opens.
    Effect::new(move |_| {
        if host.confirm.with(Option::is_some) {
            if let Some(button) = confirm_button.get() {
                let _ = button.focus();
            }
        }
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            answer(false);
        }
        // Two buttons: Tab and Shift+Tab move between them and never leave.
        "Tab" => {
            ev.prevent_default();
            let on_confirm = confirm_button
                .get()
                .zip(document().active_element())
                .is_some_and(|(button, active)| button.is_same_node(Some(active.as_ref())));
            let next = if on_confirm {
                cancel_button.get()
            } else {
                confirm_button.get()
            };
            if let Some(button) = next {
                let _ = button.focus();
            }
        }
        _ => {}
    };
    move || {
        host.confirm.get().map(|pending| {
            let request = pending.request;
            view! {
                <div class="dialog-backdrop">
                    <div
                        class="dialog"
                        role="alertdialog"
                        aria-modal="true"
                        aria-labelledby="gantry-confirm-message"
                        on:keydown=on_keydown
                    >
                        <p id="gantry-confirm-message" class="dialog-message">{request.message}</p>
                        {pending.module.map(|m| view! { <p class="dialog-source">"Asked by " <span class="badge">{m}</span></p> })}
                        <div class="dialog-actions">
                            <button
                                type="button"
                                class="button"
                                node_ref=cancel_button
                                on:click=move |_| answer(false)
                            >
                                {request.cancel_label.unwrap_or_else(|| "Cancel".into())}
                            </button>
                            <button
                                type="button"
                                class="button button-primary"
                                class:button-danger=request.danger
                                node_ref=confirm_button
                                on:click=move |_| answer(true)
                            >
                                {request.confirm_label.unwrap_or_else(|| "Confirm".into())}
                            </button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
