//! The sidecar escape hatch: a drop-in module's API served by its own process,
//! which the host reverse-proxies to after its own auth.
//!
//! The sidecar learns who is asking from `x-gantry-*` headers that only the host
//! sets (any sent by the client are dropped); the host's cookies never reach it.

use std::sync::OnceLock;

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderMap, HeaderName, HeaderValue},
    response::Response,
};
use gantry_sdk::{ApiError, CurrentUser};

/// Headers that belong to one connection, not to the request.
const HOP_BY_HOP: &[HeaderName] = &[
    header::CONNECTION,
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new)
}

/// Forwards `request` to `upstream` + `/rest`, and the answer back.
pub async fn forward(
    module: &str,
    upstream: &str,
    rest: &str,
    user: &CurrentUser,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let mut url = format!("{}/{rest}", upstream.trim_end_matches('/'));
    if let Some(query) = parts.uri.query() {
        url.push('?');
        url.push_str(query);
    }
    let mut headers = forwardable(&parts.headers);
    headers.remove(header::HOST);
    headers.remove(header::COOKIE);
    headers.remove(header::AUTHORIZATION);
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    set("x-gantry-module", module);
    set("x-gantry-user-id", &user.id);
    set("x-gantry-user-name", &user.name);
    set(
        "x-gantry-user-admin",
        if user.is_admin { "true" } else { "false" },
    );

    let upstream_res = client()
        .request(parts.method, &url)
        .headers(headers)
        .body(reqwest::Body::wrap_stream(body.into_data_stream()))
        .send()
        .await
        .map_err(|err| {
            ApiError::new(
                axum::http::StatusCode::BAD_GATEWAY,
                "module_backend_unreachable",
                format!("module `{module}`: its backend at {upstream} did not answer: {err}"),
            )
            .with_module(module)
        })?;
    let mut res = Response::builder().status(upstream_res.status());
    if let Some(headers) = res.headers_mut() {
        *headers = forwardable(upstream_res.headers());
    }
    res.body(Body::from_stream(upstream_res.bytes_stream()))
        .map_err(ApiError::internal)
}

/// `headers` without hop-by-hop headers and without `x-gantry-*` ones.
fn forwardable(headers: &HeaderMap) -> HeaderMap {
    headers
        .iter()
        .filter(|(name, _)| !HOP_BY_HOP.contains(name) && !name.as_str().starts_with("x-gantry-"))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}
