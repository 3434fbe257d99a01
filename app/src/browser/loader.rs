//! Loading a module's ES-module bundle with a dynamic `import()`, once per page life
//! per URL; a failed load may be retried.
//!
//! `import()` (rather than an injected `<script type="module">`) settles only once the
//! bundle has finished evaluating, top-level `await` included, which a WASM module's
//! bundle needs before it registers; and it says why a load failed.

use std::{cell::RefCell, collections::HashMap};

use js_sys::Promise;
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = "export function gantry_import(url) { return import(url); }")]
extern "C" {
    /// `import(url)`: resolves to the module's namespace once it has been evaluated.
    fn gantry_import(url: &str) -> Promise;
}

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
            .or_insert_with(|| gantry_import(url))
            .clone()
    });
    let failure = match JsFuture::from(promise).await {
        Ok(_) => return Ok(()),
        Err(thrown) => crate::browser::registry::error_message(&thrown),
    };
    LOADS.with(|loads| loads.borrow_mut().remove(url));
    Err(diagnose(url, failure).await)
}

/// Why a bundle did not load: its HTTP status when the server refused it, otherwise
/// what `import()` said (a syntax error, an exception while evaluating, …).
async fn diagnose(url: &str, failure: String) -> String {
    let response = JsFuture::from(leptos::prelude::window().fetch_with_str(url)).await;
    match response.map(|r| r.unchecked_into::<web_sys::Response>()) {
        Ok(res) if !res.ok() => format!("HTTP {} {}", res.status(), res.status_text()),
        _ => failure,
    }
}
