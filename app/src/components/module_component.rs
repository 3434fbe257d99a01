//! One module component mounted in the page: loaded, looked up, mounted, unmounted,
//! with every state explicit.

use gantry_sdk::ModuleInfo;
use leptos::prelude::*;

/// Where a module component is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MountState {
    Loading,
    Mounted,
    /// The module has no frontend bundle.
    NoBundle,
    BundleFailed {
        url: String,
        reason: String,
    },
    NotRegistered,
    Incompatible {
        found: String,
    },
    ComponentMissing {
        registered: Vec<String>,
    },
    Threw {
        message: String,
    },
}

impl MountState {
    /// A short name, exposed as `data-state` (and used by tests).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Mounted => "mounted",
            Self::NoBundle => "no-bundle",
            Self::BundleFailed { .. } => "bundle-failed",
            Self::NotRegistered => "not-registered",
            Self::Incompatible { .. } => "incompatible",
            Self::ComponentMissing { .. } => "component-missing",
            Self::Threw { .. } => "threw",
        }
    }
}

/// How long loading may take before a note shows, so fast loads do not flicker.
#[cfg(feature = "hydrate")]
const LOADING_DELAY_MS: u64 = 200;

/// Mounts `component` from `module`'s bundle in the browser; on the server, and until
/// the bundle arrives, it is an empty box (a loading note after a short delay).
#[component]
pub fn ModuleComponent(module: ModuleInfo, component: String) -> impl IntoView {
    let state = RwSignal::new(MountState::Loading);
    let slow = RwSignal::new(false);
    let attempt = RwSignal::new(0u32);
    let container = NodeRef::<leptos::html::Div>::new();
    let name = module.name.clone();

    #[cfg(feature = "hydrate")]
    {
        let unmount = StoredValue::new_local(None::<js_sys::Function>);
        let component = component.clone();
        let host = crate::host_ui::use_host_ui();
        let user = crate::bootstrap::use_bootstrap().user;
        Effect::new(move |_| {
            attempt.track();
            let Some(container) = container.get() else {
                return;
            };
            // Each attempt mounts into a box of its own. Leptos reuses the container's
            // element for the next module page, so an attempt still loading when the
            // page changes must write into its own box (removed here by the next
            // attempt), never into the next component's.
            container.set_inner_html("");
            let Ok(element) = document().create_element("div") else {
                return;
            };
            let _ = container.append_child(&element);
            let (module, component, user) = (module.clone(), component.clone(), user.clone());
            state.set(MountState::Loading);
            slow.set(false);
            set_timeout(
                move || slow.set(true),
                std::time::Duration::from_millis(LOADING_DELAY_MS),
            );
            leptos::task::spawn_local(async move {
                let res = mount(&module, &component, user, host, &element).await;
                match res {
                    // Gone while it loaded: undo the mount at once.
                    Ok(Some(f)) if state.try_get_untracked().is_none() => call_unmount(&f),
                    Ok(f) => {
                        unmount.try_set_value(f);
                        state.try_set(MountState::Mounted);
                    }
                    Err(failed) => {
                        state.try_set(failed);
                    }
                }
            });
        });
        on_cleanup(move || {
            if let Some(f) = unmount.try_get_value().flatten() {
                call_unmount(&f);
            }
        });
    }

    let retry = move |_| attempt.update(|n| *n += 1);
    let component_name = StoredValue::new(component.clone());
    let component_name = move || component_name.get_value();
    let status = move || {
        let module = name.clone();
        match state.get() {
            MountState::Loading if slow.get() => {
                view! { <p class="module-status" role="status">"Loading…"</p> }.into_any()
            }
            MountState::Loading | MountState::Mounted => ().into_any(),
            MountState::NoBundle => view! {
                <div class="module-error" role="alert">
                    <p>"Module " <code>{module}</code> " has no frontend bundle."</p>
                </div>
            }
            .into_any(),
            MountState::BundleFailed { url, reason } => view! {
                <div class="module-error" role="alert">
                    <p>"Module " <code>{module}</code> ": its bundle could not be loaded."</p>
                    <p><code>{url}</code> ": " {reason}</p>
                    <button type="button" class="button" on:click=retry>"Retry"</button>
                </div>
            }
            .into_any(),
            MountState::NotRegistered => view! {
                <div class="module-error" role="alert">
                    <p>
                        "Module " <code>{module.clone()}</code>
                        ": its bundle loaded but registered nothing under "
                        <code>{format!("window.__GANTRY_MODULES__[\"{module}\"]")}</code> "."
                    </p>
                </div>
            }
            .into_any(),
            MountState::Incompatible { found } => view! {
                <div class="module-error" role="alert">
                    <p>
                        "Module " <code>{module}</code> " was built for browser contract "
                        <code>{found}</code> "; this Gantry speaks version "
                        <code>{gantry_sdk::BROWSER_ABI}</code> "."
                    </p>
                </div>
            }
            .into_any(),
            MountState::ComponentMissing { registered } => view! {
                <div class="module-error" role="alert">
                    <p>
                        "Module " <code>{module}</code> " has no component "
                        <code>{component_name()}</code> "."
                    </p>
                    <p>
                        "It registered: "
                        {if registered.is_empty() {
                            "nothing".to_owned()
                        } else {
                            registered.join(", ")
                        }}
                    </p>
                </div>
            }
            .into_any(),
            MountState::Threw { message } => view! {
                <div class="module-error" role="alert">
                    <p>
                        "Module " <code>{module}</code> ": component " <code>{component_name()}</code>
                        " failed while mounting."
                    </p>
                    <pre>{message}</pre>
                    <button type="button" class="button" on:click=retry>"Retry"</button>
                </div>
            }
            .into_any(),
        }
    };
    view! {
        <div
            class="module-component"
            data-component=component
            data-state=move || state.with(|s| s.name())
        >
            {status}
            <div class="module-mount" node_ref=container></div>
        </div>
    }
}

/// Calls a component's unmount function; one that throws is logged, not fatal.
#[cfg(feature = "hydrate")]
fn call_unmount(unmount: &js_sys::Function) {
    if let Err(err) = unmount.call0(&wasm_bindgen::JsValue::NULL) {
        web_sys::console::error_2(&"unmount threw:".into(), &err);
    }
}

#[cfg(feature = "hydrate")]
async fn mount(
    module: &ModuleInfo,
    component: &str,
    user: Option<gantry_sdk::CurrentUser>,
    host: crate::host_ui::HostUi,
    element: &web_sys::Element,
) -> Result<Option<js_sys::Function>, MountState> {
    use crate::browser::{bus, loader, registry};

    let url = module.frontend_bundle.clone().ok_or(MountState::NoBundle)?;
    loader::load_bundle(&url)
        .await
        .map_err(|reason| MountState::BundleFailed {
            url: url.clone(),
            reason,
        })?;
    let found = registry::lookup(&module.name, component).map_err(|err| match err {
        registry::LookupError::NotRegistered => MountState::NotRegistered,
        registry::LookupError::Incompatible { found } => MountState::Incompatible { found },
        registry::LookupError::ComponentMissing { registered } => {
            MountState::ComponentMissing { registered }
        }
    })?;
    let context = mount_context(module, user, host, bus::bus(host, Some(&module.name)));
    found
        .mount(element, &context)
        .map_err(|message| MountState::Threw { message })
}

/// What a component gets: its module's name, API base, API client, stored values
/// and declared settings, the user, the theme and the module's EventBus; nothing else of the host.
#[cfg(feature = "hydrate")]
fn mount_context(
    module: &ModuleInfo,
    user: Option<gantry_sdk::CurrentUser>,
    host: crate::host_ui::HostUi,
    events: wasm_bindgen::JsValue,
) -> wasm_bindgen::JsValue {
    use js_sys::{Object, Reflect};

    let context = Object::new();
    let set = |key: &str, value: &wasm_bindgen::JsValue| {
        let _ = Reflect::set(&context, &key.into(), value);
    };
    set("module", &module.name.as_str().into());
    let api_base = gantry_sdk::ModuleManifest::router_prefix_for(&module.name);
    set("apiBase", &api_base.as_str().into());
    set("api", &crate::browser::api::gantry_api(&api_base, &events));
    set(
        "storage",
        &crate::browser::api::gantry_storage(&api_base, &events),
    );
    set(
        "settings",
        &crate::browser::api::gantry_settings(&api_base, &events),
    );
    let user = serde_wasm_bindgen::to_value(&user).unwrap_or_default();
    set("user", &user);
    let theme = host
        .theme
        .get_untracked()
        .unwrap_or_else(crate::theme::system_theme);
    set("theme", &theme.as_str().into());
    set("events", &events);
    Object::freeze(&context);
    context.into()
}
