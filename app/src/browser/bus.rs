//! The EventBus in the browser: one JS object (`{ emit, on }`) for the page's life,
//! handed to modules as `context.events` and `window.gantryEvents`. Module requests
//! (`toast`, `confirm`) land in the host's interface state; host events (`theme`)
//! reach every listener.

use std::{cell::RefCell, collections::HashMap};

use gantry_sdk::{Confirm, Toast};
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{prelude::*, JsCast};

use leptos::prelude::GetUntracked;

use crate::host_ui::HostUi;

thread_local! {
    /// The bus objects: the page's (`None`) and one per module, to know who asks.
    static BUSES: RefCell<HashMap<Option<String>, JsValue>> = RefCell::new(HashMap::new());
    static LISTENERS: RefCell<Vec<(u64, String, Function)>> = const { RefCell::new(Vec::new()) };
    static CONFIRMS: RefCell<HashMap<u64, Function>> = RefCell::new(HashMap::new());
    static NEXT_LISTENER: RefCell<u64> = const { RefCell::new(0) };
}

/// The bus object for `module` (or the page's, `window.gantryEvents`, for `None`),
/// created on first use.
pub fn bus(host: HostUi, module: Option<&str>) -> JsValue {
    let key = module.map(str::to_owned);
    BUSES.with(|buses| {
        buses
            .borrow_mut()
            .entry(key.clone())
            .or_insert_with(|| create(host, key))
            .clone()
    })
}

fn create(host: HostUi, module: Option<String>) -> JsValue {
    let bus = Object::new();
    let global = module.is_none();
    let emit = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(
        move |kind: JsValue, detail: JsValue| {
            let kind = kind.as_string().unwrap_or_default();
            emit(host, &kind, detail, module.clone())
        },
    );
    let on =
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|kind: JsValue, listener: JsValue| {
            let (Some(kind), Ok(listener)) = (kind.as_string(), listener.dyn_into::<Function>())
            else {
                return JsValue::UNDEFINED;
            };
            let id = NEXT_LISTENER.with(|n| {
                let mut n = n.borrow_mut();
                *n += 1;
                *n
            });
            LISTENERS.with(|l| l.borrow_mut().push((id, kind, listener)));
            Closure::once_into_js(move || {
                LISTENERS.with(|l| l.borrow_mut().retain(|(i, _, _)| *i != id));
            })
        });
    let _ = Reflect::set(&bus, &"emit".into(), emit.as_ref());
    let _ = Reflect::set(&bus, &"on".into(), on.as_ref());
    // A bus lives as long as the page.
    emit.forget();
    on.forget();
    if global {
        let _ = Reflect::set(&leptos::prelude::window(), &"gantryEvents".into(), &bus);
    }
    bus.into()
}

/// Handles a module's request: returns `undefined`, or for `confirm` a promise of the
/// answer. Malformed requests are reported in the console and ignored.
pub fn emit(host: HostUi, kind: &str, detail: JsValue, module: Option<String>) -> JsValue {
    match kind {
        "toast" => match serde_wasm_bindgen::from_value::<Toast>(detail) {
            Ok(toast) => {
                let timeout = toast.timeout_ms.unwrap_or(crate::host_ui::DEFAULT_TOAST_MS);
                let id = host.show_toast(toast, module);
                if timeout > 0 {
                    leptos::prelude::set_timeout(
                        move || host.dismiss_toast(id),
                        std::time::Duration::from_millis(timeout.into()),
                    );
                }
                JsValue::UNDEFINED
            }
            Err(err) => reject(&format!("gantryEvents: bad toast: {err}")),
        },
        "confirm" => match serde_wasm_bindgen::from_value::<Confirm>(detail) {
            Ok(request) => Promise::new(&mut |resolve, _reject| {
                if let Some(previous) = host.confirm.get_untracked() {
                    answer(previous.id, false);
                }
                let id = host.ask(request.clone(), module.clone());
                CONFIRMS.with(|c| c.borrow_mut().insert(id, resolve));
            })
            .into(),
            Err(err) => reject(&format!("gantryEvents: bad confirm: {err}")),
        },
        other => reject(&format!("gantryEvents: unknown event type `{other}`")),
    }
}

/// Settles the confirmation `id` with the user's answer.
pub fn answer(id: u64, confirmed: bool) {
    if let Some(resolve) = CONFIRMS.with(|c| c.borrow_mut().remove(&id)) {
        let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(confirmed));
    }
}

/// Tells every listener of `kind`.
pub fn broadcast(kind: &str, detail: &JsValue) {
    let listeners: Vec<Function> = LISTENERS.with(|l| {
        l.borrow()
            .iter()
            .filter(|(_, k, _)| k == kind)
            .map(|(_, _, f)| f.clone())
            .collect()
    });
    for listener in listeners {
        if let Err(err) = listener.call1(&JsValue::NULL, detail) {
            web_sys::console::error_2(&"gantryEvents: a listener threw:".into(), &err);
        }
    }
}

fn reject(message: &str) -> JsValue {
    web_sys::console::warn_1(&message.into());
    Promise::reject(&js_sys::Error::new(message)).into()
}
