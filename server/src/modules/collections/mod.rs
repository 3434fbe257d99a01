//! Declared data routes: the host serves each collection a module declares as JSON
//! at `/api/modules/<name>/collections/<collection>[/<id>]`: list with search,
//! filters, sorting and paging, read, create, update, delete, each under its own
//! rule (`user`, `owner`, `admin`). Every write lands in the audit trail under the
//! module's name, with the item's owner.
//!
//! Identifiers in the SQL come only from a validated declaration (lowercase letters,
//! digits and `_`; the table carries the module's prefix) and are checked against
//! the table at start-up; every value is a bound parameter.

mod items;
mod list_query;
mod values;

use axum::{
    body::to_bytes,
    extract::Request,
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
};
use gantry_sdk::{
    ApiError, AuditEvent, ClientAddress, Collection, CollectionAccess, CurrentUser, Json,
    KEPT_BY_HOST,
};
use serde_json::{Map, Value};
use sqlx::AssertSqlSafe;

use self::{items::Items, list_query::ListQuery, values::Bound};
use super::{ModuleEntry, ModuleError};
use crate::{audit, db::Db};

/// The largest request body, in bytes.
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Checks at start-up that each collection's table is a base table (never a view,
/// which could read the host's tables) with the columns it needs.
pub async fn verify(module: &str, collections: &[Collection], db: &Db) -> Result<(), ModuleError> {
    for collection in collections {
        let refused = |reason: String| ModuleError::CollectionTable {
            module: module.to_owned(),
            collection: collection.name.clone(),
            table: collection.table.clone(),
            reason,
        };
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
            return Err(refused(
                "it is not a table of the module (a collection serves base tables only)".into(),
            ));
        }
        let mut columns = vec!["id", "created_at", "updated_at"];
        if collection.owner {
            columns.push("owner_id");
        }
        columns.extend(collection.fields.iter().map(|f| f.name()));
        let sql = format!(
            "SELECT {} FROM {} WHERE 1 = 0",
            columns.join(", "),
            collection.table
        );
        if let Err(err) = sqlx::query(AssertSqlSafe(sql)).fetch_all(&db.pool).await {
            return Err(refused(err.to_string()));
        }
    }
    Ok(())
}

/// What a user may do under one rule: everything, or only to their own items.
enum Allowed<'u> {
    All,
    OwnOnly(&'u str),
}

/// Whether `user` may `verb` items of `collection` under `access`.
fn allowed<'u>(
    access: CollectionAccess,
    user: &'u CurrentUser,
    verb: &str,
    collection: &Collection,
    module: &str,
) -> Result<Allowed<'u>, ApiError> {
    match access {
        _ if user.is_admin => Ok(Allowed::All),
        CollectionAccess::User => Ok(Allowed::All),
        CollectionAccess::Owner => Ok(Allowed::OwnOnly(&user.id)),
        CollectionAccess::Admin => Err(ApiError::forbidden(format!(
            "only administrators may {verb} items of collection `{}` of module `{module}`",
            collection.name
        ))
        .with_module(module)),
    }
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
    let rights = collection.rights();
    // Changing an item needs the right to see it too; adding one does not (a box
    // users post into and only administrators read).
    let reading = allowed(rights.read, user, "read", collection, module);
    if request.method() != Method::POST {
        reading.as_ref().map_err(Clone::clone)?;
    }
    let items = Items {
        module,
        collection,
        db,
        only_owner: match &reading {
            Ok(Allowed::OwnOnly(me)) => Some(me),
            _ => None,
        },
    };
    let address = request
        .extensions()
        .get::<ClientAddress>()
        .and_then(|ClientAddress(a)| a.clone());
    let changed = |action: &str, item: &Value| {
        let id = &item["id"];
        let mut event = AuditEvent::new(format!("collection.{action}"))
            .target(format!("{name} {id}"))
            .by(user)
            .address(address.clone());
        if collection.owner {
            let owner = item["owner"].as_str().or(item["owner_id"].as_str());
            event = event.detail(format!("owner {}", owner.unwrap_or("none")));
        }
        event
    };
    let method = request.method().clone();
    match (method, id) {
        (Method::GET, None) => {
            let axum::extract::Query(pairs) =
                axum::extract::Query::<Vec<(String, String)>>::try_from_uri(request.uri())
                    .map_err(|err| ApiError::bad_request(err.body_text()).with_module(module))?;
            let query = ListQuery::parse(collection, pairs).map_err(|bad| {
                ApiError::bad_request(bad.problem)
                    .with_field(bad.name)
                    .with_module(module)
            })?;
            Ok(Json(items.list(&query).await?).into_response())
        }
        (Method::GET, Some(id)) => Ok(Json(items.get(id).await?.json).into_response()),
        (Method::POST, None) => {
            allowed(rights.create, user, "add", collection, module)?;
            let values = body_object(request, module).await?;
            let fields = checked(collection, module, &values, true)?;
            let id = items.create(&fields, user).await?;
            let item = items.get(id).await?.json;
            items_audit(db, module, changed("created", &item)).await;
            let answer = match reading {
                Ok(_) => item,
                Err(_) => serde_json::json!({ "id": id }),
            };
            Ok((StatusCode::CREATED, Json(answer)).into_response())
        }
        (Method::PUT | Method::PATCH, Some(id)) => {
            let rule = allowed(rights.update, user, "change", collection, module)?;
            let before = items.get(id).await?;
            may_touch(&rule, &before, "change", id, collection, module)?;
            let values = body_object(request, module).await?;
            let fields = checked(collection, module, &values, false)?;
            items.update(id, &fields).await?;
            let item = items.get(id).await?.json;
            items_audit(db, module, changed("updated", &item)).await;
            Ok(Json(item).into_response())
        }
        (Method::DELETE, Some(id)) => {
            let rule = allowed(rights.delete, user, "delete", collection, module)?;
            let before = items.get(id).await?;
            may_touch(&rule, &before, "delete", id, collection, module)?;
            items.delete(id).await?;
            items_audit(db, module, changed("deleted", &before.json)).await;
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

/// Refuses a change to someone else's item under an `owner` rule.
fn may_touch(
    rule: &Allowed<'_>,
    item: &items::Stored,
    verb: &str,
    id: i64,
    collection: &Collection,
    module: &str,
) -> Result<(), ApiError> {
    match rule {
        Allowed::OwnOnly(me) if item.owner_id.as_deref() != Some(me) => {
            Err(ApiError::forbidden(format!(
                "only its owner or an administrator may {verb} item {id} of collection `{}`",
                collection.name
            ))
            .with_module(module))
        }
        _ => Ok(()),
    }
}

async fn items_audit(db: &Db, module: &str, event: AuditEvent) {
    if let Err(err) = audit::record(db, Some(module), &event).await {
        tracing::error!(module = %module, "cannot write the audit trail: {err}");
    }
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

/// The fields of `values`, checked: declared (never one the host keeps), of their
/// type; and, when `creating`, every required one present.
fn checked(
    collection: &Collection,
    module: &str,
    values: &Map<String, Value>,
    creating: bool,
) -> Result<Vec<(String, Bound)>, ApiError> {
    let bad = |field: &str, problem: String| {
        ApiError::bad_request(format!("collection `{}`: {problem}", collection.name))
            .with_field(field)
            .with_module(module)
    };
    let mut checked = Vec::new();
    for (name, value) in values {
        if KEPT_BY_HOST.contains(&name.as_str()) {
            return Err(bad(
                name,
                format!("`{name}` is kept by the host and cannot be set"),
            ));
        }
        let field = collection
            .field(name)
            .ok_or_else(|| bad(name, format!("`{name}` is not one of its fields")))?;
        let bound = values::check(field, value).map_err(|problem| bad(name, problem))?;
        if bound.is_blank() && collection.required.contains(name) {
            return Err(bad(name, format!("`{name}` is required")));
        }
        checked.push((name.clone(), bound));
    }
    if creating {
        if let Some(missing) = collection
            .required
            .iter()
            .find(|r| !values.contains_key(r.as_str()))
        {
            return Err(bad(missing, format!("`{missing}` is required")));
        }
    }
    Ok(checked)
}
