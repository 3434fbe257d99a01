//! A module frontend written in Leptos (feature `leptos`): the module compiles its
//! components to their own WASM and ES module, and registers each one in
//! `window.__GANTRY_MODULES__` with [`register`], like a plain-JS module would.
//!
//! ```ignore
//! use gantry_sdk::leptos::{register, GantryContext};
//! use leptos::prelude::*;
//!
//! #[component]
//! fn AuditLog(ctx: GantryContext) -> impl IntoView {
//!     view! { <p>"Hello, " {ctx.user_name()}</p> }
//! }
//!
//! #[wasm_bindgen::prelude::wasm_bindgen(start)]
//! pub fn start() {
//!     register("overlord", "AuditLog", |ctx| view! { <AuditLog ctx /> });
//! }
//! ```
//!
//! The module's bundle then only loads the WASM:
//! `import init from "/modules/overlord/static/pkg/overlord.js"; await init();`.
//! Each module runs its own Leptos (its own reactive graph): it talks to the host
//! through the context's EventBus, never through the host's signals.

pub mod ui;

use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::{prelude::*, JsCast};

use serde::{de::DeserializeOwned, Serialize};

use crate::{http::ApiFailure, Confirm, CurrentUser, ThemeChange, Toast, ToastKind, BROWSER_ABI};

/// What the host hands a Leptos component: the mount context, typed.
///
/// ```ignore
/// fn Greeting(ctx: gantry_sdk::leptos::GantryContext) -> impl leptos::IntoView {
///     let theme = ctx.theme();
///     leptos::view! { <p>{ctx.user_name()} " sees the " {move || theme.get()} " theme"</p> }
/// }
/// ```
#[derive(Clone)]
pub struct GantryContext {
    /// The module's machine name.
    pub module: String,
    /// Base URL of the module's API: `/api/modules/<name>`.
    pub api_base: String,
    /// The signed-in user.
    pub user: Option<CurrentUser>,
    theme: ArcRwSignal<String>,
    events: SendWrapper<JsValue>,
}

impl GantryContext {
    fn from_js(context: &JsValue) -> Self {
        let get = |key: &str| Reflect::get(context, &key.into()).unwrap_or_default();
        Self {
            module: get("module").as_string().unwrap_or_default(),
            api_base: get("apiBase").as_string().unwrap_or_default(),
            user: serde_wasm_bindgen::from_value(get("user")).unwrap_or_default(),
            theme: ArcRwSignal::new(get("theme").as_string().unwrap_or_else(|| "light".into())),
            events: SendWrapper::new(get("events")),
        }
    }

    /// The user's name, or an empty string when nobody is signed in.
    ///
    /// ```ignore
    /// let name = ctx.user_name();
    /// ```
    pub fn user_name(&self) -> String {
        self.user
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }

    /// The theme the host shows (`light` or `dark`), updated when it changes.
    ///
    /// ```ignore
    /// let theme = ctx.theme();
    /// ```
    pub fn theme(&self) -> Signal<String> {
        self.theme.clone().into()
    }

    /// Asks the host to show a toast.
    ///
    /// ```ignore
    /// ctx.toast(gantry_sdk::Toast { message: "Saved".into(), kind: gantry_sdk::ToastKind::Success, timeout_ms: None });
    /// ```
    pub fn toast(&self, toast: Toast) {
        let _ = self.emit("toast", &toast);
    }

    /// Asks the user to confirm, in the host's dialog; `true` when they did.
    ///
    /// ```ignore
    /// if ctx.confirm(gantry_sdk::Confirm { message: "Delete?".into(), confirm_label: None, cancel_label: None, danger: true }).await { /* … */ }
    /// ```
    pub async fn confirm(&self, confirm: Confirm) -> bool {
        let Ok(answer) = self.emit("confirm", &confirm) else {
            return false;
        };
        let Ok(promise) = answer.dyn_into::<Promise>() else {
            return false;
        };
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// `GET` of `path` in the module's API (`/api/modules/<name><path>`), as JSON.
    /// A failure is also shown to the user as an error toast.
    ///
    /// ```ignore
    /// let projects: Vec<Project> = ctx.get("/projects").await?;
    /// ```
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiFailure> {
        let res = crate::http::get(&self.api_url(path)).await;
        self.toast_failure(res)
    }

    /// `method` of `path` in the module's API with a JSON body, answered with JSON.
    /// A failure is also shown as an error toast.
    ///
    /// ```ignore
    /// let saved: Memory = ctx.send("PUT", "/memory/3", &input).await?;
    /// ```
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        let res = crate::http::send(method, &self.api_url(path), body).await;
        self.toast_failure(res)
    }

    /// `method` of `path` in the module's API, answered with no content (`204`).
    /// A failure is also shown as an error toast.
    ///
    /// ```ignore
    /// ctx.send_only("DELETE", "/memory/3", None::<&()>).await?;
    /// ```
    pub async fn send_only<B: Serialize>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
    ) -> Result<(), ApiFailure> {
        let res = crate::http::send_only(method, &self.api_url(path), body).await;
        self.toast_failure(res)
    }

    /// The values of the module's declared settings of `scope` (saved, else the
    /// default, else `null`; secrets never), by key. A failure is also shown as an
    /// error toast.
    ///
    /// ```ignore
    /// let values = ctx.settings(gantry_sdk::SettingScope::Instance).await?;
    /// let greeting = values.get("greeting").and_then(|v| v.as_str()).unwrap_or("hello");
    /// ```
    pub async fn settings(
        &self,
        scope: crate::SettingScope,
    ) -> Result<serde_json::Map<String, serde_json::Value>, ApiFailure> {
        let path = match scope {
            crate::SettingScope::Instance => "/settings/instance",
            crate::SettingScope::User => "/settings/user",
        };
        let view: crate::SettingsView = self.get(path).await?;
        Ok(view.values)
    }

    fn api_url(&self, path: &str) -> String {
        format!("{}{path}", self.api_base)
    }

    fn toast_failure<T>(&self, res: Result<T, ApiFailure>) -> Result<T, ApiFailure> {
        if let Err(failure) = &res {
            self.toast(Toast {
                message: failure.message.clone(),
                kind: ToastKind::Error,
                timeout_ms: None,
            });
        }
        res
    }

    fn emit(&self, kind: &str, detail: &impl serde::Serialize) -> Result<JsValue, JsValue> {
        let emit: Function = Reflect::get(&self.events, &"emit".into())?.dyn_into()?;
        let detail = serde_wasm_bindgen::to_value(detail)?;
        emit.call2(&self.events, &kind.into(), &detail)
    }

    /// Listens to the host's `theme` events; returns the function that stops.
    fn follow_theme(&self) -> Option<Function> {
        let on: Function = Reflect::get(&self.events, &"on".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let theme = self.theme.clone();
        let listener = Closure::<dyn Fn(JsValue)>::new(move |detail: JsValue| {
            if let Ok(change) = serde_wasm_bindgen::from_value::<ThemeChange>(detail) {
                theme.set(change.theme);
            }
        });
        let stop = on
            .call2(&self.events, &"theme".into(), listener.as_ref())
            .ok()?;
        // Freed with the page: the host drops the listener when `stop` is called.
        listener.forget();
        stop.dyn_into().ok()
    }
}

/// Registers `render` as component `component` of module `module`: when the host
/// mounts it, it renders with Leptos into the host's element, and unmounting drops it.
///
/// ```ignore
/// gantry_sdk::leptos::register("overlord", "AuditLog", |ctx| leptos::view! { <p>{ctx.module}</p> });
/// ```
pub fn register<F, V>(module: &str, component: &str, render: F)
where
    F: Fn(GantryContext) -> V + Clone + 'static,
    V: IntoView + 'static,
{
    let mount = Closure::<dyn Fn(web_sys::HtmlElement, JsValue) -> JsValue>::new(
        move |element: web_sys::HtmlElement, context: JsValue| {
            let context = GantryContext::from_js(&context);
            let stop_theme = context.follow_theme();
            let render = render.clone();
            let handle = leptos::mount::mount_to(element, move || render(context));
            Closure::once_into_js(move || {
                drop(handle);
                if let Some(stop) = stop_theme {
                    let _ = stop.call0(&JsValue::NULL);
                }
            })
        },
    );
    let window = leptos::prelude::window();
    let registry = object_at(&window, "__GANTRY_MODULES__");
    let entry = object_at(&registry, module);
    let _ = Reflect::set(&entry, &"abi".into(), &BROWSER_ABI.into());
    let components = object_at(&entry, "components");
    let _ = Reflect::set(&components, &component.into(), mount.as_ref());
    // Registered for the page's life.
    mount.forget();
}

/// `target[key]`, created as an empty object when missing.
fn object_at(target: &JsValue, key: &str) -> JsValue {
    match Reflect::get(target, &key.into()) {
        Ok(value) if value.is_object() => value,
        _ => {
            let object: JsValue = Object::new().into();
            let _ = Reflect::set(target, &key.into(), &object);
            object
        }
    }
}
