//! The first administrator: created from `--admin-password`, or by whoever holds
//! the one-time setup token printed at start.

use gantry_sdk::AuditEvent;
use sqlx::Row;

use super::{
    check_display_name, check_username, create_user, open_session, random_hex, sha256_hex,
    AccountError, Acting, Role,
};
use crate::{audit, db::Db};

/// The `instance_settings` key of the one-time setup token's SHA-256.
const SETUP_TOKEN_KEY: &str = "setup_token_sha256";

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
