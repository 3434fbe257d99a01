//! `context.api`: the API client a plain-JS module gets in its mount context. It
//! calls the module's own API with the session, sends the visitor to the login page
//! on a 401, and shows every other failure as a toast (through the module's own
//! EventBus, so the toast names the module) before rejecting with it.
//! `context.storage` is the same client over the values the host keeps for the
//! module (`storage/user/…`, `storage/instance/…`), where a key with no value is
//! `undefined`, not a failure.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
function caller(base, events) {
  return async function call(method, path, body, absentIsUndefined) {
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
    if (absentIsUndefined && res.status === 404) return undefined;
    const text = await res.text();
    if (!res.ok) {
      let detail = { code: "http", message: `the server answered HTTP ${res.status}` };
      try { detail = JSON.parse(text).error ?? detail; } catch (_) {}
      const error = Object.assign(new Error(detail.message), { status: res.status, code: detail.code, field: detail.field ?? null });
      events.emit("toast", { message: detail.message, kind: "error" });
      throw error;
    }
    return text ? JSON.parse(text) : null;
  };
}

export function gantry_api(base, events) {
  const call = caller(base, events);
  return Object.freeze({
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body ?? {}),
    put: (path, body) => call("PUT", path, body ?? {}),
    patch: (path, body) => call("PATCH", path, body ?? {}),
    delete: (path) => call("DELETE", path),
  });
}

export function gantry_storage(base, events) {
  const call = caller(base, events);
  const scope = (name) => {
    const at = (key) => `/storage/${name}/${encodeURIComponent(key)}`;
    return Object.freeze({
      get: async (key) => (await call("GET", at(key), undefined, true))?.value,
      set: async (key, value) => (await call("PUT", at(key), value ?? null)).value,
      delete: async (key) => { await call("DELETE", at(key)); },
      list: async () => (await call("GET", `/storage/${name}`)).values,
    });
  };
  return Object.freeze({ user: scope("user"), instance: scope("instance") });
}
"#)]
extern "C" {
    /// The client for the API at `base`, reporting failures on `events`.
    pub fn gantry_api(base: &str, events: &JsValue) -> JsValue;
    /// `context.storage` for the module whose API is at `base`.
    pub fn gantry_storage(base: &str, events: &JsValue) -> JsValue;
}
