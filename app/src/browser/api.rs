//! `context.api`: the API client a plain-JS module gets in its mount context. It
//! calls the module's own API with the session, sends the visitor to the login page
//! on a 401, and shows every other failure as a toast (through the module's own
//! EventBus, so the toast names the module) before rejecting with it.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function gantry_api(base, events) {
  async function call(method, path, body) {
    const headers = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res;
    try {
      res = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (cause) {
      const error = Object.assign(new Error(`cannot reach the server: ${cause.message}`), { status: 0, code: "network" });
      events.emit("toast", { message: error.message, kind: "error" });
      throw error;
    }
    if (res.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname);
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = { code: "http", message: `the server answered HTTP ${res.status}` };
      try { detail = JSON.parse(text).error ?? detail; } catch (_) {}
      const error = Object.assign(new Error(detail.message), { status: res.status, code: detail.code, field: detail.field ?? null });
      events.emit("toast", { message: detail.message, kind: "error" });
      throw error;
    }
    return text ? JSON.parse(text) : null;
  }
  return Object.freeze({
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body ?? {}),
    put: (path, body) => call("PUT", path, body ?? {}),
    patch: (path, body) => call("PATCH", path, body ?? {}),
    delete: (path) => call("DELETE", path),
  });
}
"#)]
extern "C" {
    /// The client for the API at `base`, reporting failures on `events`.
    pub fn gantry_api(base: &str, events: &JsValue) -> JsValue;
}
