//! Loading a module's ES-module bundle: a `<script type="module">` injected once per
//! page life per URL; a failed load may be retried.

use std::{cell::RefCell, collections::HashMap};

use js_sys::Promise;
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// Loads under way or done, by URL.
    static LOADS: RefCell<HashMap<String, Promise>> = RefCell::new(HashMap::new());
}

/// Loads the bundle at `url` (once); on failure, says why.
pub async fn load_bundle(url: &str) -> Result<(), String> {
    let promise = LOADS.with(|loads| {
        loads
            .borrow_mut()
            .entry(url.to_owned())
            .or_insert_with(|| inject(url))
            .clone()
    });
    if JsFuture::from(promise).await.is_ok() {
        return Ok(());
    }
    LOADS.with(|loads| loads.borrow_mut().remove(url));
    Err(diagnose(url).await)
}

/// Appends `<script type="module" src=url>` to `<head>`; resolves on load, rejects on
/// error.
fn inject(url: &str) -> Promise {
    let url = url.to_owned();
    Promise::new(&mut |resolve, reject| {
        let document = leptos::prelude::document();
        let script = document
            .create_element("script")
            .expect("create <script>")
            .unchecked_into::<web_sys::HtmlScriptElement>();
        script.set_type("module");
        script.set_src(&url);
        script.set_attribute("data-gantry-bundle", &url).ok();
        let on_load = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let on_error = Closure::once_into_js(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        script.set_onload(Some(on_load.unchecked_ref()));
        script.set_onerror(Some(on_error.unchecked_ref()));
        if let Some(head) = document.head() {
            let _ = head.append_child(&script);
        }
    })
}

/// Why a script did not load: its HTTP status, or that it could not be fetched.
async fn diagnose(url: &str) -> String {
    let response = JsFuture::from(leptos::prelude::window().fetch_with_str(url)).await;
    match response.map(|r| r.unchecked_into::<web_sys::Response>()) {
        Ok(res) if !res.ok() => format!("HTTP {} {}", res.status(), res.status_text()),
        Ok(_) => "the script failed to load (a syntax error, or blocked)".into(),
        Err(_) => "the network request failed".into(),
    }
}
