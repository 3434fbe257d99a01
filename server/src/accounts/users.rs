//! The accounts an administrator manages: listed, added, changed.

use sqlx::{AssertSqlSafe, Row};

use app::account::{NewUser, UserAccount, UserUpdate};

use super::{
    api_tokens, create_user, now, passwords, sign_in_limits, AccountError, Acting, Role,
    SessionCache, FAILURE_WINDOW_SECS, MAX_FAILURES_PER_ACCOUNT,
};
use crate::{audit, db::Db};

pub(super) async fn username(db: &Db, user_id: &str) -> Result<String, AccountError> {
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
