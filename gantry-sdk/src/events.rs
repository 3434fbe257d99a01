//! The EventBus contract: what modules may ask of the host's interface, and what the
//! host tells modules.
//!
//! In the browser a module gets the bus as `context.events` (also
//! `window.gantryEvents`): `events.emit("toast", {...})`, `await events.emit("confirm",
//! {...})` (resolves to `true` or `false`), `events.on("theme", cb)` (returns an
//! unsubscribe function). New event types may be added; a module never breaks
//! because the host knows more events than it uses.

use serde::{Deserialize, Serialize};

/// The version of the browser contract: the `window.__GANTRY_MODULES__` registry,
/// the mount context and the EventBus. A module registers the version it was built
/// for; the host refuses other versions with a clear message.
///
/// ```
/// assert_eq!(gantry_sdk::BROWSER_ABI, 1);
/// ```
pub const BROWSER_ABI: u32 = 1;

/// An event on the bus: its `type` and its `detail`.
///
/// ```
/// use gantry_sdk::{GantryEvent, Toast, ToastKind};
///
/// let event: GantryEvent = serde_json::from_str(
///     r#"{"type": "toast", "detail": {"message": "Saved", "kind": "success"}}"#,
/// ).unwrap();
/// assert_eq!(event, GantryEvent::Toast(Toast { message: "Saved".into(), kind: ToastKind::Success, timeout_ms: None }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "type", content = "detail", rename_all = "snake_case")]
pub enum GantryEvent {
    /// Module → host: show a short message.
    Toast(Toast),
    /// Module → host: ask the user to confirm; the emit resolves to the answer.
    Confirm(Confirm),
    /// Host → modules: the theme changed.
    Theme(ThemeChange),
}

/// A short message the host shows in its toast stack.
///
/// ```
/// let toast: gantry_sdk::Toast = serde_json::from_str(r#"{"message": "Hi"}"#).unwrap();
/// assert_eq!(toast.kind, gantry_sdk::ToastKind::Info);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Toast {
    /// What to say.
    pub message: String,
    /// How it looks; `info` when absent.
    #[serde(default)]
    #[cfg_attr(test, ts(as = "Option<ToastKind>", optional))]
    pub kind: ToastKind,
    /// Milliseconds before it goes away by itself; the host's default when absent,
    /// `0` to stay until dismissed.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub timeout_ms: Option<u32>,
}

/// The look of a toast.
///
/// ```
/// assert_eq!(gantry_sdk::ToastKind::default(), gantry_sdk::ToastKind::Info);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ToastKind {
    Success,
    #[default]
    Info,
    Warning,
    Error,
}

/// A question the host asks in a modal dialog.
///
/// ```
/// let c: gantry_sdk::Confirm = serde_json::from_str(r#"{"message": "Delete?"}"#).unwrap();
/// assert_eq!(c.confirm_label, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Confirm {
    /// The question.
    pub message: String,
    /// Label of the confirming button; "Confirm" when absent.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub confirm_label: Option<String>,
    /// Label of the cancelling button; "Cancel" when absent.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub cancel_label: Option<String>,
    /// Styles the confirming button as destructive.
    #[serde(default)]
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    pub danger: bool,
}

/// The theme now shown.
///
/// ```
/// let t = gantry_sdk::ThemeChange { theme: "dark".into() };
/// assert_eq!(t.theme, "dark");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ThemeChange {
    /// `light` or `dark`.
    pub theme: String,
}
