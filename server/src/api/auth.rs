//! `/api/auth`: signing in and out with the login page's form.

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use serde::Deserialize;

use crate::{
    accounts::{self, AccountError, ABSOLUTE_TIMEOUT_SECS, SESSION_COOKIE},
    auth::{encode_query_value, session_token},
    db::Db,
};

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// Where to go once signed in: a path on this site.
    #[serde(default)]
    pub next: Option<String>,
}

/// `POST /api/auth/login`: on success sets the session cookie and goes to `next`;
/// otherwise back to the login page with the reason.
pub async fn log_in(
    State(db): State<Db>,
    headers: HeaderMap,
    Form(form): Form<LoginRequest>,
) -> Response {
    let next = accounts::safe_next(form.next.as_deref());
    match accounts::log_in(&db, form.username.trim(), &form.password).await {
        Ok(token) => {
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={ABSOLUTE_TIMEOUT_SECS}{}",
                if is_https(&headers) { "; Secure" } else { "" }
            );
            with_cookie(Redirect::to(&next), &cookie)
        }
        Err(err) => {
            let reason = match err {
                AccountError::Disabled(_) => "disabled",
                AccountError::WrongCredentials => "credentials",
                other => {
                    tracing::error!("login failed: {other}");
                    "internal"
                }
            };
            tracing::info!(username = %form.username, "login refused: {reason}");
            // Back to the form, still on the way to `next`.
            Redirect::to(&format!(
                "/login?error={reason}&next={}",
                encode_query_value(&next)
            ))
            .into_response()
        }
    }
}

/// `POST /api/auth/logout`: ends the session and clears the cookie.
pub async fn log_out(State(db): State<Db>, headers: HeaderMap) -> Response {
    if let Some(token) = session_token(&headers) {
        if let Err(err) = accounts::log_out(&db, &token).await {
            tracing::error!("cannot end the session: {err}");
        }
    }
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    with_cookie(Redirect::to("/login"), &cookie)
}

fn with_cookie(redirect: Redirect, cookie: &str) -> Response {
    let mut res = redirect.into_response();
    if let Ok(value) = HeaderValue::from_str(cookie) {
        res.headers_mut().insert(header::SET_COOKIE, value);
    }
    res
}

/// Whether the client reached us over HTTPS (directly or through a proxy that says so).
fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}
