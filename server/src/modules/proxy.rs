//! The sidecar escape hatch: a drop-in module's API served by its own process,
//! which the host reverse-proxies to after its own auth.
//!
//! The sidecar learns who is asking from `x-gantry-*` headers that only the host
//! sets (any sent by the client are dropped); the host's cookies never reach it.

use std::{sync::OnceLock, time::Duration};

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderMap, HeaderName, HeaderValue},
    response::Response,
};
use gantry_sdk::{ApiError, CurrentUser};

/// Headers that belong to one connection, not to the request (RFC 9110 7.6.1),
/// besides those the `Connection` header names.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
];

/// Headers about the client that only the host may state (a client's are dropped).
const CLIENT_CLAIMS: &[&str] = &[
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
];

/// How long connecting to a sidecar may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest request body a sidecar is sent.
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            // A redirect is the browser's to follow, not the host's.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client's settings are valid")
    })
}

/// The path after `/api/modules/<module>/` as the client sent it (still
/// percent-encoded), refused when a segment is `.` or `..` in any spelling, so a
/// request cannot reach outside the sidecar's base path.
fn raw_rest<'a>(module: &str, path: &'a str) -> Result<&'a str, ApiError> {
    let prefix = format!("/api/modules/{module}");
    let rest = path
        .strip_prefix(&prefix)
        .unwrap_or_default()
        .trim_start_matches('/');
    let dot_segment = rest.split('/').any(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    });
    if dot_segment
        || rest.contains('\\')
        || rest.to_ascii_lowercase().contains("%2f")
        || rest.to_ascii_lowercase().contains("%5c")
    {
        return Err(ApiError::bad_request(format!(
            "module `{module}`: the path `{rest}` may not contain `.` or `..` segments or encoded slashes"
        ))
        .with_module(module));
    }
    Ok(rest)
}

/// Forwards `request` to `upstream` + the request's own path under the module, and
/// the answer back (without the headers a sidecar may not set, such as cookies),
/// all of it within `timeout`.
pub async fn forward(
    module: &str,
    upstream: &str,
    timeout: Duration,
    user: &CurrentUser,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let rest = raw_rest(module, parts.uri.path())?;
    let mut url = format!("{}/{rest}", upstream.trim_end_matches('/'));
    if let Some(query) = parts.uri.query() {
        url.push('?');
        url.push_str(query);
    }
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("module `{module}`: request bodies over {MAX_BODY_BYTES} bytes are not forwarded"),
            )
            .with_module(module)
        })?;
    let mut headers = forwardable(&parts.headers);
    for name in [header::HOST, header::COOKIE, header::AUTHORIZATION] {
        headers.remove(name);
    }
    for name in CLIENT_CLAIMS {
        headers.remove(*name);
    }
    let mut set = |name: &'static str, value: &str| {
        // UTF-8 as it is: header values may carry any bytes but controls.
        if let Ok(value) = HeaderValue::from_bytes(value.as_bytes()) {
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
        .body(body)
        .timeout(timeout)
        .send()
        .await
        .map_err(|err| {
            if err.is_timeout() {
                ApiError::new(
                    axum::http::StatusCode::GATEWAY_TIMEOUT,
                    "module_backend_timeout",
                    format!(
                        "module `{module}`: its backend at {upstream} did not answer within {} s",
                        timeout.as_secs_f32()
                    ),
                )
            } else {
                ApiError::new(
                    axum::http::StatusCode::BAD_GATEWAY,
                    "module_backend_unreachable",
                    format!("module `{module}`: its backend at {upstream} did not answer: {err}"),
                )
            }
            .with_module(module)
        })?;
    let mut res = Response::builder().status(upstream_res.status());
    if let Some(headers) = res.headers_mut() {
        *headers = forwardable(upstream_res.headers());
        // A sidecar must not set (or clear) the host's cookies.
        headers.remove(header::SET_COOKIE);
    }
    res.body(Body::from_stream(upstream_res.bytes_stream()))
        .map_err(ApiError::internal)
}

/// `headers` without hop-by-hop headers (those `Connection` names too) and without
/// `x-gantry-*` ones.
fn forwardable(headers: &HeaderMap) -> HeaderMap {
    let named_by_connection: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            !HOP_BY_HOP.contains(&name)
                && !named_by_connection.iter().any(|n| n == name)
                && !name.starts_with("x-gantry-")
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}
