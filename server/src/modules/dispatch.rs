//! Serving modules over HTTP: each module's API (its router or its sidecar), its
//! bundle and its static files, all looked up in the registry.
//!
//! One handler per kind of path rather than one route per module: unknown and
//! failed modules get a clear JSON error naming them, and auth applies first.

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{header, HeaderValue, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use gantry_sdk::{ApiError, CurrentUser};
use serde::Deserialize;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::{
    collections, proxy, registry::ModuleEntry, settings, storage, tools, ModuleRegistry,
    ModuleState,
};
use crate::db::Db;

/// The path parameters of a module route.
#[derive(Debug, Deserialize)]
pub struct ModulePath {
    name: String,
    #[serde(default)]
    rest: String,
}

/// `/api/modules/{name}/{*rest}`: the module's API, its bundle at `bundle.js`, its
/// declared collections under `collections/`, its stored values under `storage/`, or
/// its declared tools under `tools/` (checked here, then answered by the module).
pub async fn module_api(
    State(registry): State<Arc<ModuleRegistry>>,
    State(db): State<Db>,
    Path(path): Path<ModulePath>,
    request: Request,
) -> Result<Response, ApiError> {
    serve_api(&registry, &db, &path.name, &path.rest, request).await
}

/// What [`module_api`] answers for `/api/modules/<name>/<rest>`, to a request that
/// carries its user (Chat's tool calls come this way too).
pub async fn serve_api(
    registry: &ModuleRegistry,
    db: &Db,
    name: &str,
    rest: &str,
    request: Request,
) -> Result<Response, ApiError> {
    // A sidecar gets the path without its leading slashes, so `//tools/x` must be
    // checked as `tools/x` here.
    let rest = rest.trim_start_matches('/');
    let settings_rest = rest.strip_prefix("settings/");
    let (entry, user) = usable(registry, name, &request, settings_rest.is_some())?;
    if rest == "bundle.js" {
        return bundle(&entry, &request);
    }
    let declares_collections = entry
        .manifest
        .as_ref()
        .is_some_and(|m| !m.collections.is_empty());
    let mut request = request;
    if let Some(tool_name) = rest.strip_prefix("tools/") {
        let tool = tools::usable(&entry, &user, tool_name)?;
        let (checked, arguments) = tools::checked_call(&entry, tool, request).await?;
        if let Some(collection) = &tool.collection {
            return tools::search_collection(&entry, db, &user, collection, &arguments).await;
        }
        request = checked;
    }
    if let Some(rest) = rest.strip_prefix("collections/") {
        if declares_collections {
            return collections::serve(&entry, db, &user, rest, request).await;
        }
    }
    if let Some(rest) = rest.strip_prefix("storage/") {
        return storage::serve(&entry, db, &user, rest, request).await;
    }
    if let (Some(rest), Some(host_settings)) = (settings_rest, &registry.settings) {
        let declares_settings = entry
            .manifest
            .as_ref()
            .is_some_and(|m| !m.settings.is_empty());
        if declares_settings {
            return settings::serve(&entry, host_settings, &user, rest, request).await;
        }
    }
    if let Some(upstream) = &entry.proxy {
        return proxy::forward(
            &entry.name,
            upstream,
            registry.sidecar_timeout,
            &user,
            request,
        )
        .await;
    }
    let Some(router) = &entry.router else {
        return Err(
            ApiError::not_found(format!("module `{}` has no API", entry.name))
                .with_module(&entry.name),
        );
    };
    let request = strip_prefix(request, &format!("/api/modules/{}", entry.name));
    Ok(router
        .clone()
        .oneshot(for_module_router(request))
        .await
        .into_response())
}

/// `/modules/{name}/static/{*rest}`: a file from the module's static folder.
pub async fn module_static(
    State(registry): State<Arc<ModuleRegistry>>,
    Path(path): Path<ModulePath>,
    request: Request,
) -> Result<Response, ApiError> {
    let (entry, _) = usable(&registry, &path.name, &request, false)?;
    let missing = || {
        ApiError::not_found(format!(
            "module `{}` has no static file `{}`",
            entry.name, path.rest
        ))
        .with_module(&entry.name)
    };
    let Some(dir) = &entry.static_dir else {
        return Err(missing());
    };
    // The file the path names, with every link followed, must still be inside the
    // (canonical) static folder: a link to the database or `/etc` is not served.
    let Some(file) = resolve_static(dir, &path.rest) else {
        return Err(missing());
    };
    let res = ServeFile::new(file)
        .oneshot(request)
        .await
        .map_err(ApiError::internal)?;
    if res.status() == StatusCode::NOT_FOUND {
        return Err(missing());
    }
    Ok(res.into_response())
}

/// The file `rest` names under the canonical folder `dir`, when it is a file there:
/// no `..`, no absolute parts, and, once every link is followed, still inside `dir`.
pub(crate) fn resolve_static(dir: &std::path::Path, rest: &str) -> Option<std::path::PathBuf> {
    use std::path::Component;
    let relative = std::path::Path::new(rest);
    if rest.is_empty()
        || rest.contains('\\')
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let file = dir.join(relative).canonicalize().ok()?;
    (file.starts_with(dir) && file.is_file()).then_some(file)
}

/// The module called `name` and the request's user, if the module runs and the user
/// may see it. With `settings`, an administrator reaches a stopped module too (one
/// that cannot start without a setting must be given it).
fn usable(
    registry: &ModuleRegistry,
    name: &str,
    request: &Request,
    settings: bool,
) -> Result<(Arc<ModuleEntry>, CurrentUser), ApiError> {
    let entry = registry.get(name).ok_or_else(|| {
        ApiError::not_found(format!("no module named `{name}`")).with_module(name)
    })?;
    let user = request
        .extensions()
        .get::<CurrentUser>()
        .cloned()
        .ok_or_else(ApiError::unauthenticated)?;
    // Who may not see the module learns nothing of it: not its failure, and not
    // even its name when its manifest could not be read.
    if !user.is_admin && !entry.visible_to(&user) {
        if entry.manifest.is_none() {
            return Err(ApiError::not_found(format!("no module named `{name}`")).with_module(name));
        }
        return Err(
            ApiError::forbidden(format!("module `{name}` is for administrators only"))
                .with_module(name),
        );
    }
    if settings && user.is_admin && entry.module.is_some() {
        return Ok((entry, user));
    }
    if entry.state == ModuleState::Disabled {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "module_disabled",
            format!("module `{name}` is disabled"),
        )
        .with_module(name));
    }
    if entry.state != ModuleState::Running {
        let reason = entry.failure.as_ref().map_or_else(
            || format!("module `{name}` is not running"),
            |f| f.message.clone(),
        );
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "module_unavailable",
            reason,
        )
        .with_module(name));
    }
    Ok((entry, user))
}

/// The bundle, with an ETag; immutable caching when asked for by its hash.
fn bundle(entry: &ModuleEntry, request: &Request) -> Result<Response, ApiError> {
    let Some(bundle) = &entry.bundle else {
        return Err(
            ApiError::not_found(format!("module `{}` has no frontend bundle", entry.name))
                .with_module(&entry.name),
        );
    };
    let etag = format!("\"{}\"", bundle.hash);
    let cache = if request.uri().query() == Some(&format!("v={}", bundle.hash)) {
        "private, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let not_modified = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut res = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(bundle.bytes.to_vec()))
    };
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).map_err(ApiError::internal)?,
    );
    Ok(res)
}

/// The request as a module's router sees it: only the user and the client's address
/// of the host's request state (not the host's own path parameters, which the
/// module's `Path` extractor would otherwise see too), and never the caller's API
/// token, which is the host's to check.
fn for_module_router(request: Request) -> Request {
    let (mut parts, body) = request.into_parts();
    if crate::auth::bearer_token(&parts.headers).is_some() {
        parts.headers.remove(axum::http::header::AUTHORIZATION);
    }
    let mut extensions = axum::http::Extensions::new();
    if let Some(user) = parts.extensions.remove::<CurrentUser>() {
        extensions.insert(user);
    }
    if let Some(address) = parts.extensions.remove::<gantry_sdk::ClientAddress>() {
        extensions.insert(address);
    }
    parts.extensions = extensions;
    Request::from_parts(parts, body)
}

/// `request` with `prefix` cut from its path (still percent-encoded, the query
/// kept), as `Router::nest` would.
fn strip_prefix(mut request: Request, prefix: &str) -> Request {
    let uri = request.uri();
    let rest = uri.path().strip_prefix(prefix).unwrap_or_default();
    let rest = if rest.starts_with('/') {
        rest.to_owned()
    } else {
        format!("/{rest}")
    };
    let path_and_query = match uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest,
    };
    if let Ok(uri) = Uri::builder().path_and_query(path_and_query).build() {
        *request.uri_mut() = uri;
    }
    request
}
