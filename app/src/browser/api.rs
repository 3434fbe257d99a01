//! `context.api`: the API client a plain-JS module gets in its mount context. It
//! calls the module's own API with the session, sends the visitor to the login page
//! on a 401, and shows every other failure as a toast worded for the person using
//! the page (through the module's own EventBus, so the toast names the module; the
//! server's own words go to the console and into the error it rejects with). A call
//! given `{ toast: false }` shows nothing, for modules that report in place.
//! `context.storage` is the same client over the values the host keeps for the
//! module (`storage/user/…`, `storage/instance/…`), where a key with no value is
//! `undefined`, not a failure. `context.settings` reads the module's declared
//! settings (values only: secrets never reach the browser).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
function caller(base, events) {
  // What the person using the page is told; the details go to the console.
  const said = (method, status, detail) => {
    const own = String(detail.message ?? "").replace(/^collection `[^`]*`: /, "");
    if (status === 0) return "Cannot reach Gantry. Check the connection and try again.";
    if (status === 400 || status === 409 || status === 422) {
      return method === "GET" ? `Could not load: ${own}` : `Not saved: ${own}`;
    }
    if (status === 403) return "You are not allowed to do that.";
    if (status === 404) return "Not found: it may have been deleted or moved.";
    if (status === 413) return "Not saved: that is too large.";
    if (status === 429) return "Too many requests; wait a moment and try again.";
    if (status === 503) return "This module is not available right now.";
    return "Something went wrong on the server. Try again, or tell an administrator.";
  };
  return async function call(method, path, body, options, absentIsUndefined) {
    const quiet = options?.toast === false;
    const fail = (status, detail) => {
      const error = Object.assign(new Error(detail.message), { status, code: detail.code, field: detail.field ?? null });
      console.error(`${method} ${base + path}: ${status || "no answer"} ${detail.code}: ${detail.message}`);
      if (!quiet) events.emit("toast", { message: said(method, status, detail), kind: "error" });
      return error;
    };
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
      throw fail(0, { code: "network", message: `cannot reach the server: ${cause.message}` });
    }
    if (res.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname);
      return new Promise(() => {}); // the page is going away
    }
    if (absentIsUndefined && res.status === 404) return undefined;
    const text = await res.text();
    if (!res.ok) {
      let detail = { code: "http", message: `the server answered HTTP ${res.status}` };
      try { detail = JSON.parse(text).error ?? detail; } catch (_) {}
      throw fail(res.status, detail);
    }
    return text ? JSON.parse(text) : null;
  };
}

export function gantry_api(base, events) {
  const call = caller(base, events);
  return Object.freeze({
    get: (path, options) => call("GET", path, undefined, options),
    post: (path, body, options) => call("POST", path, body ?? {}, options),
    put: (path, body, options) => call("PUT", path, body ?? {}, options),
    patch: (path, body, options) => call("PATCH", path, body ?? {}, options),
    delete: (path, options) => call("DELETE", path, undefined, options),
  });
}

export function gantry_storage(base, events) {
  const call = caller(base, events);
  const scope = (name) => {
    const at = (key) => `/storage/${name}/${encodeURIComponent(key)}`;
    return Object.freeze({
      get: async (key) => (await call("GET", at(key), undefined, undefined, true))?.value,
      set: async (key, value) => (await call("PUT", at(key), value ?? null)).value,
      delete: async (key) => { await call("DELETE", at(key)); },
      list: async () => (await call("GET", `/storage/${name}`)).values,
    });
  };
  return Object.freeze({ user: scope("user"), instance: scope("instance") });
}

export function gantry_settings(base, events) {
  const call = caller(base, events);
  // A module that declares no settings of a scope reads as none.
  const read = (scope) => async () =>
    (await call("GET", `/settings/${scope}`, undefined, undefined, true))?.values ?? {};
  return Object.freeze({ instance: read("instance"), user: read("user") });
}
"#)]
extern "C" {
    /// The client for the API at `base`, reporting failures on `events`.
    pub fn gantry_api(base: &str, events: &JsValue) -> JsValue;
    /// `context.storage` for the module whose API is at `base`.
    pub fn gantry_storage(base: &str, events: &JsValue) -> JsValue;
    /// `context.settings` for the module whose API is at `base`.
    pub fn gantry_settings(base: &str, events: &JsValue) -> JsValue;
}
