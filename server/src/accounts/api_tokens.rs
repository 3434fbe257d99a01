//! Personal API tokens for scripts: `Authorization: Bearer gantry_…` acts as the
//! token's account (read-only if made so) on every API. Like sessions, the database
//! keeps only each token's SHA-256; the token is shown once, when made.

use app::account::{ApiToken, CreatedApiToken, NewApiToken};
use gantry_sdk::{ApiError, CurrentUser};
use sqlx::{any::AnyRow, Row};

use super::{
    now, random_hex,
    session_cache::{SessionCache, TokenFacts},
    sha256_hex, Acting,
};
use crate::{audit, db::Db};

/// What every token starts with, so scanners and people recognise one.
pub const TOKEN_PREFIX: &str = "gantry_";
/// The longest name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// The most tokens one account keeps.
const MAX_TOKENS: i64 = 50;
/// The longest lifetime one may ask for, in days.
const MAX_DAYS: u32 = 3650;

/// Why a token cannot be made, used or revoked.
#[derive(Debug, thiserror::Error)]
pub enum ApiTokenError {
    #[error("a token's name is 1 to {MAX_NAME_CHARS} characters")]
    InvalidName,
    #[error("a token expires in 1 to {MAX_DAYS} days, or never")]
    InvalidExpiry,
    #[error("an account keeps at most {MAX_TOKENS} tokens; revoke one first")]
    TooMany,
    #[error("no token `{0}` of yours")]
    NotFound(String),
    #[error("`{0}` is a development user without an account")]
    NoAccount(String),
    #[error("the API token is not valid: unknown, expired, revoked, or its account is disabled")]
    Rejected,
    #[error("this API token is read-only: it may only read (GET)")]
    ReadOnly,
    #[error("an API token cannot manage API tokens or the password: sign in to do that")]
    NotWithToken,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<ApiTokenError> for ApiError {
    fn from(err: ApiTokenError) -> Self {
        use axum::http::StatusCode;
        let message = err.to_string();
        match err {
            ApiTokenError::InvalidName => ApiError::bad_request(message).with_field("name"),
            ApiTokenError::InvalidExpiry => {
                ApiError::bad_request(message).with_field("expires_in_days")
            }
            ApiTokenError::TooMany => {
                ApiError::new(StatusCode::CONFLICT, "too_many_tokens", message)
            }
            ApiTokenError::NotFound(_) => ApiError::not_found(message),
            ApiTokenError::NoAccount(_) => ApiError::bad_request(message),
            ApiTokenError::Rejected => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", message)
            }
            ApiTokenError::ReadOnly | ApiTokenError::NotWithToken => ApiError::forbidden(message),
            ApiTokenError::Database(err) => ApiError::internal(err),
        }
    }
}

/// Who a bearer token acts as.
#[derive(Clone, Debug)]
pub struct TokenUser {
    pub user: CurrentUser,
    pub read_only: bool,
}

const COLUMNS: &str = "id, name, read_only, created_at, expires_at, last_used_at";

fn token(row: &AnyRow) -> Result<ApiToken, sqlx::Error> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        read_only: row.try_get::<i64, _>("read_only")? != 0,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// The tokens of `me`, newest first.
pub async fn list(db: &Db, me: &CurrentUser) -> Result<Vec<ApiToken>, ApiTokenError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id"
    )))
    .bind(&me.id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(token).collect::<Result<_, _>>()?)
}

/// Makes a token for `me`; the answer holds the token itself, which is not kept.
pub async fn create(
    db: &Db,
    me: &CurrentUser,
    new: &NewApiToken,
    acting: &Acting,
) -> Result<CreatedApiToken, ApiTokenError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiTokenError::InvalidName);
    }
    let expires_at = match new.expires_in_days {
        None => None,
        Some(days @ 1..=MAX_DAYS) => Some(now() + i64::from(days) * 24 * 3600),
        Some(_) => return Err(ApiTokenError::InvalidExpiry),
    };
    let has_account: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
        .bind(&me.id)
        .fetch_one(&db.pool)
        .await?;
    if has_account == 0 {
        return Err(ApiTokenError::NoAccount(me.name.clone()));
    }
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE user_id = $1")
        .bind(&me.id)
        .fetch_one(&db.pool)
        .await?;
    if held >= MAX_TOKENS {
        return Err(ApiTokenError::TooMany);
    }
    let secret = format!("{TOKEN_PREFIX}{}", random_hex(24));
    let made = ApiToken {
        id: random_hex(8),
        name: name.to_owned(),
        read_only: new.read_only,
        created_at: now(),
        expires_at,
        last_used_at: None,
    };
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, read_only, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&made.id)
    .bind(&me.id)
    .bind(&made.name)
    .bind(sha256_hex(&secret))
    .bind(i64::from(made.read_only))
    .bind(made.created_at)
    .bind(made.expires_at)
    .execute(&db.pool)
    .await?;
    let detail = if made.read_only {
        "read-only"
    } else {
        "read and write"
    };
    audit::note(db, acting.event("token.created", &made.name).detail(detail)).await;
    Ok(CreatedApiToken {
        secret,
        token: made,
    })
}

/// Revokes `me`'s token `id`; it is refused at once on this instance (its account
/// is forgotten by `cache`) and, on PostgreSQL, told to the others by a trigger.
pub async fn revoke(
    db: &Db,
    cache: &SessionCache,
    me: &CurrentUser,
    id: &str,
    acting: &Acting,
) -> Result<(), ApiTokenError> {
    let name: Option<String> =
        sqlx::query_scalar("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2 RETURNING name")
            .bind(id)
            .bind(&me.id)
            .fetch_optional(&db.pool)
            .await?;
    let name = name.ok_or_else(|| ApiTokenError::NotFound(id.to_owned()))?;
    cache.forget_account(&me.id);
    audit::note(db, acting.event("token.revoked", &name)).await;
    Ok(())
}

/// Revokes every token of the account `user_id`, on `conn` (a new password does).
pub(super) async fn revoke_all_on(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How long a token's last use may be out of date, in seconds: a busy script does
/// not turn every read into a write.
const LAST_USED_GRAIN_SECS: i64 = 60;

/// The account a bearer `secret` acts as for a request that `writes` (or only
/// reads), noting its use; `Rejected` for an unknown, expired or revoked token or a
/// disabled account, `ReadOnly` for a read-only token's write. A token looked up
/// within the cache's freshness is not asked of the database again (nor its use
/// noted: that is coarse anyway, [`LAST_USED_GRAIN_SECS`]).
pub async fn token_user(
    db: &Db,
    cache: &SessionCache,
    secret: &str,
    writes: bool,
) -> Result<TokenUser, ApiTokenError> {
    let hash = sha256_hex(secret);
    let at = now();
    let (user, facts) = match cache.get_token(&hash) {
        Some(found) => found,
        None => {
            let generation = cache.generation();
            let found = look_up(db, &hash, at).await?;
            cache.keep_token(&hash, &found.0, found.1, generation);
            found
        }
    };
    if facts.expires_at.is_some_and(|end| end <= at) {
        return Err(ApiTokenError::Rejected);
    }
    if facts.read_only && writes {
        return Err(ApiTokenError::ReadOnly);
    }
    Ok(TokenUser {
        user,
        read_only: facts.read_only,
    })
}

/// The token with `hash` in the database (its account not disabled), noting its use.
async fn look_up(db: &Db, hash: &str, at: i64) -> Result<(CurrentUser, TokenFacts), ApiTokenError> {
    let row = sqlx::query(
        "SELECT t.id, t.read_only, t.expires_at, u.id AS user_id, u.display_name, u.role, u.disabled \
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(ApiTokenError::Rejected)?;
    let disabled: i64 = row.try_get("disabled")?;
    if disabled != 0 {
        return Err(ApiTokenError::Rejected);
    }
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 \
         AND (last_used_at IS NULL OR last_used_at <= $1 - $3)",
    )
    .bind(at)
    .bind(hash)
    .bind(LAST_USED_GRAIN_SECS)
    .execute(&db.pool)
    .await?;
    let role: String = row.try_get("role")?;
    let user = CurrentUser {
        id: row.try_get("user_id")?,
        name: row.try_get("display_name")?,
        is_admin: role == "admin",
    };
    let facts = TokenFacts {
        read_only: row.try_get::<i64, _>("read_only")? != 0,
        expires_at: row.try_get("expires_at")?,
    };
    Ok((user, facts))
}
