//! Limits on failed sign-ins, counted from the audit trail (so they hold across
//! instances), and an administrator's unlock of an account that reached its limit.

use app::account::UserAccount;

use sqlx::AssertSqlSafe;

use super::{now, user, AccountError, Acting};
use crate::{audit, db::Db};

/// Failed sign-ins counted for the limits below are those of this window.
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// Failed sign-ins an account may have in the window (since its last success or
/// unlock).
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed sign-ins one address may make in the window, over all accounts.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// The condition on `audit_log` rows that count toward the account limit of the
/// account named by the SQL `target`: its failed sign-ins after `since` (Unix
/// seconds) and after its last success or unlock. (Ordered by entry, not by second:
/// a success and a failure may share one.)
pub(super) fn counted_failures(target: &str, since: &str) -> String {
    format!(
        "action = 'login.failed' AND target = {target} AND at > {since} \
         AND id > COALESCE((SELECT MAX(id) FROM audit_log \
             WHERE action IN ('login.succeeded', 'login.unlocked') AND target = {target}), 0)"
    )
}

/// Refuses a sign-in of `username` from `address` while either has used up its
/// failures, saying when the limit lifts.
pub(super) async fn check_rate_limit(
    db: &Db,
    username: &str,
    address: Option<&str>,
) -> Result<(), AccountError> {
    let per_account = format!(
        "SELECT at FROM audit_log WHERE {} ORDER BY at DESC LIMIT $3",
        counted_failures("$1", "$2")
    );
    let per_address = "SELECT at FROM audit_log WHERE action = 'login.failed' AND address = $1 \
         AND at > $2 ORDER BY at DESC LIMIT $3";
    let limits = [
        (
            per_account.as_str(),
            Some(username),
            MAX_FAILURES_PER_ACCOUNT,
            "for this account",
        ),
        (
            per_address,
            address,
            MAX_FAILURES_PER_ADDRESS,
            "from this address",
        ),
    ];
    let at = now();
    for (sql, key, max, scope) in limits {
        let Some(key) = key else { continue };
        // The latest `max` failures: when there are that many, the oldest of them
        // says when the limit lifts.
        let failures: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(key)
            .bind(at - FAILURE_WINDOW_SECS)
            .bind(max)
            .fetch_all(&db.pool)
            .await?;
        if failures.len() as i64 >= max {
            let oldest = failures.last().copied().unwrap_or(at);
            return Err(AccountError::RateLimited {
                scope,
                retry_after_secs: (oldest + FAILURE_WINDOW_SECS - at).max(1),
            });
        }
    }
    Ok(())
}

/// An administrator (or the `gantry user unlock` command) lets the account
/// `user_id` sign in again at once: its failed sign-ins so far stop counting. The
/// limit per address stays, as it guards against whoever guessed.
pub async fn unlock(db: &Db, user_id: &str, acting: &Acting) -> Result<UserAccount, AccountError> {
    unlock_noting(db, user_id, acting, None).await
}

/// [`unlock`] by username, for the `gantry user unlock` command (no actor but the
/// command line).
pub async fn unlock_username(db: &Db, username: &str) -> Result<UserAccount, AccountError> {
    let id: String = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| AccountError::NotFound(username.to_owned()))?;
    let cli = Acting {
        user: None,
        address: None,
    };
    unlock_noting(db, &id, &cli, Some("from the command line")).await
}

async fn unlock_noting(
    db: &Db,
    user_id: &str,
    acting: &Acting,
    detail: Option<&str>,
) -> Result<UserAccount, AccountError> {
    let account = user(db, user_id).await?;
    let mut event = acting.event("login.unlocked", &account.username);
    if let Some(detail) = detail {
        event = event.detail(detail);
    }
    // The entry is the unlock: it must be written, or nothing changed.
    audit::record(db, None, &event).await?;
    user(db, user_id).await
}
