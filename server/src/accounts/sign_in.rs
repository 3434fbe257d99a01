//! Signing in with a username and password, within the sign-in limits.

use sqlx::Row;

use super::{
    check_rate_limit, now, open_session, passwords, AccountError, Acting, MAX_USERNAME_CHARS,
};
use crate::{audit, db::Db};

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
    // No account has a longer name: refused before any work (or any audit entry).
    if username.is_empty() || username.chars().count() > MAX_USERNAME_CHARS {
        return Err(AccountError::WrongCredentials);
    }
    // One sign-in of this name at a time in this instance: the limit check, the
    // password check and the recorded outcome happen together.
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
