//! Why an account action failed, and how each failure answers over HTTP.

use gantry_sdk::ApiError;

use super::minutes;

/// Why an account action failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("account `{0}` is disabled")]
    Disabled(String),
    #[error("too many failed sign-ins {scope}; try again in {} minute(s)", minutes(*retry_after_secs))]
    RateLimited {
        /// `for this account` or `from this address`.
        scope: &'static str,
        retry_after_secs: i64,
    },
    #[error("the current password is wrong")]
    WrongPassword,
    #[error("username `{0}` is taken")]
    UsernameTaken(String),
    #[error("a username is 1 to 64 letters, digits, `.`, `-` or `_`")]
    InvalidUsername,
    #[error("a display name is 1 to 100 characters")]
    InvalidDisplayName,
    #[error("a password has at least 10 characters")]
    WeakPassword,
    #[error("a theme is `light`, `dark` or none")]
    InvalidTheme,
    #[error("no account `{0}`")]
    NotFound(String),
    #[error("`{0}` is a development user without an account")]
    NoAccount(String),
    #[error("at least one enabled administrator must remain")]
    LastAdmin,
    #[error(
        "the setup link is invalid or was used already; sign in, or restart Gantry for a new link"
    )]
    InvalidSetupToken,
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        use axum::http::StatusCode;
        let message = err.to_string();
        match err {
            AccountError::WrongCredentials | AccountError::Disabled(_) => {
                ApiError::new(StatusCode::UNAUTHORIZED, "login_failed", message)
            }
            AccountError::RateLimited { .. } => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
            }
            AccountError::WrongPassword => {
                ApiError::bad_request(message).with_field("current_password")
            }
            AccountError::UsernameTaken(_) => {
                ApiError::new(StatusCode::CONFLICT, "username_taken", message)
                    .with_field("username")
            }
            AccountError::InvalidUsername => ApiError::bad_request(message).with_field("username"),
            AccountError::InvalidDisplayName => {
                ApiError::bad_request(message).with_field("display_name")
            }
            AccountError::WeakPassword => ApiError::bad_request(message).with_field("password"),
            AccountError::InvalidTheme => ApiError::bad_request(message).with_field("theme"),
            AccountError::NotFound(_) => ApiError::not_found(message),
            AccountError::NoAccount(_) => {
                ApiError::new(StatusCode::CONFLICT, "no_account", message)
            }
            AccountError::LastAdmin => ApiError::new(StatusCode::CONFLICT, "last_admin", message),
            AccountError::InvalidSetupToken => {
                ApiError::new(StatusCode::FORBIDDEN, "invalid_setup_token", message)
            }
            AccountError::Hash(_) | AccountError::Database(_) => ApiError::internal(err),
        }
    }
}
