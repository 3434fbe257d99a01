//! Declared data routes: the host serves each collection a module declares as JSON
//! at `/api/modules/<name>/collections/<collection>[/<id>]`: list with search and
//! paging, read, create, update, delete. Every write lands in the audit trail under
//! the module's name.
//!
//! Identifiers in the SQL come only from a validated declaration (lowercase letters,
//! digits and `_`; the table carries the module's prefix) and are checked against
//! the table at start-up; every value is a bound parameter.

use axum::{
    body::to_bytes,
    extract::Request,
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
};
use gantry_sdk::{
    ApiError, AuditEvent, ClientAddress, Collection, CollectionAccess, CurrentUser, Json,
};
use serde_json::{Map, Value};
use sqlx::{any::AnyRow, AssertSqlSafe, Row};

use super::{ModuleEntry, ModuleError};
use crate::{accounts::now, audit, db::Db};

/// The largest value a field may hold, in characters.
const MAX_VALUE_CHARS: usize = 100_000;
/// The largest request body, in bytes.
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Checks at start-up that each collection's table is a base table (never a view,
/// which could read the host's tables) with the columns it needs.
pub async fn verify(module: &str, collections: &[Collection], db: &Db) -> Result<(), ModuleError> {
    for collection in collections {
        let base_table_sql = match db.kind {
            crate::db::DbKind::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
            }
            crate::db::DbKind::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name = $1"
            }
        };
        let is_base_table: i64 = sqlx::query_scalar(base_table_sql)
            .bind(&collection.table)
            .fetch_one(&db.pool)
            .await
            .unwrap_or(0);
        if is_base_table == 0 {
            return Err(ModuleError::CollectionTable {
                module: module.to_owned(),
                collection: collection.name.clone(),
                table: collection.table.clone(),
                reason: "it is not a table of the module (a collection serves base tables only)"
                    .into(),
            });
        }
        let sql = format!(
            "SELECT id, created_at, updated_at, {} FROM {} WHERE 1 = 0",
            collection.fields.join(", "),
            collection.table
        );
        if let Err(err) = sqlx::query(AssertSqlSafe(sql)).fetch_all(&db.pool).await {
            return Err(ModuleError::CollectionTable {
                module: module.to_owned(),
                collection: collection.name.clone(),
                table: collection.table.clone(),
                reason: err.to_string(),
            });
        }
    }
    Ok(())
}

/// Serves `rest` (the path after `collections/`) of `entry`'s collections.
pub async fn serve(
    entry: &ModuleEntry,
    db: &Db,
    user: &CurrentUser,
    rest: &str,
    request: Request,
) -> Result<Response, ApiError> {
    let module = entry.name.as_str();
    let not_found = |what: String| ApiError::not_found(what).with_module(module);
    let (name, id) = match rest.split_once('/') {
        Some((name, id)) => (name, Some(id)),
        None => (rest, None),
    };
    let collection = entry
        .manifest
        .as_ref()
        .and_then(|m| m.collections.iter().find(|c| c.name == name))
        .ok_or_else(|| not_found(format!("module `{module}` has no collection `{name}`")))?;
    let id = match id {
        Some(text) => Some(text.parse::<i64>().map_err(|_| {
            not_found(format!(
                "collection `{name}` of module `{module}` has no item `{text}`"
            ))
        })?),
        None => None,
    };
    let method = request.method().clone();
    if method != Method::GET && collection.write == CollectionAccess::Admin && !user.is_admin {
        return Err(ApiError::forbidden(format!(
            "only administrators may change collection `{name}` of module `{module}`"
        ))
        .with_module(module));
    }
    let address = request
        .extensions()
        .get::<ClientAddress>()
        .and_then(|ClientAddress(a)| a.clone());
    let items = Items {
        module,
        collection,
        db,
    };
    let changed = |action: &str, id: i64| {
        AuditEvent::new(format!("collection.{action}"))
            .target(format!("{name} {id}"))
            .by(user)
            .address(address.clone())
    };
    match (method, id) {
        (Method::GET, None) => {
            let axum::extract::Query(query) =
                axum::extract::Query::<ListQuery>::try_from_uri(request.uri())
                    .map_err(|err| ApiError::bad_request(err.body_text()).with_module(module))?;
            Ok(Json(items.list(&query).await?).into_response())
        }
        (Method::GET, Some(id)) => Ok(Json(items.get(id).await?).into_response()),
        (Method::POST, None) => {
            let values = body_object(request, module).await?;
            let id = items.create(&values).await?;
            items.audit(changed("created", id)).await;
            Ok((StatusCode::CREATED, Json(items.get(id).await?)).into_response())
        }
        (Method::PUT | Method::PATCH, Some(id)) => {
            let values = body_object(request, module).await?;
            items.update(id, &values).await?;
            items.audit(changed("updated", id)).await;
            Ok(Json(items.get(id).await?).into_response())
        }
        (Method::DELETE, Some(id)) => {
            items.delete(id).await?;
            items.audit(changed("deleted", id)).await;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (method, _) => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("collection `{name}` of module `{module}` does not take {method} here"),
        )
        .with_module(module)),
    }
}

/// `?q=…&page=…&per_page=…`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ListQuery {
    /// Words that must each appear in one of the searched fields.
    q: String,
    /// From 0.
    page: u32,
    /// 1 to 200; 50 when 0.
    per_page: u32,
}

/// The JSON object a write sends.
async fn body_object(request: Request, module: &str) -> Result<Map<String, Value>, ApiError> {
    let bytes = to_bytes(request.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|err| {
            ApiError::bad_request(format!("cannot read the body: {err}")).with_module(module)
        })?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(values)) => Ok(values),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object").with_module(module)),
        Err(err) => {
            Err(ApiError::bad_request(format!("the body is not JSON: {err}")).with_module(module))
        }
    }
}

/// One collection's items.
struct Items<'a> {
    module: &'a str,
    collection: &'a Collection,
    db: &'a Db,
}

impl Items<'_> {
    fn columns(&self) -> String {
        format!(
            "id, created_at, updated_at, {}",
            self.collection.fields.join(", ")
        )
    }

    fn item(&self, row: &AnyRow) -> Result<Value, sqlx::Error> {
        let mut item = Map::new();
        for column in ["id", "created_at", "updated_at"] {
            item.insert(column.into(), Value::from(row.try_get::<i64, _>(column)?));
        }
        for field in &self.collection.fields {
            let value: Option<String> = row.try_get(field.as_str())?;
            item.insert(field.clone(), value.map_or(Value::Null, Value::String));
        }
        Ok(Value::Object(item))
    }

    fn db_error(&self, err: sqlx::Error) -> ApiError {
        ApiError::internal(format!(
            "collection `{}` of module `{}`: {err}",
            self.collection.name, self.module
        ))
        .with_module(self.module)
    }

    async fn list(&self, query: &ListQuery) -> Result<Value, ApiError> {
        let per_page = match query.per_page {
            0 => 50,
            n => n.min(200),
        };
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        if !self.collection.search.is_empty() {
            for word in query.q.split_whitespace().take(10) {
                binds.push(format!(
                    "%{}%",
                    gantry_sdk::escape_like(&word.to_lowercase())
                ));
                let p = binds.len();
                let any: Vec<String> = self
                    .collection
                    .search
                    .iter()
                    .map(|f| format!("LOWER({f}) LIKE LOWER(${p}) ESCAPE '\\'"))
                    .collect();
                conditions.push(format!("({})", any.join(" OR ")));
            }
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let table = &self.collection.table;
        let count_sql = format!("SELECT COUNT(*) FROM {table} {filter}");
        let list_sql = format!(
            "SELECT {} FROM {table} {filter} ORDER BY updated_at DESC, id DESC LIMIT {} OFFSET {}",
            self.columns(),
            per_page,
            u64::from(query.page) * u64::from(per_page)
        );
        let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql));
        let mut list = sqlx::query(AssertSqlSafe(list_sql));
        for bind in &binds {
            count = count.bind(bind.clone());
            list = list.bind(bind.clone());
        }
        let total = count
            .fetch_one(&self.db.pool)
            .await
            .map_err(|e| self.db_error(e))?;
        let rows = list
            .fetch_all(&self.db.pool)
            .await
            .map_err(|e| self.db_error(e))?;
        let items = rows
            .iter()
            .map(|row| self.item(row))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.db_error(e))?;
        Ok(serde_json::json!({
            "items": items,
            "total": total,
            "page": query.page,
            "per_page": per_page,
        }))
    }

    async fn get(&self, id: i64) -> Result<Value, ApiError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE id = $1",
            self.columns(),
            self.collection.table
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| self.db_error(e))?
            .ok_or_else(|| self.missing(id))?;
        self.item(&row).map_err(|e| self.db_error(e))
    }

    /// `Ok` when the statement changed item `id`; its 404 when there is none.
    fn touched(
        &self,
        id: i64,
        res: Result<sqlx::any::AnyQueryResult, sqlx::Error>,
    ) -> Result<(), ApiError> {
        match res.map_err(|e| self.db_error(e))?.rows_affected() {
            0 => Err(self.missing(id)),
            _ => Ok(()),
        }
    }

    fn missing(&self, id: i64) -> ApiError {
        ApiError::not_found(format!(
            "collection `{}` of module `{}` has no item {id}",
            self.collection.name, self.module
        ))
        .with_module(self.module)
    }

    /// The fields of `values`, checked: known, text or null, not too long; and, when
    /// `creating`, every required one present.
    fn checked(
        &self,
        values: &Map<String, Value>,
        creating: bool,
    ) -> Result<Vec<(String, Option<String>)>, ApiError> {
        let bad = |field: &str, problem: String| {
            ApiError::bad_request(format!("collection `{}`: {problem}", self.collection.name))
                .with_field(field)
                .with_module(self.module)
        };
        let mut checked = Vec::new();
        for (field, value) in values {
            if matches!(field.as_str(), "id" | "created_at" | "updated_at") {
                continue;
            }
            if !self.collection.fields.contains(field) {
                return Err(bad(field, format!("`{field}` is not one of its fields")));
            }
            let text = match value {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                _ => return Err(bad(field, format!("`{field}` must be text or null"))),
            };
            if text
                .as_ref()
                .is_some_and(|t| t.chars().count() > MAX_VALUE_CHARS)
            {
                return Err(bad(
                    field,
                    format!("`{field}` is longer than {MAX_VALUE_CHARS} characters"),
                ));
            }
            let blank = text.as_deref().is_none_or(|t| t.trim().is_empty());
            if blank && self.collection.required.contains(field) {
                return Err(bad(field, format!("`{field}` is required")));
            }
            checked.push((field.clone(), text));
        }
        if creating {
            if let Some(missing) = self
                .collection
                .required
                .iter()
                .find(|r| !values.contains_key(r.as_str()))
            {
                return Err(bad(missing, format!("`{missing}` is required")));
            }
        }
        Ok(checked)
    }

    async fn create(&self, values: &Map<String, Value>) -> Result<i64, ApiError> {
        let fields = self.checked(values, true)?;
        let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
        let placeholders: Vec<String> = (3..3 + fields.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} (created_at, updated_at{}{}) VALUES ($1, $2{}{}) RETURNING id",
            self.collection.table,
            if names.is_empty() { "" } else { ", " },
            names.join(", "),
            if placeholders.is_empty() { "" } else { ", " },
            placeholders.join(", ")
        );
        let at = now();
        let mut insert = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql))
            .bind(at)
            .bind(at);
        for (_, value) in fields {
            insert = insert.bind(value);
        }
        insert
            .fetch_one(&self.db.pool)
            .await
            .map_err(|e| self.db_error(e))
    }

    async fn update(&self, id: i64, values: &Map<String, Value>) -> Result<(), ApiError> {
        let fields = self.checked(values, false)?;
        let sets: Vec<String> = fields
            .iter()
            .enumerate()
            .map(|(i, (f, _))| format!(", {f} = ${}", i + 3))
            .collect();
        let sql = format!(
            "UPDATE {} SET updated_at = $1{} WHERE id = $2",
            self.collection.table,
            sets.concat()
        );
        let mut update = sqlx::query(AssertSqlSafe(sql)).bind(now()).bind(id);
        for (_, value) in fields {
            update = update.bind(value);
        }
        self.touched(id, update.execute(&self.db.pool).await)
    }

    async fn delete(&self, id: i64) -> Result<(), ApiError> {
        let sql = format!("DELETE FROM {} WHERE id = $1", self.collection.table);
        let res = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .execute(&self.db.pool)
            .await;
        self.touched(id, res)
    }

    async fn audit(&self, event: AuditEvent) {
        if let Err(err) = audit::record(self.db, Some(self.module), &event).await {
            tracing::error!(module = %self.module, "cannot write the audit trail: {err}");
        }
    }
}
