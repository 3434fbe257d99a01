//! Sessions: a random token in an HttpOnly cookie, of which the database keeps only
//! the SHA-256; opened at sign-in, renewed as used, ended by time, sign-out, or
//! account changes.

use gantry_sdk::CurrentUser;
use sqlx::Row;

use super::{now, random_hex, sha256_hex, users::username, AccountError, Acting, SessionCache};
use crate::{audit, db::Db};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "gantry_session";
/// A session unused for this long ends.
pub const IDLE_TIMEOUT_SECS: i64 = 7 * 24 * 3600;
/// A session ends this long after sign-in, used or not.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 30 * 24 * 3600;

/// Opens a session for the account `user_id`; returns its token.
pub(super) async fn open_session(db: &Db, user_id: &str) -> Result<String, AccountError> {
    let mut conn = db.pool.acquire().await?;
    open_session_on(&mut conn, user_id).await
}

/// [`open_session`] on `conn` (inside a transaction, say).
pub(super) async fn open_session_on(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
) -> Result<String, AccountError> {
    let token = random_hex(32);
    let at = now();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4)")
        .bind(sha256_hex(&token))
        .bind(user_id)
        .bind(at)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(token)
}

/// Ends every session of the account `user_id`, on `conn`.
pub(super) async fn end_sessions_on(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
) -> Result<(), AccountError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The user of a live session, from `cache` when it was looked up a moment ago;
/// otherwise from the database, renewing its idle timer. `None` for an unknown,
/// expired or disabled one (expired sessions are deleted).
pub async fn session_user(
    db: &Db,
    cache: &SessionCache,
    token: &str,
) -> Result<Option<CurrentUser>, AccountError> {
    let token_hash = sha256_hex(token);
    if let Some(user) = cache.get(&token_hash) {
        return Ok(Some(user));
    }
    let generation = cache.generation();
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
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&token_hash)
            .execute(&db.pool)
            .await?;
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
    let user = CurrentUser {
        id: row.try_get("id")?,
        name: row.try_get("display_name")?,
        is_admin: role == "admin",
    };
    cache.keep(&token_hash, &user, generation);
    Ok(Some(user))
}

/// Ends the session of `token`, if there is one, with no audit entry: a browser
/// that signs in again leaves its old session behind (no session fixation).
pub async fn drop_session(db: &Db, cache: &SessionCache, token: &str) -> Result<(), AccountError> {
    let token_hash = sha256_hex(token);
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(&token_hash)
        .execute(&db.pool)
        .await?;
    cache.forget_session(&token_hash);
    Ok(())
}

/// Ends a session (signing out).
pub async fn log_out(
    db: &Db,
    cache: &SessionCache,
    token: &str,
    acting: &Acting,
) -> Result<(), AccountError> {
    let user = session_user(db, cache, token).await?;
    drop_session(db, cache, token).await?;
    if let Some(user) = user {
        let acting = Acting {
            user: Some(user.clone()),
            ..acting.clone()
        };
        audit::note(db, acting.event("logout", &username(db, &user.id).await?)).await;
    }
    Ok(())
}
