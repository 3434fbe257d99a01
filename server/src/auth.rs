//! Who is asking: the host's auth middleware puts the signed-in user into every
//! request's extensions, where `CurrentUser` and `RequireAdmin` find it.
//!
//! The user comes from an `Authorization: Bearer` API token (which alone decides:
//! cookies are then ignored), from the session cookie, or, in development only,
//! from the trusted `--dev-user` setting. Page requests without a user are sent to
//! `/login`.
//! The client's address goes there too, for the audit trail and sign-in limits.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use gantry_sdk::{ApiError, ClientAddress, CurrentUser};

use crate::{
    accounts::{
        self,
        api_tokens::{self, ApiTokenError},
        Acting,
    },
    AppState,
};

/// How requests are authenticated.
#[derive(Clone, Debug, Default)]
pub struct Auth {
    /// Development only: the user every request is made as, when set.
    pub dev_user: Option<CurrentUser>,
    /// Take the client's address from `X-Forwarded-For` (behind a reverse proxy
    /// that sets it) rather than from the connection.
    pub trust_forwarded_for: bool,
    /// Behind TLS: session cookies are always `Secure` and responses carry HSTS,
    /// whether or not the proxy sends `X-Forwarded-Proto`.
    pub secure_cookies: bool,
}

/// Which development user to act as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DevUser {
    /// An administrator.
    Admin,
    /// A user without admin rights.
    User,
}

impl DevUser {
    /// The user this setting stands for.
    pub fn user(self) -> CurrentUser {
        let (id, name, is_admin) = match self {
            DevUser::Admin => ("dev-admin", "Admin (development)", true),
            DevUser::User => ("dev-user", "User (development)", false),
        };
        CurrentUser {
            id: id.into(),
            name: name.into(),
            is_admin,
        }
    }
}

/// Middleware, outermost: attaches the client's address (for sign-in limits, the
/// audit trail and `/metrics`' address list).
pub async fn attach_client_address(
    State(auth): State<Auth>,
    mut request: Request,
    next: Next,
) -> Response {
    let address = client_address(&request, auth.trust_forwarded_for);
    request.extensions_mut().insert(ClientAddress(address));
    next.run(request).await
}

/// Middleware: attaches the request's user (by API token, session or development
/// user), or sends a signed-out page request to the login page. `/metrics` is
/// mounted outside it: it has an access rule of its own.
pub async fn attach_user(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(secret) = bearer_token(request.headers()) {
        let writes = !is_read(request.method());
        let refused =
            match api_tokens::token_user(&state.db, &state.sessions, &secret, writes).await {
                // A stolen token must not outlive itself: no new tokens, no new password.
                Ok(_) if is_credentials_path(request.uri().path()) => ApiTokenError::NotWithToken,
                Ok(token) => {
                    request.extensions_mut().insert(token.user);
                    return next.run(request).await;
                }
                Err(err) => err,
            };
        if let ApiTokenError::Database(err) = &refused {
            tracing::error!("cannot read the API token: {err}");
        }
        return ApiError::from(refused).into_response();
    }
    let user = match &state.auth.dev_user {
        Some(user) => Some(user.clone()),
        None => match session_token(request.headers()) {
            Some(token) => accounts::session_user(&state.db, &state.sessions, &token)
                .await
                .unwrap_or_else(|err| {
                    tracing::error!("cannot read the session: {err}");
                    None
                }),
            None => None,
        },
    };
    match user {
        Some(user) => {
            request.extensions_mut().insert(user);
        }
        None if is_page_behind_login(&request) => {
            let target = request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            return Redirect::to(&format!("/login?next={}", encode_query_value(&target)))
                .into_response();
        }
        None => {}
    }
    next.run(request).await
}

/// The client's IP address: the connection's peer, or with `trust_forwarded_for` the
/// last address of `X-Forwarded-For` (the one the proxy in front of Gantry added;
/// earlier ones come from the client and prove nothing).
fn client_address(request: &Request, trust_forwarded_for: bool) -> Option<String> {
    // The last entry of the last header: a client may send headers of its own, the
    // proxy appends to the end.
    let forwarded = trust_forwarded_for
        .then(|| {
            request
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .next_back()?
                .to_str()
                .ok()
        })
        .flatten()
        .and_then(|list| list.rsplit(',').next())
        .map(|last| last.trim().to_owned())
        .filter(|last| !last.is_empty());
    forwarded.or_else(|| {
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip().to_string())
    })
}

/// Who acts and from where, for handlers that write the audit trail.
impl<S: Send + Sync> FromRequestParts<S> for Acting {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Acting {
            user: parts.extensions.get::<CurrentUser>().cloned(),
            address: parts
                .extensions
                .get::<ClientAddress>()
                .and_then(|ClientAddress(a)| a.clone()),
        })
    }
}

/// The token of an `Authorization: Bearer …` header, if the request has one.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
}

/// The account's credentials, which only a signed-in session may change.
fn is_credentials_path(path: &str) -> bool {
    path == "/api/me/password" || path == "/api/me/tokens" || path.starts_with("/api/me/tokens/")
}

/// The session token from the `Cookie` header, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == accounts::SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Pages need a signed-in user; the login page, health checks, the built site and
/// the APIs (which answer 401 themselves) do not redirect.
fn is_page_behind_login(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == Method::GET
        && !["/login", "/setup", "/healthz", "/favicon.svg"].contains(&path)
        && !["/api/", "/pkg/", "/modules/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

/// Percent-encodes everything but unreserved characters and `/`.
pub(crate) fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behind_a_proxy_the_address_is_the_one_the_proxy_added() {
        let request = Request::builder()
            .header("x-forwarded-for", "6.6.6.6, 10.0.0.7")
            .body(axum::body::Body::empty())
            .unwrap();
        // The first entry is whatever the client sent; the last is the proxy's.
        assert_eq!(client_address(&request, true).as_deref(), Some("10.0.0.7"));
        assert_eq!(client_address(&request, false), None, "not trusted");
        // A header of the client's own, before the proxy's.
        let request = Request::builder()
            .header("x-forwarded-for", "10.0.0.7")
            .header("x-forwarded-for", "6.6.6.6, 10.0.0.8")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(client_address(&request, true).as_deref(), Some("10.0.0.8"));
        let request = Request::builder()
            .header("x-forwarded-for", "6.6.6.6")
            .header("x-forwarded-for", "10.0.0.9")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(client_address(&request, true).as_deref(), Some("10.0.0.9"));
    }

    #[test]
    fn finds_the_session_among_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; gantry_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("abc"));
        assert_eq!(session_token(&HeaderMap::new()), None);
    }

    #[test]
    fn next_is_encoded() {
        assert_eq!(encode_query_value("/a b?x=1&y"), "/a%20b%3Fx%3D1%26y");
    }
}
