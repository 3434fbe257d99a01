//! One collection's items in the database, seen by one user: what they may read
//! (their own only, when reads are `owner`), with every identifier from the
//! validated declaration and every value bound.

use gantry_sdk::{ApiError, Collection, CurrentUser};
use serde_json::{Map, Value};
use sqlx::{any::AnyRow, AssertSqlSafe, Row};

use super::{
    list_query::ListQuery,
    values::{self, Bound},
};
use crate::{accounts::now, db::Db};

/// The items of `collection` of `module` as `user` sees them.
pub struct Items<'a> {
    pub module: &'a str,
    pub collection: &'a Collection,
    pub db: &'a Db,
    /// `Some(user id)` when `user` reads only their own items.
    pub only_owner: Option<&'a str>,
}

/// An item as stored: its JSON and its owner's id.
pub struct Stored {
    pub json: Value,
    pub owner_id: Option<String>,
}

impl Items<'_> {
    fn columns(&self) -> String {
        let mut columns = vec!["item.id", "item.created_at", "item.updated_at"];
        columns.extend(self.collection.fields.iter().map(|f| f.name()));
        let owner = if self.collection.owner {
            ", item.owner_id, (SELECT username FROM users WHERE users.id = item.owner_id) AS _owner_name"
        } else {
            ""
        };
        format!("{}{owner}", columns.join(", "))
    }

    fn stored(&self, row: &AnyRow) -> Result<Stored, sqlx::Error> {
        let mut item = Map::new();
        for column in ["id", "created_at", "updated_at"] {
            item.insert(column.into(), Value::from(row.try_get::<i64, _>(column)?));
        }
        for field in &self.collection.fields {
            item.insert(field.name().to_owned(), values::read(field, row)?);
        }
        let mut owner_id = None;
        if self.collection.owner {
            owner_id = row.try_get::<Option<String>, _>("owner_id")?;
            // No field can be called this: field names start with a letter.
            let name: Option<String> = row.try_get("_owner_name")?;
            item.insert(
                "owner_id".into(),
                owner_id.clone().map_or(Value::Null, Value::String),
            );
            item.insert("owner".into(), name.map_or(Value::Null, Value::String));
        }
        Ok(Stored {
            json: Value::Object(item),
            owner_id,
        })
    }

    pub fn db_error(&self, err: sqlx::Error) -> ApiError {
        if let Some(field) = self.unique_violation(&err) {
            return self.taken(field);
        }
        ApiError::internal(format!(
            "collection `{}` of module `{}`: {err}",
            self.collection.name, self.module
        ))
        .with_module(self.module)
    }

    /// The unique field a database error says was violated (the one the message or
    /// constraint names, else the first unique field).
    fn unique_violation(&self, err: &sqlx::Error) -> Option<&str> {
        let sqlx::Error::Database(db_err) = err else {
            return None;
        };
        if db_err.kind() != sqlx::error::ErrorKind::UniqueViolation {
            return None;
        }
        let said = format!("{} {}", db_err.message(), db_err.constraint().unwrap_or(""));
        let unique = || self.collection.fields.iter().filter(|f| f.is_unique());
        unique()
            .find(|f| said.contains(f.name()))
            .or_else(|| unique().next())
            .map(|f| f.name())
    }

    fn taken(&self, field: &str) -> ApiError {
        ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "conflict",
            format!(
                "collection `{}`: another item already has this `{field}`",
                self.collection.name
            ),
        )
        .with_field(field)
        .with_module(self.module)
    }

    pub fn missing(&self, id: i64) -> ApiError {
        ApiError::not_found(format!(
            "collection `{}` of module `{}` has no item {id}",
            self.collection.name, self.module
        ))
        .with_module(self.module)
    }

    /// The `WHERE` of `conditions` and what the user may read, adding its parameter
    /// to `binds`.
    fn visible(&self, mut conditions: Vec<String>, binds: &mut Vec<Bound>) -> String {
        if let Some(owner) = self.only_owner {
            binds.push(Bound::Text(Some(owner.to_owned())));
            conditions.push(format!("item.owner_id = ${}", binds.len()));
        }
        if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        }
    }

    pub async fn list(&self, query: &ListQuery) -> Result<Value, ApiError> {
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        if !self.collection.search.is_empty() {
            for word in query.q.split_whitespace().take(10) {
                binds.push(Bound::Text(Some(format!(
                    "%{}%",
                    gantry_sdk::escape_like(&word.to_lowercase())
                ))));
                let p = binds.len();
                let any: Vec<String> = self
                    .collection
                    .search
                    .iter()
                    .map(|f| format!("LOWER(item.{f}) LIKE LOWER(${p}) ESCAPE '\\'"))
                    .collect();
                conditions.push(format!("({})", any.join(" OR ")));
            }
        }
        for (field, value) in &query.filters {
            binds.push(value.clone());
            conditions.push(format!("item.{field} = ${}", binds.len()));
        }
        let filter = self.visible(conditions, &mut binds);
        let order = match &query.sort {
            Some((column, descending)) => {
                let direction = if *descending { "DESC" } else { "ASC" };
                format!("item.{column} {direction}, item.id {direction}")
            }
            None => "item.updated_at DESC, item.id DESC".to_owned(),
        };
        let table = &self.collection.table;
        let count_sql = format!("SELECT COUNT(*) FROM {table} AS item {filter}");
        let list_sql = format!(
            "SELECT {} FROM {table} AS item {filter} ORDER BY {order} LIMIT {} OFFSET {}",
            self.columns(),
            query.per_page,
            u64::from(query.page) * u64::from(query.per_page)
        );
        let mut count = sqlx::query(AssertSqlSafe(count_sql));
        let mut list = sqlx::query(AssertSqlSafe(list_sql));
        for bind in &binds {
            count = bind.bind_to(count);
            list = bind.bind_to(list);
        }
        let total: i64 = count
            .fetch_one(&self.db.pool)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(|e| self.db_error(e))?;
        let rows = list
            .fetch_all(&self.db.pool)
            .await
            .map_err(|e| self.db_error(e))?;
        let items = rows
            .iter()
            .map(|row| self.stored(row).map(|s| s.json))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.db_error(e))?;
        Ok(serde_json::json!({
            "items": items,
            "total": total,
            "page": query.page,
            "per_page": query.per_page,
        }))
    }

    /// Item `id`, when the user may read it.
    pub async fn get(&self, id: i64) -> Result<Stored, ApiError> {
        let mut binds = vec![Bound::Integer(Some(id))];
        let filter = self.visible(vec!["item.id = $1".to_owned()], &mut binds);
        let sql = format!(
            "SELECT {} FROM {} AS item {filter}",
            self.columns(),
            self.collection.table
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for bind in &binds {
            query = bind.bind_to(query);
        }
        let row = query
            .fetch_optional(&self.db.pool)
            .await
            .map_err(|e| self.db_error(e))?
            .ok_or_else(|| self.missing(id))?;
        self.stored(&row).map_err(|e| self.db_error(e))
    }

    /// A 409 when another item than `id` holds one of `fields`' unique values.
    async fn check_unique(
        &self,
        fields: &[(String, Bound)],
        id: Option<i64>,
    ) -> Result<(), ApiError> {
        for (name, value) in fields {
            let unique = self.collection.field(name).is_some_and(|f| f.is_unique());
            if !unique || value.is_null() {
                continue;
            }
            let sql = format!(
                "SELECT COUNT(*) FROM {} WHERE {name} = $1 AND id <> $2",
                self.collection.table
            );
            let query = value
                .bind_to(sqlx::query(AssertSqlSafe(sql)))
                .bind(id.unwrap_or(-1));
            let clashes: i64 = query
                .fetch_one(&self.db.pool)
                .await
                .and_then(|row| row.try_get(0))
                .map_err(|e| self.db_error(e))?;
            if clashes > 0 {
                return Err(self.taken(name));
            }
        }
        Ok(())
    }

    /// Adds an item of checked `fields`, owned by `owner` when items have owners.
    pub async fn create(
        &self,
        fields: &[(String, Bound)],
        owner: &CurrentUser,
    ) -> Result<i64, ApiError> {
        self.check_unique(fields, None).await?;
        let mut names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
        let mut values: Vec<Bound> = fields.iter().map(|(_, v)| v.clone()).collect();
        if self.collection.owner {
            names.push("owner_id");
            values.push(Bound::Text(Some(owner.id.clone())));
        }
        let placeholders: Vec<String> = (3..3 + values.len()).map(|i| format!(", ${i}")).collect();
        let columns: Vec<String> = names.iter().map(|n| format!(", {n}")).collect();
        let sql = format!(
            "INSERT INTO {} (created_at, updated_at{}) VALUES ($1, $2{}) RETURNING id",
            self.collection.table,
            columns.concat(),
            placeholders.concat()
        );
        let at = now();
        let mut insert = sqlx::query(AssertSqlSafe(sql)).bind(at).bind(at);
        for value in &values {
            insert = value.bind_to(insert);
        }
        insert
            .fetch_one(&self.db.pool)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(|e| self.db_error(e))
    }

    pub async fn update(&self, id: i64, fields: &[(String, Bound)]) -> Result<(), ApiError> {
        self.check_unique(fields, Some(id)).await?;
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
            update = value.bind_to(update);
        }
        let res = update.execute(&self.db.pool).await;
        match res.map_err(|e| self.db_error(e))?.rows_affected() {
            0 => Err(self.missing(id)),
            _ => Ok(()),
        }
    }

    pub async fn delete(&self, id: i64) -> Result<(), ApiError> {
        let sql = format!("DELETE FROM {} WHERE id = $1", self.collection.table);
        let res = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .execute(&self.db.pool)
            .await;
        match res.map_err(|e| self.db_error(e))?.rows_affected() {
            0 => Err(self.missing(id)),
            _ => Ok(()),
        }
    }
}
