//! Checking a manifest before the host accepts it, with errors that name the module
//! and the field.

use std::collections::HashSet;

use crate::ModuleManifest;

/// Paths the host owns: a module's nav route may be none of these nor lie under one
/// (except `/`, which is reserved only as itself).
pub const RESERVED_ROUTES: &[&str] = &[
    "/",
    "/knowledge",
    "/settings",
    "/admin",
    "/login",
    "/logout",
    "/setup",
    "/api",
    "/pkg",
    "/modules",
    "/healthz",
    "/static",
];

/// Why a module's manifest was refused.
///
/// ```
/// use gantry_sdk::{validate_manifest, ModuleManifest};
///
/// let manifest = ModuleManifest::new("Notes!", "0.1.0");
/// let err = validate_manifest(&manifest, &"0.1.0".parse().unwrap()).unwrap_err();
/// assert_eq!(err.field(), "name");
/// assert!(err.to_string().starts_with("module `Notes!`"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("module `{module}`: name must be lowercase letters, digits and `-`, starting with a letter, at most 40 characters")]
    InvalidName { module: String },
    #[error("module `{module}`: the name `{module}` is the host's own")]
    ReservedName { module: String },
    #[error("module `{module}`: display_name is empty")]
    EmptyDisplayName { module: String },
    #[error("module `{module}`: version `{version}` is not semver ({reason})")]
    InvalidVersion {
        module: String,
        version: String,
        reason: String,
    },
    #[error("module `{module}`: router_prefix must be `{expected}`, not `{prefix}`")]
    WrongRouterPrefix {
        module: String,
        prefix: String,
        expected: String,
    },
    #[error("module `{module}`: {field} id `{id}` must be lowercase letters, digits, `-` or `_`")]
    InvalidId {
        module: String,
        field: &'static str,
        id: String,
    },
    #[error("module `{module}`: {field} id `{id}` is used twice")]
    DuplicateId {
        module: String,
        field: &'static str,
        id: String,
    },
    #[error("module `{module}`: nav item `{id}` route `{route}` must be `/` followed by lowercase path segments")]
    InvalidRoute {
        module: String,
        id: String,
        route: String,
    },
    #[error(
        "module `{module}`: nav item `{id}` route `{route}` clashes with the host's `{reserved}`"
    )]
    ReservedRoute {
        module: String,
        id: String,
        route: String,
        reserved: &'static str,
    },
    #[error("module `{module}`: nav item `{id}` route `{route}` is used twice")]
    DuplicateRoute {
        module: String,
        id: String,
        route: String,
    },
    #[error("module `{module}`: tab `{id}` has no frontend_component")]
    MissingComponent { module: String, id: String },
    #[error("module `{module}`: {field} `{id}` names component `{component}` but the module has no frontend_bundle")]
    ComponentWithoutBundle {
        module: String,
        field: &'static str,
        id: String,
        component: String,
    },
    #[error("module `{module}`: host_version `{range}` is not a semver range ({reason})")]
    InvalidHostRange {
        module: String,
        range: String,
        reason: String,
    },
    #[error("module `{module}`: supports Gantry `{range}`, but this host is {host}")]
    IncompatibleHost {
        module: String,
        range: String,
        host: String,
    },
    #[error("module `{module}`: collection `{collection}`: {problem}")]
    InvalidCollection {
        module: String,
        collection: String,
        problem: String,
    },
    #[error("module `{module}`: depends on `{dependency}` with `{range}`: {problem}")]
    InvalidDependency {
        module: String,
        dependency: String,
        range: String,
        problem: String,
    },
    #[error("module `{module}`: tool `{tool}`: {problem}")]
    InvalidTool {
        module: String,
        tool: String,
        problem: String,
    },
    #[error("module `{module}`: setting `{key}`: {problem}")]
    InvalidSetting {
        module: String,
        key: String,
        problem: String,
    },
}

impl ManifestError {
    /// The module the error is about.
    ///
    /// ```
    /// # use gantry_sdk::{validate_manifest, ModuleManifest};
    /// let err = validate_manifest(&ModuleManifest::new("x", "one"), &"0.1.0".parse().unwrap()).unwrap_err();
    /// assert_eq!(err.module(), "x");
    /// ```
    pub fn module(&self) -> &str {
        match self {
            Self::InvalidName { module }
            | Self::ReservedName { module }
            | Self::EmptyDisplayName { module }
            | Self::InvalidVersion { module, .. }
            | Self::WrongRouterPrefix { module, .. }
            | Self::InvalidId { module, .. }
            | Self::DuplicateId { module, .. }
            | Self::InvalidRoute { module, .. }
            | Self::ReservedRoute { module, .. }
            | Self::DuplicateRoute { module, .. }
            | Self::MissingComponent { module, .. }
            | Self::ComponentWithoutBundle { module, .. }
            | Self::InvalidHostRange { module, .. }
            | Self::IncompatibleHost { module, .. }
            | Self::InvalidCollection { module, .. }
            | Self::InvalidSetting { module, .. }
            | Self::InvalidTool { module, .. }
            | Self::InvalidDependency { module, .. } => module,
        }
    }

    /// The manifest field at fault.
    ///
    /// ```
    /// # use gantry_sdk::{validate_manifest, ModuleManifest};
    /// let err = validate_manifest(&ModuleManifest::new("x", "one"), &"0.1.0".parse().unwrap()).unwrap_err();
    /// assert_eq!(err.field(), "version");
    /// ```
    pub fn field(&self) -> &'static str {
        match self {
            Self::InvalidName { .. } | Self::ReservedName { .. } => "name",
            Self::EmptyDisplayName { .. } => "display_name",
            Self::InvalidVersion { .. } => "version",
            Self::WrongRouterPrefix { .. } => "router_prefix",
            Self::InvalidId { field, .. } | Self::DuplicateId { field, .. } => field,
            Self::InvalidRoute { .. }
            | Self::ReservedRoute { .. }
            | Self::DuplicateRoute { .. } => "nav_items",
            Self::MissingComponent { .. } => "tabs",
            Self::ComponentWithoutBundle { .. } => "frontend_bundle",
            Self::InvalidHostRange { .. } | Self::IncompatibleHost { .. } => "host_version",
            Self::InvalidCollection { .. } => "collections",
            Self::InvalidSetting { .. } => "settings",
            Self::InvalidTool { .. } => "tools",
            Self::InvalidDependency { .. } => "depends",
        }
    }

    /// Whether the module is well-formed but made for other Gantry versions.
    ///
    /// ```
    /// # use gantry_sdk::{validate_manifest, ModuleManifest};
    /// let mut manifest = ModuleManifest::new("x", "0.1.0");
    /// manifest.host_version = Some(">=9".into());
    /// let err = validate_manifest(&manifest, &"0.1.0".parse().unwrap()).unwrap_err();
    /// assert!(err.is_incompatible());
    /// ```
    pub fn is_incompatible(&self) -> bool {
        matches!(self, Self::IncompatibleHost { .. })
    }
}

/// Checks every rule a manifest must follow on its own, against a host of version
/// `host`. Clashes between modules are the host's to find.
///
/// ```
/// use gantry_sdk::{validate_manifest, ModuleManifest, NavItem};
///
/// let mut manifest = ModuleManifest::new("notes", "0.1.0");
/// manifest.nav_items.push(NavItem::new("notes", "Notes", "/notes"));
/// assert!(validate_manifest(&manifest, &"0.1.0".parse().unwrap()).is_ok());
///
/// manifest.nav_items.push(NavItem::new("mine", "Mine", "/settings/mine"));
/// let err = validate_manifest(&manifest, &"0.1.0".parse().unwrap()).unwrap_err();
/// assert!(err.to_string().contains("clashes with the host's `/settings`"));
/// ```
pub fn validate_manifest(
    manifest: &ModuleManifest,
    host: &semver::Version,
) -> Result<(), ManifestError> {
    match manifest_problems(manifest, host).into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// Every rule the manifest breaks, in the order [`validate_manifest`] checks them
/// (for `gantry module check`, which reports them all).
///
/// ```
/// use gantry_sdk::{manifest_problems, ModuleManifest, NavItem};
///
/// let mut manifest = ModuleManifest::new("notes", "one");
/// manifest.nav_items.push(NavItem::new("Notes", "Notes", "/notes"));
/// let fields: Vec<_> = manifest_problems(&manifest, &"0.1.0".parse().unwrap())
///     .iter()
///     .map(|p| p.field())
///     .collect();
/// assert_eq!(fields, ["version", "nav_items"]);
/// ```
pub fn manifest_problems(manifest: &ModuleManifest, host: &semver::Version) -> Vec<ManifestError> {
    let mut problems = Vec::new();
    let module = || manifest.name.clone();
    if !is_module_name(&manifest.name) {
        problems.push(ManifestError::InvalidName { module: module() });
    }
    // `host` names the host's own entries in the audit trail (`AuditQuery::module`);
    // `chat`, `llm` and `knowledge` would own the prefixes of the host's Chat and
    // Knowledge Vault tables.
    if matches!(
        manifest.name.as_str(),
        "host" | "chat" | "llm" | "knowledge"
    ) {
        problems.push(ManifestError::ReservedName { module: module() });
    }
    if manifest.display_name.trim().is_empty() {
        problems.push(ManifestError::EmptyDisplayName { module: module() });
    }
    if let Err(err) = semver::Version::parse(&manifest.version) {
        problems.push(ManifestError::InvalidVersion {
            module: module(),
            version: manifest.version.clone(),
            reason: err.to_string(),
        });
    }
    let expected = ModuleManifest::router_prefix_for(&manifest.name);
    if manifest.router_prefix != expected {
        problems.push(ManifestError::WrongRouterPrefix {
            module: module(),
            prefix: manifest.router_prefix.clone(),
            expected,
        });
    }

    let mut ids = HashSet::new();
    let mut routes = HashSet::new();
    for item in &manifest.nav_items {
        problems.extend(check_id(manifest, "nav_items", &item.id, &mut ids).err());
        if !is_route(&item.route) {
            problems.push(ManifestError::InvalidRoute {
                module: module(),
                id: item.id.clone(),
                route: item.route.clone(),
            });
        } else if let Some(reserved) = reserved_route(&item.route) {
            problems.push(ManifestError::ReservedRoute {
                module: module(),
                id: item.id.clone(),
                route: item.route.clone(),
                reserved,
            });
        } else if !routes.insert(item.route.as_str()) {
            problems.push(ManifestError::DuplicateRoute {
                module: module(),
                id: item.id.clone(),
                route: item.route.clone(),
            });
        }
        problems
            .extend(check_bundle(manifest, "nav item", &item.id, &item.frontend_component).err());
    }

    let mut ids = HashSet::new();
    for tab in &manifest.tabs {
        problems.extend(check_id(manifest, "tabs", &tab.id, &mut ids).err());
        if tab.frontend_component.trim().is_empty() {
            problems.push(ManifestError::MissingComponent {
                module: module(),
                id: tab.id.clone(),
            });
        }
        problems.extend(check_bundle(manifest, "tab", &tab.id, &tab.frontend_component).err());
    }

    let mut names = HashSet::new();
    for collection in &manifest.collections {
        let problem = collection.problem(&manifest.name).or_else(|| {
            (!names.insert(collection.name.as_str())).then(|| "is declared twice".to_owned())
        });
        if let Some(problem) = problem {
            problems.push(ManifestError::InvalidCollection {
                module: module(),
                collection: collection.name.clone(),
                problem,
            });
        }
    }

    let mut keys = HashSet::new();
    for setting in &manifest.settings {
        let problem = setting.problem().or_else(|| {
            (!keys.insert(setting.key.as_str())).then(|| "is declared twice".to_owned())
        });
        if let Some(problem) = problem {
            problems.push(ManifestError::InvalidSetting {
                module: module(),
                key: setting.key.clone(),
                problem,
            });
        }
    }

    let mut tools = HashSet::new();
    for tool in &manifest.tools {
        let problem = tool.problem(&manifest.collections).or_else(|| {
            (!tools.insert(tool.name.as_str())).then(|| "is declared twice".to_owned())
        });
        if let Some(problem) = problem {
            problems.push(ManifestError::InvalidTool {
                module: module(),
                tool: tool.name.clone(),
                problem,
            });
        }
    }

    for (dependency, range) in &manifest.depends {
        let problem = if !is_module_name(dependency) {
            Some("that is not a module name".to_owned())
        } else if dependency == &manifest.name {
            Some("a module cannot depend on itself".to_owned())
        } else {
            semver::VersionReq::parse(range)
                .err()
                .map(|err| format!("not a semver range ({err})"))
        };
        if let Some(problem) = problem {
            problems.push(ManifestError::InvalidDependency {
                module: module(),
                dependency: dependency.clone(),
                range: range.clone(),
                problem,
            });
        }
    }

    if let Some(range) = &manifest.host_version {
        match semver::VersionReq::parse(range) {
            Err(err) => problems.push(ManifestError::InvalidHostRange {
                module: module(),
                range: range.clone(),
                reason: err.to_string(),
            }),
            Ok(req) if !req.matches(host) => problems.push(ManifestError::IncompatibleHost {
                module: module(),
                range: range.clone(),
                host: host.to_string(),
            }),
            Ok(_) => {}
        }
    }
    problems
}

fn check_id<'a>(
    manifest: &ModuleManifest,
    field: &'static str,
    id: &'a str,
    seen: &mut HashSet<&'a str>,
) -> Result<(), ManifestError> {
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(ManifestError::InvalidId {
            module: manifest.name.clone(),
            field,
            id: id.to_owned(),
        });
    }
    if !seen.insert(id) {
        return Err(ManifestError::DuplicateId {
            module: manifest.name.clone(),
            field,
            id: id.to_owned(),
        });
    }
    Ok(())
}

fn check_bundle(
    manifest: &ModuleManifest,
    field: &'static str,
    id: &str,
    component: &str,
) -> Result<(), ManifestError> {
    if !component.is_empty() && manifest.frontend_bundle.is_none() {
        return Err(ManifestError::ComponentWithoutBundle {
            module: manifest.name.clone(),
            field,
            id: id.to_owned(),
            component: component.to_owned(),
        });
    }
    Ok(())
}

/// Lowercase letters, digits and `-`, starting with a letter, at most 40 characters.
fn is_module_name(name: &str) -> bool {
    name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
}

/// `/` followed by one or more segments of lowercase letters, digits, `-` and `_`.
fn is_route(route: &str) -> bool {
    route.strip_prefix('/').is_some_and(|rest| {
        !rest.is_empty()
            && rest.split('/').all(|segment| {
                !segment.is_empty()
                    && segment.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                    })
            })
    })
}

fn reserved_route(route: &str) -> Option<&'static str> {
    RESERVED_ROUTES.iter().copied().find(|reserved| {
        route == *reserved
            || (*reserved != "/"
                && route
                    .strip_prefix(reserved)
                    .is_some_and(|rest| rest.starts_with('/')))
    })
}

#[cfg(test)]
mod tests;
