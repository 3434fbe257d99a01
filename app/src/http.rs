//! Calling the host's JSON API from the browser with the session cookie.
//!
//! A failed call becomes an [`ApiFailure`] carrying the server's message (the
//! `{"error": {…}}` body every API answers with); a 401 sends the visitor to the
//! login page. On the server these futures never complete: the pages that use them
//! render their loading state there and fetch once hydrated.

use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Why an API call failed, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ApiFailure {
    /// The HTTP status; 0 when the server could not be reached.
    #[serde(skip)]
    pub status: u16,
    /// A stable code such as `last_admin` (`network` when unreachable).
    pub code: String,
    pub message: String,
    /// The request field at fault, if any.
    #[serde(default)]
    pub field: Option<String>,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// `GET url`, answered with JSON.
pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    let text = call("GET", url, None).await?;
    parse(&text)
}

/// `method url` with a JSON body, answered with JSON.
pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: &B,
) -> Result<T, ApiFailure> {
    let text = call(method, url, Some(to_json(body)?)).await?;
    parse(&text)
}

/// `method url` with a JSON body, answered with no content.
pub async fn send_only<B: Serialize>(method: &str, url: &str, body: &B) -> Result<(), ApiFailure> {
    call(method, url, Some(to_json(body)?)).await.map(|_| ())
}

fn to_json<B: Serialize>(body: &B) -> Result<String, ApiFailure> {
    serde_json::to_string(body).map_err(|err| failure(0, "client", err.to_string()))
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ApiFailure> {
    serde_json::from_str(text).map_err(|err| {
        failure(
            0,
            "client",
            format!("unexpected answer from the server: {err}"),
        )
    })
}

fn failure(status: u16, code: &str, message: String) -> ApiFailure {
    ApiFailure {
        status,
        code: code.into(),
        message,
        field: None,
    }
}

/// The failure a non-2xx answer stands for.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn failure_from(status: u16, body: &str) -> ApiFailure {
    #[derive(Deserialize)]
    struct Envelope {
        error: ApiFailure,
    }
    match serde_json::from_str::<Envelope>(body) {
        Ok(Envelope { error }) => ApiFailure { status, ..error },
        Err(_) => failure(status, "http", format!("the server answered HTTP {status}")),
    }
}

/// The response body of a 2xx answer.
#[cfg(feature = "hydrate")]
async fn call(method: &str, url: &str, body: Option<String>) -> Result<String, ApiFailure> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    let unreachable = |err: JsValue| {
        failure(
            0,
            "network",
            format!(
                "cannot reach the server: {}",
                crate::browser::registry::error_message(&err)
            ),
        )
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(unreachable)?;
    headers
        .set("accept", "application/json")
        .map_err(unreachable)?;
    if let Some(body) = &body {
        headers
            .set("content-type", "application/json")
            .map_err(unreachable)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(unreachable)?;
    let response: web_sys::Response =
        JsFuture::from(leptos::prelude::window().fetch_with_request(&request))
            .await
            .map_err(unreachable)?
            .unchecked_into();
    let text = JsFuture::from(response.text().map_err(unreachable)?)
        .await
        .map_err(unreachable)?
        .as_string()
        .unwrap_or_default();
    let status = response.status();
    if status == 401 {
        to_login();
    }
    if response.ok() {
        Ok(text)
    } else {
        Err(failure_from(status, &text))
    }
}

#[cfg(not(feature = "hydrate"))]
async fn call(method: &str, url: &str, body: Option<String>) -> Result<String, ApiFailure> {
    let _ = (method, url, body);
    std::future::pending().await
}

/// The session ended: to the login page, coming back here afterwards.
#[cfg(feature = "hydrate")]
fn to_login() {
    let location = leptos::prelude::window().location();
    let here = location.pathname().unwrap_or_default();
    let _ = location.set_href(&format!(
        "/login?next={}",
        js_sys::encode_uri_component(&here)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_carry_the_server_s_message() {
        let err = failure_from(
            409,
            r#"{"error":{"code":"last_admin","message":"at least one enabled administrator must remain"}}"#,
        );
        assert_eq!(err.status, 409);
        assert_eq!(err.code, "last_admin");
        assert_eq!(
            err.to_string(),
            "at least one enabled administrator must remain"
        );
        assert_eq!(
            failure_from(502, "<html>").message,
            "the server answered HTTP 502"
        );
    }
}
