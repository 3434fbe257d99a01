//! Browser-facing protections on every response and state-changing request:
//! a Content-Security-Policy with a per-request nonce (the one Leptos stamps on its
//! hydration script), `nosniff`, a strict referrer policy, no framing, and the
//! refusal of cross-site state-changing requests (CSRF).

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use gantry_sdk::ApiError;

use crate::AppState;

/// The nonce of this request's inline scripts, in the request's extensions.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Middleware: refuses cross-site state-changing requests, then adds the security
/// headers (with a fresh nonce) to the response. A request with an API token is
/// exempt: it is authenticated by the token alone (cookies are ignored), which a
/// page on another site would have to know.
pub async fn protect(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let bearer = crate::auth::bearer_token(request.headers()).is_some();
    if !bearer && is_state_changing(request.method()) && is_cross_site(request.headers()) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "state-changing requests must come from this site",
        )
        .into_response();
    }
    let nonce = nonce();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(request).await;
    let headers = res.headers_mut();
    let policy = content_security_policy(&nonce, &state.modules.dev_origins().join(" "));
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, policy.as_str()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ]
    .into_iter()
    .chain(
        state
            .auth
            .secure_cookies
            .then_some((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000")),
    ) {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    res
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the browser says the request comes from another site: `Sec-Fetch-Site`,
/// or an `Origin` that is not this host. Clients that send neither are not browsers
/// acting for someone else, so they pass.
fn is_cross_site(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (get("origin"), get("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_none_or(|(_, authority)| authority != host),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// The pages' Content-Security-Policy: scripts from this origin, the page's `nonce`
/// and `extra` origins (dev mode's); module code runs under it, and `gantry module
/// check` loads bundles under it too.
pub fn content_security_policy(nonce: &str, extra: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval' {extra}; \
         connect-src 'self' {extra}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// A fresh random nonce for one response's scripts.
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (header::HeaderName::from_static(k), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn cross_site_requests_are_recognised() {
        assert!(!is_cross_site(&headers(&[])));
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&headers(&[
            ("origin", "http://g.local:3000"),
            ("host", "g.local:3000")
        ])));
        assert!(is_cross_site(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "g.local:3000")
        ])));
        assert!(is_cross_site(&headers(&[
            ("origin", "null"),
            ("host", "g.local:3000")
        ])));
    }
}
