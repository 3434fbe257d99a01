//! Accounts: users with argon2id password hashes and a role, and their sessions.
//!
//! A session is a random token in an HttpOnly cookie; the database keeps only the
//! token's SHA-256, so a leaked database holds no usable session.

pub mod api_tokens;
mod passwords;
pub mod session_cache;
mod sessions;
mod sign_in_limits;

use std::time::{SystemTime, UNIX_EPOCH};

use gantry_sdk::{ApiError, CurrentUser};
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};

use app::account::{NewUser, PasswordChange, Profile, ProfileUpdate, UserAccount, UserUpdate};
use gantry_sdk::AuditEvent;

use crate::{audit, db::Db};

pub use session_cache::SessionCache;
pub use sessions::{
    drop_session, log_out, session_user, ABSOLUTE_TIMEOUT_SECS, IDLE_TIMEOUT_SECS, SESSION_COOKIE,
};
use sessions::{end_sessions_on, open_session, open_session_on};
use sign_in_limits::check_rate_limit;
pub use sign_in_limits::{
    unlock, unlock_username, FAILURE_WINDOW_SECS, MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
};

/// The `instance_settings` key of the one-time setup token's SHA-256.
const SETUP_TOKEN_KEY: &str = "setup_token_sha256";

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

/// Sign-ins of one name are checked one at a time (see [`log_in`]), so a burst
/// cannot slip past that account's limit; other names go on meanwhile (hashing
/// itself is bounded by the pool in `passwords`), so a queue of bogus attempts does
/// not hold up real ones.
async fn sign_in_turn(username: &str) -> tokio::sync::OwnedMutexGuard<()> {
    use std::{
        collections::HashMap,
        sync::{Arc, LazyLock, Mutex},
    };
    type Turns = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;
    static TURNS: LazyLock<Turns> = LazyLock::new(Turns::default);
    let turn = {
        let mut turns = TURNS.lock().unwrap_or_else(|e| e.into_inner());
        // Forget the names nobody is signing in with any more.
        turns.retain(|_, turn| Arc::strong_count(turn) > 1);
        turns.entry(username.to_lowercase()).or_default().clone()
    };
    turn.lock_owned().await
}

/// How the first administrator comes to be.
#[derive(Debug, PartialEq, Eq)]
pub enum AdminSetup {
    /// There is one already.
    Exists,
    /// `admin` was created from the given password.
    Created,
    /// Nobody yet: this one-time token (valid until an administrator exists or the
    /// next start) lets the first visitor create one at `/setup?token=…`.
    SetupToken(String),
}

/// On start: when no administrator exists, creates `admin` with `password` if
/// given, otherwise mints a fresh one-time setup token (replacing any earlier one).
pub async fn ensure_admin(db: &Db, password: Option<&str>) -> Result<AdminSetup, AccountError> {
    if admin_exists(db).await? {
        sqlx::query("DELETE FROM instance_settings WHERE key = $1")
            .bind(SETUP_TOKEN_KEY)
            .execute(&db.pool)
            .await?;
        return Ok(AdminSetup::Exists);
    }
    if let Some(password) = password {
        create_user(db, "admin", "Administrator", password, Role::Admin).await?;
        audit::note(
            db,
            AuditEvent::new("user.created")
                .target("admin")
                .detail("first administrator, from GANTRY_ADMIN_PASSWORD"),
        )
        .await;
        return Ok(AdminSetup::Created);
    }
    let token = random_hex(24);
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM instance_settings WHERE key = $1")
        .bind(SETUP_TOKEN_KEY)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO instance_settings (key, value) VALUES ($1, $2)")
        .bind(SETUP_TOKEN_KEY)
        .bind(sha256_hex(&token))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(AdminSetup::SetupToken(token))
}

async fn admin_exists(db: &Db) -> Result<bool, AccountError> {
    let admins: i64 = sqlx::query("SELECT COUNT(*) FROM users WHERE role = 'admin'")
        .fetch_one(&db.pool)
        .await?
        .try_get(0)?;
    Ok(admins > 0)
}

/// The first administrator, created by the holder of the setup token; signs them
/// in and returns the session's token. The token works once.
pub async fn complete_setup(
    db: &Db,
    token: &str,
    username: &str,
    display_name: &str,
    password: &str,
    acting: &Acting,
) -> Result<String, AccountError> {
    // Once there is an administrator the link is dead: refused at once, with no work
    // and no entry in the audit trail.
    if admin_exists(db).await? {
        return Err(AccountError::InvalidSetupToken);
    }
    // Refuse bad input before using the link up, so a typo does not cost it.
    check_username(username)?;
    check_display_name(display_name)?;
    if password.chars().count() < 10 {
        return Err(AccountError::WeakPassword);
    }
    // Used up in one statement: of two requests with the same link, one wins.
    let consumed = sqlx::query("DELETE FROM instance_settings WHERE key = $1 AND value = $2")
        .bind(SETUP_TOKEN_KEY)
        .bind(sha256_hex(token))
        .execute(&db.pool)
        .await?
        .rows_affected()
        == 1;
    if !consumed || admin_exists(db).await? {
        audit::note(db, acting.event("setup.refused", username)).await;
        return Err(AccountError::InvalidSetupToken);
    }
    let id = match create_user(db, username, display_name, password, Role::Admin).await {
        Ok(id) => id,
        Err(err) => {
            // Not set up after all: the link works again.
            sqlx::query("INSERT INTO instance_settings (key, value) VALUES ($1, $2)")
                .bind(SETUP_TOKEN_KEY)
                .bind(sha256_hex(token))
                .execute(&db.pool)
                .await?;
            return Err(err);
        }
    };
    let mut created = acting
        .event("user.created", username)
        .detail("first administrator, through the setup link");
    created.actor_name = Some(username.to_owned());
    audit::note(db, created).await;
    open_session(db, &id).await
}

/// Refuses a sign-in when the account or the address failed too often lately.
/// A successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    /// The new session's token, for the cookie.
    pub token: String,
    /// The account's theme preference.
    pub theme: Option<String>,
}

/// Checks a username and password (unless the account or address is rate-limited)
/// and opens a session. Every attempt lands in the audit trail.
pub async fn log_in(
    db: &Db,
    username: &str,
    password: &str,
    address: Option<&str>,
) -> Result<SignedIn, AccountError> {
    // One sign-in of this name at a time in this instance: the limit check, the
    // password check and the recorded outcome happen together.
    // No account has a longer name: refused before any work (or any audit entry).
    if username.is_empty() || username.chars().count() > MAX_USERNAME_CHARS {
        return Err(AccountError::WrongCredentials);
    }
    let _turn = sign_in_turn(username).await;
    let acting = Acting {
        user: None,
        address: address.map(str::to_owned),
    };
    // The actor of a failed attempt is the name tried; of a success, the account.
    let attempt = |action: &str| {
        let mut event = acting.event(action, username);
        event.actor_name = Some(username.to_owned());
        event
    };
    if let Err(err) = check_rate_limit(db, username, address).await {
        // One entry a minute per address is enough to see a flood; not one per
        // request, nor one per name the client makes up.
        let noted: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login.rate_limited' \
             AND address IS NOT DISTINCT FROM $1 AND at > $2",
        )
        .bind(address)
        .bind(now() - 60)
        .fetch_one(&db.pool)
        .await?;
        if noted == 0 {
            audit::note(db, attempt("login.rate_limited").detail(err.to_string())).await;
        }
        return Err(err);
    }
    let row =
        sqlx::query("SELECT id, password_hash, disabled, theme FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&db.pool)
            .await?;
    let Some(row) = row else {
        // Spend the same time as for a real account, so timing does not tell.
        passwords::as_slow_as_a_check(password).await;
        audit::note(db, attempt("login.failed").detail("no such account")).await;
        return Err(AccountError::WrongCredentials);
    };
    let id: String = row.try_get("id")?;
    let hash: String = row.try_get("password_hash")?;
    let disabled: i64 = row.try_get("disabled")?;
    let matches = passwords::matches(password, &hash).await?;
    if !matches {
        audit::note(db, attempt("login.failed").detail("wrong password")).await;
        return Err(AccountError::WrongCredentials);
    }
    if disabled != 0 {
        audit::note(db, attempt("login.failed").detail("account disabled")).await;
        return Err(AccountError::Disabled(username.to_owned()));
    }
    let token = open_session(db, &id).await?;
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(now())
        .bind(&id)
        .execute(&db.pool)
        .await?;
    audit::note(db, attempt("login.succeeded")).await;
    Ok(SignedIn {
        token,
        theme: row.try_get("theme")?,
    })
}

async fn username(db: &Db, user_id: &str) -> Result<String, AccountError> {
    sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| AccountError::NotFound(user_id.to_owned()))
}

/// The columns [`account_of`] reads; `$1` is the start of the failure window.
fn account_columns() -> String {
    format!(
        "id, username, display_name, role, disabled, created_at, last_login_at, \
         (SELECT COUNT(*) FROM audit_log WHERE {}) AS recent_failures",
        sign_in_limits::counted_failures("users.username", "$1")
    )
}

fn account_of(row: &sqlx::any::AnyRow) -> Result<UserAccount, sqlx::Error> {
    let role: String = row.try_get("role")?;
    let disabled: i64 = row.try_get("disabled")?;
    Ok(UserAccount {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        is_admin: role == "admin",
        disabled: disabled != 0,
        created_at: row.try_get("created_at")?,
        last_login_at: row.try_get("last_login_at")?,
        sign_in_locked: row.try_get::<i64, _>("recent_failures")? >= MAX_FAILURES_PER_ACCOUNT,
    })
}

/// Every account, by username.
pub async fn list_users(db: &Db) -> Result<Vec<UserAccount>, AccountError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM users ORDER BY username",
        account_columns()
    )))
    .bind(now() - FAILURE_WINDOW_SECS)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(account_of).collect::<Result<_, _>>()?)
}

/// One account.
pub async fn user(db: &Db, user_id: &str) -> Result<UserAccount, AccountError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM users WHERE id = $2",
        account_columns()
    )))
    .bind(now() - FAILURE_WINDOW_SECS)
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| AccountError::NotFound(user_id.to_owned()))?;
    Ok(account_of(&row)?)
}

/// An administrator creates an account.
pub async fn add_user(
    db: &Db,
    new: &NewUser,
    acting: &Acting,
) -> Result<UserAccount, AccountError> {
    let role = if new.is_admin {
        Role::Admin
    } else {
        Role::User
    };
    let username = new.username.trim();
    let id = create_user(db, username, &new.display_name, &new.password, role).await?;
    audit::note(
        db,
        acting
            .event("user.created", username)
            .detail(format!("role {}", role.as_str())),
    )
    .await;
    user(db, &id).await
}

/// An administrator changes an account's role, enabled state or password. Changing
/// the role, disabling, or setting a password ends the account's sessions; the last
/// enabled administrator cannot be demoted or disabled.
pub async fn update_user(
    db: &Db,
    sessions: &SessionCache,
    user_id: &str,
    update: &UserUpdate,
    acting: &Acting,
) -> Result<UserAccount, AccountError> {
    let before = user(db, user_id).await?;
    let new_hash = match update.password.as_deref() {
        Some(password) => Some(passwords::hash(password).await?),
        None => None,
    };
    let mut tx = db.begin_write().await?;
    if db.kind == crate::db::DbKind::Postgres {
        // Two administrators demoting each other at once: the second waits here and
        // then sees the first one's change. (SQLite runs one writer at a time.)
        sqlx::query("SELECT id FROM users WHERE role = 'admin' AND disabled = 0 FOR UPDATE")
            .execute(&mut *tx)
            .await?;
    }
    let mut events = Vec::new();
    if let Some(is_admin) = update.is_admin.filter(|&a| a != before.is_admin) {
        let role = if is_admin { Role::Admin } else { Role::User };
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        events.push(
            acting
                .event("user.role_changed", &before.username)
                .detail(format!("now {}", role.as_str())),
        );
    }
    if let Some(disabled) = update.disabled.filter(|&d| d != before.disabled) {
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let action = if disabled {
            "user.disabled"
        } else {
            "user.enabled"
        };
        events.push(acting.event(action, &before.username));
    }
    if let Some(hash) = &new_hash {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        api_tokens::revoke_all_on(&mut tx, user_id).await?;
        events.push(acting.event("user.password_reset", &before.username));
    }
    // Checked after the change, inside the transaction, so that it sees it.
    let loses_admin = before.is_admin
        && !before.disabled
        && (update.is_admin == Some(false) || update.disabled == Some(true));
    if loses_admin {
        let admins: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0")
                .fetch_one(&mut *tx)
                .await?;
        if admins == 0 {
            tx.rollback().await?;
            return Err(AccountError::LastAdmin);
        }
    }
    if !events.is_empty() {
        // New rights or credentials: the account signs in afresh.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if !events.is_empty() {
        sessions.forget_account(user_id);
    }
    for event in events {
        audit::note(db, event).await;
    }
    user(db, user_id).await
}

/// The signed-in user's own account; refused for development users.
pub async fn profile(db: &Db, me: &CurrentUser) -> Result<Profile, AccountError> {
    let row = sqlx::query("SELECT username, display_name, role, theme FROM users WHERE id = $1")
        .bind(&me.id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| AccountError::NoAccount(me.name.clone()))?;
    let role: String = row.try_get("role")?;
    Ok(Profile {
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        is_admin: role == "admin",
        theme: row.try_get("theme")?,
    })
}

/// The signed-in user's username; refused for development users, who have no account.
async fn own_username(db: &Db, me: &CurrentUser) -> Result<String, AccountError> {
    match username(db, &me.id).await {
        Err(AccountError::NotFound(_)) => Err(AccountError::NoAccount(me.name.clone())),
        other => other,
    }
}

/// Changes the signed-in user's display name.
pub async fn update_profile(
    db: &Db,
    sessions: &SessionCache,
    me: &CurrentUser,
    update: &ProfileUpdate,
    acting: &Acting,
) -> Result<Profile, AccountError> {
    check_display_name(&update.display_name)?;
    let username = own_username(db, me).await?;
    sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
        .bind(update.display_name.trim())
        .bind(&me.id)
        .execute(&db.pool)
        .await?;
    sessions.forget_account(&me.id);
    audit::note(
        db,
        acting
            .event("profile.updated", &username)
            .detail("display name"),
    )
    .await;
    profile(db, me).await
}

/// Stores the signed-in user's theme preference.
pub async fn set_theme(
    db: &Db,
    me: &CurrentUser,
    theme: Option<&str>,
    acting: &Acting,
) -> Result<(), AccountError> {
    if theme.is_some_and(|t| !matches!(t, "light" | "dark")) {
        return Err(AccountError::InvalidTheme);
    }
    let username = own_username(db, me).await?;
    sqlx::query("UPDATE users SET theme = $1 WHERE id = $2")
        .bind(theme)
        .bind(&me.id)
        .execute(&db.pool)
        .await?;
    audit::note(
        db,
        acting
            .event("settings.changed", &username)
            .detail(format!("theme {}", theme.unwrap_or("system"))),
    )
    .await;
    Ok(())
}

/// Changes the signed-in user's password: every session of the account ends and a
/// new one is opened for this browser; returns its token.
pub async fn change_password(
    db: &Db,
    sessions: &SessionCache,
    me: &CurrentUser,
    change: &PasswordChange,
    acting: &Acting,
) -> Result<String, AccountError> {
    let row = sqlx::query("SELECT username, password_hash FROM users WHERE id = $1")
        .bind(&me.id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| AccountError::NoAccount(me.name.clone()))?;
    let username: String = row.try_get("username")?;
    // A wrong current password is a failed sign-in: it counts toward the limits.
    check_rate_limit(db, &username, acting.address.as_deref()).await?;
    if !passwords::matches(
        &change.current_password,
        &row.try_get::<String, _>("password_hash")?,
    )
    .await?
    {
        audit::note(db, acting.event("password.change_refused", &username)).await;
        let mut failed = acting
            .event("login.failed", &username)
            .detail("wrong current password, changing the password");
        failed.actor_name = Some(username.clone());
        audit::note(db, failed).await;
        return Err(AccountError::WrongPassword);
    }
    let hash = passwords::hash(&change.new_password).await?;
    // The new password, the end of the old sessions and this browser's new one
    // land together or not at all.
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(&me.id)
        .execute(&mut *tx)
        .await?;
    end_sessions_on(&mut tx, &me.id).await?;
    api_tokens::revoke_all_on(&mut tx, &me.id).await?;
    let token = open_session_on(&mut tx, &me.id).await?;
    tx.commit().await?;
    sessions.forget_account(&me.id);
    audit::note(db, acting.event("password.changed", &username)).await;
    Ok(token)
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
