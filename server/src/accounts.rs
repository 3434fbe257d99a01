//! Accounts: users with argon2id password hashes and a role, and their sessions.
//!
//! A session is a random token in an HttpOnly cookie; the database keeps only the
//! token's SHA-256, so a leaked database holds no usable session. What is shared by
//! the parts lives here: the actor, the role, names' rules and account creation.

pub mod api_tokens;
mod error;
mod passwords;
mod profile;
pub mod session_cache;
mod sessions;
mod setup;
mod sign_in;
mod sign_in_limits;
mod users;

use std::time::{SystemTime, UNIX_EPOCH};

use gantry_sdk::{AuditEvent, CurrentUser};
use sha2::{Digest, Sha256};

use crate::db::Db;

pub use error::AccountError;
pub use profile::{change_password, profile, set_theme, update_profile};
pub use session_cache::SessionCache;
pub use sessions::{
    drop_session, log_out, session_user, ABSOLUTE_TIMEOUT_SECS, IDLE_TIMEOUT_SECS, SESSION_COOKIE,
};
use sessions::{end_sessions_on, open_session, open_session_on};
pub use setup::{complete_setup, ensure_admin, AdminSetup};
pub use sign_in::{log_in, SignedIn};
use sign_in_limits::check_rate_limit;
pub use sign_in_limits::{
    unlock, unlock_username, FAILURE_WINDOW_SECS, MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
};
pub use users::{add_user, list_users, update_user, user};

/// Whole minutes, rounded up.
pub fn minutes(secs: i64) -> i64 {
    (secs + 59) / 60
}

/// Who is acting and from where: what the audit trail records of a request.
#[derive(Clone, Debug, Default)]
pub struct Acting {
    pub user: Option<CurrentUser>,
    pub address: Option<String>,
}

impl Acting {
    /// An audit event of this actor.
    pub(crate) fn event(&self, action: &str, target: &str) -> AuditEvent {
        let event = AuditEvent::new(action)
            .target(target)
            .address(self.address.clone());
        match &self.user {
            Some(user) => event.by(user),
            None => event,
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

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub(crate) fn random_hex(bytes: usize) -> String {
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

/// The longest username.
const MAX_USERNAME_CHARS: usize = 64;

fn check_username(username: &str) -> Result<(), AccountError> {
    let valid = !username.is_empty()
        && username.len() <= MAX_USERNAME_CHARS
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    valid.then_some(()).ok_or(AccountError::InvalidUsername)
}

fn check_display_name(name: &str) -> Result<(), AccountError> {
    let len = name.trim().chars().count();
    (1..=100)
        .contains(&len)
        .then_some(())
        .ok_or(AccountError::InvalidDisplayName)
}

/// Creates an account; returns its id.
pub async fn create_user(
    db: &Db,
    username: &str,
    display_name: &str,
    password: &str,
    role: Role,
) -> Result<String, AccountError> {
    check_username(username)?;
    check_display_name(display_name)?;
    let hash = passwords::hash(password).await?;
    let id = random_hex(16);
    let res = sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, role, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6)",
    )
    .bind(&id)
    .bind(username)
    .bind(display_name.trim())
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

/// `next` if it is a path on this site, otherwise `/` (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines and read `\` as `/`, so `/\t/evil` or
        // `/\evil` would leave the site: none of them anywhere.
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.chars().any(|c| c.is_ascii_control() || c == '\\') =>
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
            "/\t/evil.example",
            "/a\\b",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
