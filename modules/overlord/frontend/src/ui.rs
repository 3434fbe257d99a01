//! Small pieces the tabs share: times, query strings, polling, the toast helper, a
//! form's refused field.

use gantry_sdk::{http::ApiFailure, leptos::GantryContext, Confirm, Toast, ToastKind};
use leptos::{prelude::*, task::spawn_local};

/// A Unix time in the browser's locale.
pub fn time(unix: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0));
    String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

/// Seconds since the Unix epoch, in the browser.
pub fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// `key=value&…`, percent-encoded, skipping empty values.
pub fn query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", js_sys::encode_uri_component(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

/// Orders overlapping loads of one list: each load takes a ticket, and only the newest
/// ticket's answer is shown. Without it, an older search's answer arriving late (typing
/// fast, a filter changed mid-request) would replace the newer one on screen.
#[derive(Clone, Copy)]
pub struct NewestLoad(StoredValue<u64>);

impl NewestLoad {
    pub fn new() -> Self {
        Self(StoredValue::new(0))
    }

    /// Starts a load: every earlier ticket is outdated from now on.
    pub fn ticket(&self) -> u64 {
        self.0.update_value(|n| *n += 1);
        self.0.get_value()
    }

    /// Whether `ticket` is still the newest load (never once the tab is gone).
    pub fn is_newest(&self, ticket: u64) -> bool {
        self.0.try_get_value() == Some(ticket)
    }
}

/// The page to show instead of `page` when it came back with no `rows` while earlier
/// pages still have some (its rows were deleted): the last page that has rows. `None`
/// when `page` is right as it is.
pub fn page_with_rows(page: u32, rows: usize, total: u64, per_page: u32) -> Option<u32> {
    if rows > 0 || page == 0 {
        return None;
    }
    let last = total.div_ceil(u64::from(per_page.max(1))).saturating_sub(1);
    Some(u32::try_from(last).unwrap_or(u32::MAX).min(page - 1))
}

/// The server's refusal of a form's last submission, if any: each field shows the
/// part that names it.
#[derive(Clone, Copy)]
pub struct FormProblem(RwSignal<Option<ApiFailure>>);

impl FormProblem {
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    /// Shows `failure`, or clears it with `None`.
    pub fn set(self, failure: Option<ApiFailure>) {
        self.0.try_set(failure);
    }

    /// The message, when the refusal names `field`.
    pub fn about(self, field: &'static str) -> Option<String> {
        self.0.with(|p| {
            p.as_ref()
                .filter(|p| p.field.as_deref() == Some(field))
                .map(|p| p.message.clone())
        })
    }

    /// `aria-invalid` for `field`'s input.
    pub fn invalid(self, field: &'static str) -> impl Fn() -> Option<&'static str> + Copy {
        move || self.about(field).map(|_| "true")
    }

    /// Under `field`'s input: the refusal's message when it names that field.
    pub fn under(self, field: &'static str) -> impl Fn() -> Option<AnyView> + Copy {
        move || {
            self.about(field)
                .map(|m| view! { <span class="field-error" role="alert">{m}</span> }.into_any())
        }
    }
}

/// Calls `tick` every `ms` milliseconds while the component is mounted.
pub fn poll(ms: u64, tick: impl Fn() + 'static) {
    if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_millis(ms)) {
        on_cleanup(move || handle.clear());
    }
}

/// A destructive action: asks `question` in the host's dialog (confirming with
/// `label`), then sends `method path` with no body; on success says `done` and runs
/// `then` (a failure is already a toast).
pub fn confirm_and_send(
    ctx: GantryContext,
    question: String,
    label: &'static str,
    request: (&'static str, String),
    done_message: String,
    then: impl Fn() + 'static,
) {
    let (method, path) = request;
    spawn_local(async move {
        let sure = ctx
            .confirm(Confirm {
                message: question,
                confirm_label: Some(label.into()),
                cancel_label: Some("Keep it".into()),
                danger: true,
            })
            .await;
        if sure && ctx.send_only(method, &path, None::<&()>).await.is_ok() {
            done(&ctx, done_message);
            then();
        }
    });
}

/// A success toast.
pub fn done(ctx: &GantryContext, message: impl Into<String>) {
    ctx.toast(Toast {
        message: message.into(),
        kind: ToastKind::Success,
        timeout_ms: None,
    });
}
