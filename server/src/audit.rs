//! The audit trail in the `audit_log` table: the host's own entries, the modules'
//! (through [`gantry_sdk::AuditLog`], see [`HostAuditSink`]), and reading them back.

use std::sync::Arc;

use gantry_sdk::{AuditEntry, AuditEvent, AuditPage, AuditQuery, AuditSink, BoxError};
// Dynamic only in which filters are present: every value is a bound parameter.
use sqlx::{AssertSqlSafe, Row};

use crate::{accounts::now, db::Db};

/// The actor of entries the host writes on its own (start-up, migrations).
pub const SYSTEM_ACTOR: &str = "system";

/// The most characters an actor, action, target or address keeps in the trail.
const MAX_SHORT_CHARS: usize = 200;
/// The most characters a detail keeps.
const MAX_DETAIL_CHARS: usize = 2000;

/// `text`, cut to `max` characters (with `…` when cut).
fn capped(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// Appends `event`, written by `module` (`None` for the host). The actor is the
/// username of `event.actor_id` when that is an account, else `event.actor_name`,
/// else [`SYSTEM_ACTOR`].
pub async fn record(db: &Db, module: Option<&str>, event: &AuditEvent) -> Result<(), sqlx::Error> {
    let username = match &event.actor_id {
        Some(id) => {
            sqlx::query_scalar::<_, String>("SELECT username FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&db.pool)
                .await?
        }
        None => None,
    };
    let actor = username
        .or_else(|| event.actor_name.clone())
        .unwrap_or_else(|| SYSTEM_ACTOR.to_owned());
    // Every field is capped: what a client sends (a name tried, an address) cannot
    // grow the trail by more than this per entry.
    let actor = capped(&actor, MAX_SHORT_CHARS);
    let action = capped(&event.action, MAX_SHORT_CHARS);
    let target = capped(&event.target, MAX_SHORT_CHARS);
    let address = event.address.as_deref().map(|a| capped(a, MAX_SHORT_CHARS));
    let detail = event.detail.as_deref().map(|d| capped(d, MAX_DETAIL_CHARS));
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, address, module, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now())
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(address)
    .bind(module)
    .bind(detail)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// [`record`], logging rather than returning a failure: for actions that must not
/// fail because the trail could not be written.
pub async fn note(db: &Db, event: AuditEvent) {
    if let Err(err) = record(db, None, &event).await {
        tracing::error!(action = %event.action, "cannot write the audit trail: {err}");
    }
}

/// Records each of `versions` of `scope` (`core` or a module's name) as one entry
/// with `action` (`migration.applied`, `migration.rolled_back`).
pub async fn migrations(db: &Db, scope: &str, action: &str, versions: &[i64]) {
    for version in versions {
        note(
            db,
            AuditEvent::new(action).target(format!("{scope} {version}")),
        )
        .await;
    }
}

/// Entries matching `query`, newest first.
pub async fn query(db: &Db, query: &AuditQuery) -> Result<AuditPage, sqlx::Error> {
    // Placeholders are numbered in the order the filters are added.
    let mut filters = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut numbers: Vec<i64> = Vec::new();
    let mut next = 1;
    let mut placeholder = || {
        let p = format!("${next}");
        next += 1;
        p
    };
    if let Some(actor) = query.actor.as_deref().filter(|a| !a.is_empty()) {
        filters.push(format!("actor = {}", placeholder()));
        texts.push(actor.to_owned());
    }
    if let Some(action) = query.action.as_deref().filter(|a| !a.is_empty()) {
        filters.push(format!("action LIKE {} ESCAPE '\\'", placeholder()));
        texts.push(format!("{}%", gantry_sdk::escape_like(action)));
    }
    match query.module.as_deref().filter(|m| !m.is_empty()) {
        Some("host") => filters.push("module IS NULL".into()),
        Some(module) => {
            filters.push(format!("module = {}", placeholder()));
            texts.push(module.to_owned());
        }
        None => {}
    }
    if let Some(since) = query.since_unix {
        filters.push(format!("at >= {}", placeholder()));
        numbers.push(since);
    }
    if let Some(until) = query.until_unix {
        filters.push(format!("at < {}", placeholder()));
        numbers.push(until);
    }
    let condition = if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    };
    let per_page = query.page_size();
    let count_sql = format!("SELECT COUNT(*) FROM audit_log {condition}");
    let list_sql = format!(
        "SELECT id, at, actor, action, target, address, module, detail FROM audit_log {condition} \
         ORDER BY at DESC, id DESC LIMIT {per_page} OFFSET {}",
        u64::from(query.page) * u64::from(per_page)
    );
    let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql));
    let mut list = sqlx::query(AssertSqlSafe(list_sql));
    for text in &texts {
        count = count.bind(text);
        list = list.bind(text);
    }
    for number in &numbers {
        count = count.bind(number);
        list = list.bind(number);
    }
    let total = count.fetch_one(&db.pool).await?;
    let entries = list
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|row| {
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at_unix: row.try_get("at")?,
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                target: row.try_get("target")?,
                address: row.try_get("address")?,
                module: row.try_get("module")?,
                detail: row.try_get("detail")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(AuditPage {
        entries,
        total: total.max(0) as u64,
        page: query.page,
        per_page,
    })
}

/// The SDK's audit sink over the host's database: what modules write through
/// [`gantry_sdk::AuditLog`] lands in the same trail as the host's entries.
#[derive(Clone, Debug)]
pub struct HostAuditSink {
    db: Db,
}

impl HostAuditSink {
    /// A sink writing to `db`, ready to hand to modules.
    pub fn shared(db: Db) -> Arc<dyn AuditSink> {
        Arc::new(Self { db })
    }
}

impl AuditSink for HostAuditSink {
    fn append<'a>(
        &'a self,
        module: Option<&'a str>,
        event: AuditEvent,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), BoxError>> + Send + 'a>>
    {
        Box::pin(async move { Ok(record(&self.db, module, &event).await?) })
    }

    fn query(
        &self,
        query: AuditQuery,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<AuditPage, BoxError>> + Send + '_>>
    {
        Box::pin(async move { Ok(self::query(&self.db, &query).await?) })
    }
}
