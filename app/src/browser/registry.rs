//! The `window.__GANTRY_MODULES__` registry, typed: finding a module's component and
//! mounting it.
//!
//! Contract (version `BROWSER_ABI`): a bundle sets
//! `window.__GANTRY_MODULES__[<module>] = { abi: 1, components: { <Name>: component } }`
//! where a component is `mount(element, context) -> unmount?` or `{ mount }`.

use gantry_sdk::BROWSER_ABI;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Why a component could not be found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// The bundle loaded but registered nothing under the module's name.
    NotRegistered,
    /// The bundle was built for another contract version.
    Incompatible { found: String },
    /// The module registered, but not this component.
    ComponentMissing { registered: Vec<String> },
}

/// A component ready to mount.
pub struct Component {
    mount: Function,
    this: JsValue,
}

/// Finds `component` of `module` in the registry.
pub fn lookup(module: &str, component: &str) -> Result<Component, LookupError> {
    let window = leptos::prelude::window();
    let registry = Reflect::get(&window, &"__GANTRY_MODULES__".into()).unwrap_or_default();
    let entry = get(&registry, module).ok_or(LookupError::NotRegistered)?;
    let abi = Reflect::get(&entry, &"abi".into()).unwrap_or_default();
    if abi.as_f64() != Some(f64::from(BROWSER_ABI)) {
        return Err(LookupError::Incompatible {
            found: if abi.is_undefined() {
                "none".into()
            } else {
                js_sys::JSON::stringify(&abi)
                    .map(String::from)
                    .unwrap_or_default()
            },
        });
    }
    let components = get(&entry, "components").unwrap_or_default();
    let missing = || LookupError::ComponentMissing {
        registered: components
            .dyn_ref::<Object>()
            .map(|o| {
                Object::keys(o)
                    .iter()
                    .filter_map(|k| k.as_string())
                    .collect()
            })
            .unwrap_or_default(),
    };
    let found = get(&components, component).ok_or_else(missing)?;
    if let Some(mount) = found.dyn_ref::<Function>() {
        return Ok(Component {
            mount: mount.clone(),
            this: JsValue::NULL,
        });
    }
    let mount = get(&found, "mount")
        .and_then(|m| m.dyn_into::<Function>().ok())
        .ok_or_else(missing)?;
    Ok(Component { mount, this: found })
}

impl Component {
    /// Mounts into `element` with `context`; returns the unmount function, if the
    /// component gave one, or the message of what it threw.
    pub fn mount(
        &self,
        element: &web_sys::Element,
        context: &JsValue,
    ) -> Result<Option<Function>, String> {
        match self.mount.call2(&self.this, element, context) {
            Ok(unmount) => Ok(unmount.dyn_into::<Function>().ok()),
            Err(thrown) => Err(error_message(&thrown)),
        }
    }
}

/// The message of a thrown value.
pub fn error_message(thrown: &JsValue) -> String {
    thrown
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| format!("{thrown:?}"))
}

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    if !target.is_object() && !target.is_function() {
        return None;
    }
    Reflect::get(target, &key.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}
