//! Calling Gantry's JSON API from the browser with the session cookie: the host's
//! endpoints and a module's own (feature `browser`; Leptos modules use it through
//! [`crate::leptos::GantryContext`]).
//!
//! A failed call is an [`ApiFailure`] carrying the server's message (the
//! `{"error": {…}}` body every Gantry API answers with); a 401 sends the visitor to
//! the login page and back afterwards.

use serde::Deserialize;

/// Why an API call failed, in words for the user.
///
/// ```
/// let f = gantry_sdk::http::ApiFailure::from_response(409, r#"{"error":{"code":"taken","message":"name taken"}}"#);
/// assert_eq!((f.status, f.code.as_str(), f.to_string().as_str()), (409, "taken", "name taken"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ApiFailure {
    /// The HTTP status; 0 when the server could not be reached.
    #[serde(skip)]
    pub status: u16,
    /// A stable code such as `not_found` (`network` when unreachable).
    pub code: String,
    pub message: String,
    /// The module that answered, if any.
    #[serde(default)]
    pub module: Option<String>,
    /// The request field at fault, if any.
    #[serde(default)]
    pub field: Option<String>,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiFailure {}

impl ApiFailure {
    /// A failure made on this side (no answer, or an unreadable one).
    ///
    /// ```
    /// let f = gantry_sdk::http::ApiFailure::local("network", "cannot reach the server");
    /// assert_eq!(f.status, 0);
    /// ```
    pub fn local(code: &str, message: impl Into<String>) -> Self {
        Self {
            status: 0,
            code: code.into(),
            message: message.into(),
            module: None,
            field: None,
        }
    }

    /// The failure a non-2xx answer with `body` stands for.
    ///
    /// ```
    /// let f = gantry_sdk::http::ApiFailure::from_response(502, "<html>");
    /// assert_eq!(f.message, "the server answered HTTP 502");
    /// ```
    pub fn from_response(status: u16, body: &str) -> Self {
        #[derive(Deserialize)]
        struct Envelope {
            error: ApiFailure,
        }
        match serde_json::from_str::<Envelope>(body) {
            Ok(Envelope { error }) => Self { status, ..error },
            Err(_) => Self {
                status,
                ..Self::local("http", format!("the server answered HTTP {status}"))
            },
        }
    }
}

#[cfg(feature = "browser")]
pub use browser::{get, send, send_file, send_form, send_only};

#[cfg(feature = "browser")]
mod browser {
    use serde::{de::DeserializeOwned, Serialize};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::ApiFailure;

    /// `GET url`, answered with JSON.
    pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
        parse(&call("GET", url, None).await?)
    }

    /// `method url` with a JSON body, answered with JSON.
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        method: &str,
        url: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        parse(&call(method, url, Some(json_body(to_json(body)?))).await?)
    }

    /// `method url` with a file (any `Blob`) as the body, as it is, answered with
    /// JSON.
    pub async fn send_file<T: DeserializeOwned>(
        method: &str,
        url: &str,
        file: &web_sys::Blob,
    ) -> Result<T, ApiFailure> {
        let body = (
            JsValue::from(file.clone()),
            Some("application/octet-stream"),
        );
        parse(&call(method, url, Some(body)).await?)
    }

    /// `method url` with a multipart form (a `FormData`: text fields and files) as
    /// the body, answered with JSON. The browser writes the `multipart/form-data`
    /// content type with its boundary, so none is set here.
    ///
    /// ```ignore
    /// // In the browser, with `files` from an `<input type="file" multiple>`:
    /// let form = web_sys::FormData::new()?;
    /// form.append_with_str("collection_id", &collection_id)?;
    /// for file in files {
    ///     form.append_with_blob_and_filename("file", &file, &file.name())?;
    /// }
    /// let uploaded: serde_json::Value =
    ///     gantry_sdk::http::send_form("POST", "/api/knowledge/documents", &form).await?;
    /// ```
    pub async fn send_form<T: DeserializeOwned>(
        method: &str,
        url: &str,
        form: &web_sys::FormData,
    ) -> Result<T, ApiFailure> {
        parse(&call(method, url, Some((JsValue::from(form.clone()), None))).await?)
    }

    fn json_body(json: String) -> (JsValue, Option<&'static str>) {
        (JsValue::from_str(&json), Some("application/json"))
    }

    /// `method url` with a JSON body (`None` for none), answered with no content.
    pub async fn send_only<B: Serialize>(
        method: &str,
        url: &str,
        body: Option<&B>,
    ) -> Result<(), ApiFailure> {
        let body = body.map(to_json).transpose()?.map(json_body);
        call(method, url, body).await.map(|_| ())
    }

    fn to_json<B: Serialize>(body: &B) -> Result<String, ApiFailure> {
        serde_json::to_string(body).map_err(|err| ApiFailure::local("client", err.to_string()))
    }

    fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ApiFailure> {
        serde_json::from_str(text).map_err(|err| {
            ApiFailure::local(
                "client",
                format!("unexpected answer from the server: {err}"),
            )
        })
    }

    fn unreachable(err: JsValue) -> ApiFailure {
        let reason = err
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| err.as_string())
            .unwrap_or_else(|| "unknown error".into());
        ApiFailure::local("network", format!("cannot reach the server: {reason}"))
    }

    /// The body of a 2xx answer. A body comes with its content type, or `None` for
    /// one the browser types itself (a `FormData`, whose type carries the boundary).
    async fn call(
        method: &str,
        url: &str,
        body: Option<(JsValue, Option<&str>)>,
    ) -> Result<String, ApiFailure> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        let headers = web_sys::Headers::new().map_err(unreachable)?;
        headers
            .set("accept", "application/json")
            .map_err(unreachable)?;
        if let Some((body, content_type)) = &body {
            if let Some(content_type) = content_type {
                headers
                    .set("content-type", content_type)
                    .map_err(unreachable)?;
            }
            init.set_body(body);
        }
        init.set_headers(&headers);
        let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(unreachable)?;
        let window = web_sys::window().ok_or_else(|| ApiFailure::local("client", "no window"))?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
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
            // The session ended: to the login page, and back here afterwards.
            let location = window.location();
            let here = location.pathname().unwrap_or_default();
            let _ = location.set_href(&format!(
                "/login?next={}",
                js_sys::encode_uri_component(&here)
            ));
        }
        if response.ok() {
            Ok(text)
        } else {
            Err(ApiFailure::from_response(status, &text))
        }
    }
}
