//! Retention: expired sessions and audit entries older than the retention period
//! are deleted at start-up and then every hour, so neither table grows forever.

use std::time::Duration;

use crate::{
    accounts::{now, ABSOLUTE_TIMEOUT_SECS, IDLE_TIMEOUT_SECS},
    db::Db,
};

/// How often the tables are pruned.
const EVERY: Duration = Duration::from_secs(3600);

/// How long things are kept.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    /// Days audit entries are kept; `None`: forever.
    pub audit_days: Option<u32>,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            audit_days: Some(365),
        }
    }
}

/// Deletes expired sessions and audit entries past `retention`; returns how many
/// of each.
pub async fn prune(db: &Db, retention: Retention) -> Result<(u64, u64), sqlx::Error> {
    let at = now();
    let sessions = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(at - IDLE_TIMEOUT_SECS)
        .bind(at - ABSOLUTE_TIMEOUT_SECS)
        .execute(&db.pool)
        .await?
        .rows_affected();
    let entries = match retention.audit_days {
        Some(days) => sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(at - i64::from(days) * 86_400)
            .execute(&db.pool)
            .await?
            .rows_affected(),
        None => 0,
    };
    Ok((sessions, entries))
}

/// Prunes now and then every hour, until the task is dropped.
pub async fn run(db: Db, retention: Retention) {
    loop {
        match prune(&db, retention).await {
            Ok((0, 0)) => {}
            Ok((sessions, entries)) => tracing::info!(
                "retention: deleted {sessions} expired sessions and {entries} old audit entries"
            ),
            Err(err) => tracing::warn!("retention: cannot prune: {err}"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
