//! Small pieces the tabs share: times, query strings, polling, the toast helper.

use gantry_sdk::{leptos::GantryContext, Toast, ToastKind};
use leptos::prelude::*;

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

/// Calls `tick` every `ms` milliseconds while the component is mounted.
pub fn poll(ms: u64, tick: impl Fn() + 'static) {
    if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_millis(ms)) {
        on_cleanup(move || handle.clear());
    }
}

/// A success toast.
pub fn done(ctx: &GantryContext, message: impl Into<String>) {
    ctx.toast(Toast {
        message: message.into(),
        kind: ToastKind::Success,
        timeout_ms: None,
    });
}
