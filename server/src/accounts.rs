//! Accounts: users with argon2id password hashes and a role, and their sessions.
//!
//! A session is a random token in an HttpOnly cookie; the database keeps only the
//! token's SHA-256, so a leaked database holds no usable session.

use std::time::{SystemTime, UNIX_EPOCH};

use argon2::{
    password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier},
    Argon2,
};
use gantry_sdk::{ApiError, CurrentUser};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::Db;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "gantry_session";
/// A session unused for this long ends.
pub const IDLE_TIMEOUT_SECS: i64 = 7 * 24 * 3600;
/// A session ends this long after sign-in, used or not.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 30 * 24 * 3600;

/// Why an account action failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("wrong username or password")]
    WrongCredentials,
    #[error("account `{0}` is disabled")]
    Disabled(String),
    #[error("username `{0}` is taken")]
    UsernameTaken(String),
    #[error("a username is 1 to 64 letters, digits, `.`, `-` or `_`")]
    InvalidUsername,
    #[error("a password has at least 10 characters")]
    WeakPassword,
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        use axum::http::StatusCode;
        match err {
            AccountError::WrongCredentials | AccountError::Disabled(_) => {
                ApiError::new(StatusCode::UNAUTHORIZED, "login_failed", err.to_string())
            }
            AccountError::UsernameTaken(_) => {
                ApiError::new(StatusCode::CONFLICT, "username_taken", err.to_string())
                    .with_field("username")
            }
            AccountError::InvalidUsername => {
                ApiError::bad_request(err.to_string()).with_field("username")
            }
            AccountError::WeakPassword => {
                ApiError::bad_request(err.to_string()).with_field("password")
            }
            AccountError::Hash(_) | AccountError::Database(_) => ApiError::internal(err),
        }
    }
}

/// An account's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    User,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates an account; returns its id.
pub async fn create_user(
    db: &Db,
    username: &str,
    display_name: &str,
    password: &str,
    role: Role,
) -> Result<String, AccountError> {
    let valid = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid {
        return Err(AccountError::InvalidUsername);
    }
    if password.chars().count() < 10 {
        return Err(AccountError::WeakPassword);
    }
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|err| AccountError::Hash(err.to_string()))?
        .to_string();
    let id = random_hex(16);
    let res = sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, role, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6)",
    )
    .bind(&id)
    .bind(username)
    .bind(display_name)
    .bind(&hash)
    .bind(role.as_str())
    .bind(now())
    .execute(&db.pool)
    .await;
    match res {
        Ok(_) => Ok(id),
        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
            Err(AccountError::UsernameTaken(username.to_owned()))
        }
        Err(err) => Err(err.into()),
    }
}

/// On first start: when no administrator exists and `password` is given, creates
/// the account `admin` with it. Returns whether an administrator exists now.
pub async fn ensure_admin(db: &Db, password: Option<&str>) -> Result<bool, AccountError> {
    let admins: i64 = sqlx::query("SELECT COUNT(*) FROM users WHERE role = 'admin'")
        .fetch_one(&db.pool)
        .await?
        .try_get(0)?;
    if admins > 0 {
        return Ok(true);
    }
    let Some(password) = password else {
        return Ok(false);
    };
    create_user(db, "admin", "Administrator", password, Role::Admin).await?;
    tracing::info!("created the administrator account `admin` from GANTRY_ADMIN_PASSWORD");
    Ok(true)
}

/// Checks a username and password and opens a session; returns its token.
pub async fn log_in(db: &Db, username: &str, password: &str) -> Result<String, AccountError> {
    let row = sqlx::query("SELECT id, password_hash, disabled FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&db.pool)
        .await?;
    let Some(row) = row else {
        // Spend the same time as for a real account, so timing does not tell.
        let _ = Argon2::default().hash_password(password.as_bytes());
        return Err(AccountError::WrongCredentials);
    };
    let id: String = row.try_get("id")?;
    let hash: String = row.try_get("password_hash")?;
    let disabled: i64 = row.try_get("disabled")?;
    let parsed = PasswordHash::new(&hash).map_err(|err| AccountError::Hash(err.to_string()))?;
    if Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Err(AccountError::WrongCredentials);
    }
    if disabled != 0 {
        return Err(AccountError::Disabled(username.to_owned()));
    }
    let token = random_hex(32);
    let at = now();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4)")
        .bind(sha256_hex(&token))
        .bind(&id)
        .bind(at)
        .bind(at)
        .execute(&db.pool)
        .await?;
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(at)
        .bind(&id)
        .execute(&db.pool)
        .await?;
    Ok(token)
}

/// The user of a live session, renewing its idle timer; `None` for an unknown,
/// expired or disabled one (expired sessions are deleted).
pub async fn session_user(db: &Db, token: &str) -> Result<Option<CurrentUser>, AccountError> {
    let token_hash = sha256_hex(token);
    let row = sqlx::query(
        "SELECT u.id, u.display_name, u.role, u.disabled, s.created_at, s.last_seen_at \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(&token_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let at = now();
    let created: i64 = row.try_get("created_at")?;
    let seen: i64 = row.try_get("last_seen_at")?;
    let disabled: i64 = row.try_get("disabled")?;
    if disabled != 0 || at - seen > IDLE_TIMEOUT_SECS || at - created > ABSOLUTE_TIMEOUT_SECS {
        log_out(db, token).await?;
        return Ok(None);
    }
    if at - seen > 60 {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(at)
            .bind(&token_hash)
            .execute(&db.pool)
            .await?;
    }
    let role: String = row.try_get("role")?;
    Ok(Some(CurrentUser {
        id: row.try_get("id")?,
        name: row.try_get("display_name")?,
        is_admin: role == "admin",
    }))
}

/// Ends a session.
pub async fn log_out(db: &Db, token: &str) -> Result<(), AccountError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(sha256_hex(token))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Disables or enables an account; disabling ends its sessions.
pub async fn set_disabled(db: &Db, user_id: &str, disabled: bool) -> Result<(), AccountError> {
    sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    if disabled {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&db.pool)
            .await?;
    }
    Ok(())
}

/// `next` if it is a path on this site, otherwise `/` (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.contains(['\r', '\n']) =>
        {
            path.to_owned()
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/settings?tab=x")), "/settings?tab=x");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
