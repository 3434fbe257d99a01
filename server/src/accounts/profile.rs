//! The signed-in user's own account: profile, theme and password.

use gantry_sdk::CurrentUser;
use sqlx::Row;

use app::account::{PasswordChange, Profile, ProfileUpdate};

use super::{
    api_tokens, check_display_name, check_rate_limit, end_sessions_on, open_session_on, passwords,
    users::username, AccountError, Acting, SessionCache,
};
use crate::{audit, db::Db};

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
