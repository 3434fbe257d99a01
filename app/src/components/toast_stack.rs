//! The toast stack: messages modules (and the host) ask for, announced to screen
//! readers, dismissable, gone after their timeout.

use gantry_sdk::ToastKind;
use leptos::prelude::*;

use crate::host_ui::use_host_ui;

/// Renders the host's toasts, newest last.
#[component]
pub fn ToastStack() -> impl IntoView {
    let host = use_host_ui();
    view! {
        <div class="toast-stack" role="status" aria-live="polite" aria-relevant="additions">
            <For each=move || host.toasts.get() key=|toast| toast.id let:toast>
                <div
                    class="toast"
                    class:toast-success=toast.kind == ToastKind::Success
                    class:toast-warning=toast.kind == ToastKind::Warning
                    class:toast-error=toast.kind == ToastKind::Error
                    data-kind=format!("{:?}", toast.kind).to_lowercase()
                >
                    <span class="toast-message">{toast.message.clone()}</span>
                    {toast.module.clone().map(|m| view! { <span class="badge">{m}</span> })}
                    <button
                        type="button"
                        class="toast-dismiss"
                        aria-label="Dismiss"
                        on:click=move |_| host.dismiss_toast(toast.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
