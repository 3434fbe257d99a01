//! `/api/auth`: signing in and out, and the first administrator's setup, with the
//! plain forms of the login and setup pages.

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use serde::Deserialize;

use crate::{
    accounts::{self, AccountError, Acting, SessionCache, ABSOLUTE_TIMEOUT_SECS, SESSION_COOKIE},
    auth::{encode_query_value, session_token, Auth},
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

/// `POST /api/auth/login`: on success sets the session cookie (and the account's
/// theme) and goes to `next`; otherwise back to the login page with the reason.
pub async fn log_in(
    State(db): State<Db>,
    State(auth): State<Auth>,
    State(sessions): State<SessionCache>,
    acting: Acting,
    headers: HeaderMap,
    Form(form): Form<LoginRequest>,
) -> Response {
    let next = accounts::safe_next(form.next.as_deref());
    let username = form.username.trim();
    match accounts::log_in(&db, username, &form.password, acting.address.as_deref()).await {
        Ok(signed_in) => {
            // The session this browser came with (another account's, or a planted
            // one) ends here.
            if let Some(old) = session_token(&headers) {
                if let Err(err) = accounts::drop_session(&db, &sessions, &old).await {
                    tracing::error!("cannot end the previous session: {err}");
                }
            }
            let mut res = Redirect::to(&next).into_response();
            set_cookie(&mut res, &session_cookie(&signed_in.token, &headers, &auth));
            if let Some(theme) = signed_in.theme {
                set_cookie(
                    &mut res,
                    &format!(
                        "{}={theme}; Path=/; Max-Age=31536000; SameSite=Lax",
                        app::theme::THEME_COOKIE
                    ),
                );
            }
            res
        }
        Err(err) => {
            let reason = match &err {
                AccountError::Disabled(_) => "disabled".to_owned(),
                AccountError::WrongCredentials => "credentials".to_owned(),
                AccountError::RateLimited {
                    retry_after_secs, ..
                } => format!(
                    "rate_limited&retry={}",
                    accounts::minutes(*retry_after_secs)
                ),
                other => {
                    tracing::error!("login failed: {other}");
                    "internal".to_owned()
                }
            };
            tracing::info!(username = %username, "login refused: {err}");
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
pub async fn log_out(
    State(db): State<Db>,
    State(sessions): State<SessionCache>,
    acting: Acting,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = session_token(&headers) {
        if let Err(err) = accounts::log_out(&db, &sessions, &token, &acting).await {
            tracing::error!("cannot end the session: {err}");
        }
    }
    let mut res = Redirect::to("/login").into_response();
    set_cookie(
        &mut res,
        &format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    res
}

/// The setup form: the first administrator's account.
#[derive(Debug, Deserialize)]
pub struct SetupRequest {
    pub token: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub password_again: String,
}

/// `POST /api/auth/setup`: with the one-time token from the server's log, creates
/// the first administrator and signs them in; otherwise back to the form with the
/// reason.
pub async fn set_up(
    State(db): State<Db>,
    State(auth): State<Auth>,
    acting: Acting,
    headers: HeaderMap,
    Form(form): Form<SetupRequest>,
) -> Response {
    let back = |reason: &str| {
        Redirect::to(&format!(
            "/setup?token={}&error={reason}",
            encode_query_value(&form.token)
        ))
        .into_response()
    };
    if form.password != form.password_again {
        return back("mismatch");
    }
    let res = accounts::complete_setup(
        &db,
        form.token.trim(),
        form.username.trim(),
        &form.display_name,
        &form.password,
        &acting,
    )
    .await;
    match res {
        Ok(token) => {
            tracing::info!(username = %form.username.trim(), "first administrator created through the setup link");
            let mut res = Redirect::to("/admin").into_response();
            set_cookie(&mut res, &session_cookie(&token, &headers, &auth));
            res
        }
        Err(err) => back(match err {
            AccountError::InvalidSetupToken => "token",
            AccountError::InvalidUsername | AccountError::UsernameTaken(_) => "username",
            AccountError::InvalidDisplayName => "display_name",
            AccountError::WeakPassword => "password",
            other => {
                tracing::error!("setup failed: {other}");
                "internal"
            }
        }),
    }
}

/// The session cookie for `token`: HttpOnly, SameSite=Lax, and Secure when the
/// client came over HTTPS.
/// The session cookie for `token`: `Secure` with `--secure-cookies` or when the
/// request came over HTTPS.
pub(crate) fn session_cookie(token: &str, headers: &HeaderMap, auth: &Auth) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={ABSOLUTE_TIMEOUT_SECS}{}",
        if auth.secure_cookies || is_https(headers) {
            "; Secure"
        } else {
            ""
        }
    )
}

/// Adds a `Set-Cookie` header.
pub(crate) fn set_cookie(res: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Whether the client reached us over HTTPS (directly or through a proxy that says so).
fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}
