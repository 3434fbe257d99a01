//! The host's own interface state that modules reach only through the EventBus:
//! the toast stack and the confirm dialog, plus the theme they are told about.

use gantry_sdk::{Confirm, Toast, ToastKind};
use leptos::prelude::*;

use crate::theme::Theme;

/// A toast on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownToast {
    pub id: u64,
    pub message: String,
    pub kind: ToastKind,
    /// The module that asked, if any.
    pub module: Option<String>,
}

/// A confirmation being asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingConfirm {
    pub id: u64,
    pub request: Confirm,
    pub module: Option<String>,
}

/// Handles to the host interface's state; `Copy`, provided as context by `App`.
#[derive(Clone, Copy)]
pub struct HostUi {
    pub toasts: RwSignal<Vec<ShownToast>>,
    pub confirm: RwSignal<Option<PendingConfirm>>,
    /// The visitor's chosen theme (`None`: the system's).
    pub theme: RwSignal<Option<Theme>>,
    next_id: StoredValue<u64>,
}

/// How long a toast stays when the module gives no timeout.
pub const DEFAULT_TOAST_MS: u32 = 5000;

impl HostUi {
    pub fn new(theme: Option<Theme>) -> Self {
        Self {
            toasts: RwSignal::new(Vec::new()),
            confirm: RwSignal::new(None),
            theme: RwSignal::new(theme),
            next_id: StoredValue::new(1),
        }
    }

    fn next_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// Shows `toast`; returns its id.
    pub fn show_toast(&self, toast: Toast, module: Option<String>) -> u64 {
        let id = self.next_id();
        self.toasts.update(|toasts| {
            toasts.push(ShownToast {
                id,
                message: toast.message,
                kind: toast.kind,
                module,
            })
        });
        id
    }

    pub fn dismiss_toast(&self, id: u64) {
        self.toasts.update(|toasts| toasts.retain(|t| t.id != id));
    }

    /// Opens the confirm dialog (one at a time: a newer request replaces an older one,
    /// which the caller answers `false`); returns its id.
    pub fn ask(&self, request: Confirm, module: Option<String>) -> u64 {
        let id = self.next_id();
        self.confirm.set(Some(PendingConfirm {
            id,
            request,
            module,
        }));
        id
    }
}

impl HostUi {
    /// Shows a toast from the host itself.
    pub fn toast(&self, kind: ToastKind, message: impl Into<String>) {
        self.show_toast(
            Toast {
                message: message.into(),
                kind,
                timeout_ms: None,
            },
            None,
        );
    }

    /// Asks `question` in the confirm dialog as a dangerous action ("Delete"); on yes
    /// sends `DELETE url` and calls `deleted`, or shows the server's refusal as
    /// "Cannot delete <what>: …".
    pub fn confirm_delete(
        self,
        question: String,
        what: &'static str,
        url: String,
        deleted: impl FnOnce() + 'static,
    ) {
        let confirm = Confirm {
            message: question,
            confirm_label: Some("Delete".into()),
            cancel_label: None,
            danger: true,
        };
        self.confirm(confirm, move |yes| {
            if yes {
                leptos::task::spawn_local(async move {
                    match crate::http::send_only("DELETE", &url, &()).await {
                        Ok(()) => deleted(),
                        Err(err) => self.toast(
                            ToastKind::Error,
                            format!("Cannot delete {what}: {}", err.message),
                        ),
                    }
                });
            }
        });
    }

    /// Asks the host's own question; `then` gets the answer (in the browser).
    pub fn confirm(&self, request: Confirm, then: impl FnOnce(bool) + 'static) {
        if let Some(replaced) = self.confirm.get_untracked() {
            answer_host(replaced.id, false);
        }
        let id = self.ask(request, None);
        #[cfg(feature = "hydrate")]
        HOST_ANSWERS.with(|answers| answers.borrow_mut().insert(id, Box::new(then)));
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, then);
    }
}

/// What the host does with the answer to one of its own questions.
#[cfg(feature = "hydrate")]
type OnAnswer = Box<dyn FnOnce(bool)>;

#[cfg(feature = "hydrate")]
thread_local! {
    /// The host's own questions awaiting an answer, by confirmation id.
    static HOST_ANSWERS: std::cell::RefCell<std::collections::HashMap<u64, OnAnswer>> =
        Default::default();
}

/// Hands the answer to confirmation `id` to the host code that asked; `false` when
/// the host did not ask it (a module did).
pub fn answer_host(id: u64, confirmed: bool) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let then = HOST_ANSWERS.with(|answers| answers.borrow_mut().remove(&id));
        then.map(|then| then(confirmed)).is_some()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (id, confirmed);
        false
    }
}

/// The host interface state of this app.
pub fn use_host_ui() -> HostUi {
    expect_context::<HostUi>()
}
