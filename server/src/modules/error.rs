//! `ModuleError`: why a module was refused or stopped. Every message names the
//! module (or its folder) and the cause.

use gantry_sdk::{ApiError, ManifestError};

/// Why a module was refused or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    #[error("module folder `{folder}`: cannot read gantry-module.toml: {reason}")]
    ManifestUnreadable { folder: String, reason: String },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("module `{module}`: another module already has this name")]
    DuplicateName { module: String },
    #[error(
        "module `{module}`: its table prefix `{prefix}` would cover the host's table `{table}`"
    )]
    PrefixCoversHostTable {
        module: String,
        prefix: String,
        table: String,
    },
    #[error(
        "module `{module}`: its table prefix `{prefix}` overlaps module `{other}`'s `{theirs}`"
    )]
    PrefixOverlaps {
        module: String,
        prefix: String,
        other: String,
        theirs: String,
    },
    #[error("module `{module}`: nav route `{route}` already belongs to module `{other}`")]
    RouteTaken {
        module: String,
        route: String,
        other: String,
    },
    #[error("module `{module}`: {field} `{path}` {problem}")]
    BadPath {
        module: String,
        field: &'static str,
        path: String,
        problem: String,
    },
    #[error("module `{module}`: backend.proxy `{url}` must be an http:// or https:// URL")]
    BadProxy { module: String, url: String },
    #[error("module `{module}`: migration {migration} refused by the database: {problem}")]
    MigrationDenied {
        module: String,
        migration: String,
        problem: String,
    },
    #[error("module `{module}`: its frontend did not build: {output}")]
    FrontendBuildFailed { module: String, output: String },
    #[error("module `{module}`: migrations failed: {reason}")]
    MigrationFailed { module: String, reason: String },
    #[error("module `{module}`: {hook} failed: {reason}")]
    HookFailed {
        module: String,
        hook: &'static str,
        reason: String,
    },
    #[error("module `{module}`: {hook} panicked: {reason}")]
    HookPanicked {
        module: String,
        hook: &'static str,
        reason: String,
    },
    #[error("module `{module}`: collection `{collection}` cannot use table `{table}`: {reason}")]
    CollectionTable {
        module: String,
        collection: String,
        table: String,
        reason: String,
    },
    #[error("module `{module}` needs `{dependency}` ({range}), {why}")]
    DependencyUnmet {
        module: String,
        dependency: String,
        range: String,
        why: String,
    },
    #[error("module `{module}`: its dependencies form a cycle: {cycle}")]
    DependencyCycle { module: String, cycle: String },
    #[error("module `{module}`: {hook} did not finish within {limit}")]
    HookTimedOut {
        module: String,
        hook: &'static str,
        limit: String,
    },
}

impl From<ModuleError> for ApiError {
    fn from(err: ModuleError) -> Self {
        match err {
            ModuleError::Manifest(err) => err.into(),
            err => ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "module_invalid",
                err.to_string(),
            ),
        }
    }
}
