//! Following the server's pushes (`GET /api/events`) for the life of the page.

use gantry_sdk::ModuleInfo;
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{EventSource, MessageEvent};

/// Replaces `modules` with each `modules` event's list that differs from it. The
/// browser reconnects by itself after a network failure; a refused stream (signed
/// out) stays closed.
pub fn follow_modules(modules: RwSignal<Vec<ModuleInfo>>) {
    let Ok(source) = EventSource::new("/api/events") else {
        return;
    };
    let on_modules = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            return;
        };
        match serde_json::from_str::<Vec<ModuleInfo>>(&text) {
            Ok(list) if modules.with_untracked(|now| *now != list) => modules.set(list),
            Ok(_) => {}
            Err(err) => {
                web_sys::console::warn_1(&format!("gantry: bad modules event: {err}").into())
            }
        }
    });
    let _ = source.add_event_listener_with_callback("modules", on_modules.as_ref().unchecked_ref());
    // Both live as long as the page: the stream is the page's own.
    on_modules.forget();
    std::mem::forget(source);
}
