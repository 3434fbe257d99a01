//! Every error answer of the API in `ApiError`'s JSON shape, whoever made it: the
//! outermost API middleware rewrites a 4xx/5xx under `/api/` or `/modules/` whose
//! body is not JSON (axum's own refusals such as 405, a module router's plain-text
//! error, a sidecar's HTML page), and a panic in a host handler becomes a 500.

use std::any::Any;

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use gantry_sdk::ApiError;

/// How much of a plain-text error body is read to become the message.
const MAX_ERROR_BODY: usize = 16 * 1024;
/// How much of it is kept.
const MAX_MESSAGE_CHARS: usize = 300;

/// The stable code of an error answer with `status`.
pub fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::BAD_GATEWAY => "bad_gateway",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        StatusCode::GATEWAY_TIMEOUT => "gateway_timeout",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path.starts_with("/modules/")
}

/// Middleware: error answers of the API that are not JSON become `ApiError`s with
/// the same status (and headers such as `Allow` and `Retry-After`).
pub async fn json_errors(request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    let res = next.run(request).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim();
    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let err = if status.is_server_error() {
        // The detail may be internal (a sidecar's trace): it goes to the log.
        if !text.is_empty() {
            tracing::warn!(%status, "an API error answer that was not JSON: {}", text.chars().take(MAX_MESSAGE_CHARS).collect::<String>());
        }
        ApiError::new(
            status,
            code_for(status),
            format!("the server could not answer ({reason})"),
        )
    } else if text.is_empty() || text.starts_with('<') {
        ApiError::new(status, code_for(status), reason)
    } else {
        ApiError::new(
            status,
            code_for(status),
            text.chars().take(MAX_MESSAGE_CHARS).collect::<String>(),
        )
    };
    let mut fixed = err.into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in &parts.headers {
        fixed.headers_mut().insert(name.clone(), value.clone());
    }
    fixed
}

/// The answer to a panic in a handler: a 500 `ApiError`, the panic's message in the
/// log.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    ApiError::internal(format!("a request handler panicked: {message}")).into_response()
}
