//! Module tools (`POST /api/modules/<name>/tools/<tool>`): the tool must be declared,
//! the caller allowed to use it, and the arguments valid for its JSON Schema; then
//! the module's router or sidecar answers, as for any call of its API, or, for a
//! tool over a declared collection, the host searches the collection with the
//! collection's read rule. Chat's model calls tools through the same path.

use axum::{
    body::Body,
    extract::Request,
    http::{header, Method, StatusCode},
    response::Response,
};
use gantry_sdk::{ApiError, CurrentUser, ManifestError, ModuleManifest, Tool};
use serde_json::Value;

use super::{collections, registry::ModuleEntry};
use crate::db::Db;

/// The largest arguments body.
const MAX_ARGUMENTS_BYTES: usize = 256 * 1024;
/// Items a collection tool answers with.
const COLLECTION_TOOL_ITEMS: u32 = 10;

/// Each declared tool whose `parameters` is not a valid JSON Schema.
pub fn schema_problems(manifest: &ModuleManifest) -> Vec<ManifestError> {
    manifest
        .tools
        .iter()
        .filter_map(|tool| {
            let schema = tool.schema();
            jsonschema::validator_for(&schema)
                .err()
                .map(|err| ManifestError::InvalidTool {
                    module: manifest.name.clone(),
                    tool: tool.name.clone(),
                    problem: format!("parameters is not a valid JSON Schema: {err}"),
                })
        })
        .collect()
}

/// The declared tool `name` of `entry`, if `user` may call it.
pub fn usable<'a>(
    entry: &'a ModuleEntry,
    user: &CurrentUser,
    name: &str,
) -> Result<&'a Tool, ApiError> {
    let module = entry.name.as_str();
    let tool = entry
        .manifest
        .as_ref()
        .and_then(|m| m.tools.iter().find(|t| t.name == name))
        .ok_or_else(|| {
            ApiError::not_found(format!("module `{module}` has no tool `{name}`"))
                .with_module(module)
        })?;
    if tool.requires_admin && !user.is_admin {
        return Err(ApiError::forbidden(format!(
            "tool `{module}/{name}` is for administrators only"
        ))
        .with_module(module));
    }
    Ok(tool)
}

/// The arguments of a call of `tool`, read from `request` and checked against its
/// schema; the request is given back with the same body for the module.
pub async fn checked_call(
    entry: &ModuleEntry,
    tool: &Tool,
    request: Request,
) -> Result<(Request, Value), ApiError> {
    let module = entry.name.as_str();
    let label = format!("tool `{module}/{}`", tool.name);
    if request.method() != Method::POST {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{label} is called with POST"),
        )
        .with_module(module));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_ARGUMENTS_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "{label}: the arguments are larger than {} KiB",
                    MAX_ARGUMENTS_BYTES / 1024
                ),
            )
            .with_module(module)
        })?;
    let arguments: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(&bytes).map_err(|err| {
            ApiError::bad_request(format!("{label}: the arguments are not JSON ({err})"))
                .with_module(module)
                .with_field("arguments")
        })?
    };
    check_arguments(tool, &arguments).map_err(|problem| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_arguments",
            format!("{label}: {problem}"),
        )
        .with_module(module)
        .with_field("arguments")
    })?;
    Ok((Request::from_parts(parts, Body::from(bytes)), arguments))
}

/// Why `arguments` do not match `tool`'s schema, in words.
pub fn check_arguments(tool: &Tool, arguments: &Value) -> Result<(), String> {
    let schema = tool.schema();
    let validator = jsonschema::validator_for(&schema)
        .map_err(|err| format!("its parameters are not a valid JSON Schema ({err})"))?;
    let first = validator.iter_errors(arguments).next().map(|err| {
        let at = err.instance_path().to_string();
        if at.is_empty() {
            format!("the arguments do not match its parameters: {err}")
        } else {
            format!("the arguments do not match its parameters at `{at}`: {err}")
        }
    });
    first.map_or(Ok(()), Err)
}

/// A collection tool: the collection's items matching `query`, read as `user`.
pub async fn search_collection(
    entry: &ModuleEntry,
    db: &Db,
    user: &CurrentUser,
    collection: &str,
    arguments: &Value,
) -> Result<Response, ApiError> {
    let query = arguments
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let uri = format!(
        "/?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("q", query)
            .append_pair("per_page", &COLLECTION_TOOL_ITEMS.to_string())
            .finish()
    );
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(uri)
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())
        .map_err(ApiError::internal)?;
    request.extensions_mut().insert(user.clone());
    collections::serve(entry, db, user, collection, request).await
}
