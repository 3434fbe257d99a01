//! Finding modules: those linked into the binary and the drop-in folders.
//!
//! A drop-in module is a folder with a `gantry-module.toml`; every path in it is
//! relative to the folder and may not leave it.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use gantry_sdk::{Collection, Migrations, Module, NavItem, Tab};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{registry::Bundle, ModuleError, ModuleOptions};
use crate::modules::registry::ModuleSource;

/// The file that makes a folder a drop-in module.
pub const MANIFEST_FILE: &str = "gantry-module.toml";

/// A module found, before validation.
pub struct Candidate {
    /// The module's name, or its folder's when the manifest could not be read.
    pub name: String,
    pub source: ModuleSource,
    pub module: Result<Module, ModuleError>,
    pub proxy: Option<String>,
    pub took: Duration,
}

/// `gantry-module.toml`: the manifest's fields plus what only a drop-in has.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DropInManifest {
    name: String,
    display_name: Option<String>,
    version: String,
    #[serde(default)]
    description: String,
    router_prefix: Option<String>,
    host_version: Option<String>,
    frontend_bundle: Option<String>,
    static_dir: Option<String>,
    /// Folder of SQL migrations.
    migrations: Option<String>,
    #[serde(default)]
    nav_items: Vec<NavItem>,
    #[serde(default)]
    tabs: Vec<Tab>,
    /// Tables the host serves as JSON (declared data routes).
    #[serde(default)]
    collections: Vec<Collection>,
    /// Settings the host draws as a form and keeps.
    #[serde(default)]
    settings: Vec<gantry_sdk::Setting>,
    /// Modules this one needs, with version ranges.
    #[serde(default)]
    depends: std::collections::BTreeMap<String, String>,
    /// Tools Chat's model may call.
    #[serde(default)]
    tools: Vec<gantry_sdk::Tool>,
    backend: Option<Backend>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Backend {
    /// A sidecar's base URL: the host reverse-proxies the module's API to it.
    proxy: String,
}

/// Every module: `compiled` first, by name, then the drop-in folders, by name.
pub fn discover(options: &ModuleOptions, compiled: Vec<Module>) -> Vec<Candidate> {
    let mut compiled: Vec<Candidate> = compiled
        .into_iter()
        .map(|module| Candidate {
            name: module.manifest.name.clone(),
            source: ModuleSource::CompiledIn,
            module: Ok(module),
            proxy: None,
            took: Duration::ZERO,
        })
        .collect();
    compiled.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(dir) = &options.dir {
        compiled.extend(drop_ins(dir));
    }
    // A module under development, unless the modules folder holds it already.
    if let Some(folder) = &options.dev_module {
        let canonical = |p: &Path| p.canonicalize().ok();
        let in_modules_dir = options
            .dir
            .as_deref()
            .and_then(canonical)
            .is_some_and(|dir| folder.parent().and_then(canonical).as_ref() == Some(&dir));
        if !in_modules_dir {
            compiled.push(drop_in(folder));
        }
    }
    compiled
}

fn drop_ins(dir: &Path) -> Vec<Candidate> {
    let folders = match std::fs::read_dir(dir) {
        Ok(read) => read,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(err) => {
            tracing::error!("cannot read the modules folder `{}`: {err}", dir.display());
            return Vec::new();
        }
    };
    let mut folders: Vec<PathBuf> = folders
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        // `.installing-…` is a module being unpacked and checked, not one to load.
        .filter(|path| {
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            !hidden && path.join(MANIFEST_FILE).is_file()
        })
        .collect();
    folders.sort();
    folders.into_iter().map(|folder| drop_in(&folder)).collect()
}

/// Reads one drop-in folder.
pub fn drop_in(folder: &Path) -> Candidate {
    let started = Instant::now();
    let folder_name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parsed = std::fs::read_to_string(folder.join(MANIFEST_FILE))
        .map_err(|err| err.to_string())
        .and_then(|text| toml::from_str::<DropInManifest>(&text).map_err(|err| err.to_string()));
    let source = ModuleSource::DropIn {
        folder: folder.display().to_string(),
    };
    let manifest = match parsed {
        Ok(manifest) => manifest,
        Err(reason) => {
            return Candidate {
                name: folder_name.clone(),
                source,
                module: Err(ModuleError::ManifestUnreadable {
                    folder: folder_name,
                    reason: reason.trim().to_owned(),
                }),
                proxy: None,
                took: started.elapsed(),
            }
        }
    };
    let name = manifest.name.clone();
    let proxy = manifest.backend.map(|b| b.proxy);
    let mut module = Module::builder(&manifest.name, manifest.version)
        .description(manifest.description)
        .root(folder)
        .build();
    let m = &mut module.manifest;
    if let Some(display_name) = manifest.display_name {
        m.display_name = display_name;
    }
    if let Some(prefix) = manifest.router_prefix {
        m.router_prefix = prefix;
    }
    m.host_version = manifest.host_version;
    m.frontend_bundle = manifest.frontend_bundle;
    m.static_dir = manifest.static_dir;
    m.nav_items = manifest.nav_items;
    m.tabs = manifest.tabs;
    m.collections = manifest.collections;
    m.settings = manifest.settings;
    m.depends = manifest.depends;
    m.tools = manifest.tools;
    let module = match manifest.migrations {
        Some(dir) => inside(folder, &name, "migrations", &dir)
            .and_then(|path| {
                refuse_escaping_links(folder, &name, "migrations", &path)?;
                Ok(path)
            })
            .map(|path| {
                module.migrations = Some(Migrations::dir(path));
                module
            }),
        None => Ok(module),
    };
    let module = module.and_then(|module| {
        check_proxy(&name, proxy.as_deref())?;
        Ok(module)
    });
    Candidate {
        name,
        source,
        module,
        proxy,
        took: started.elapsed(),
    }
}

fn check_proxy(module: &str, proxy: Option<&str>) -> Result<(), ModuleError> {
    match proxy {
        Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => {
            Err(ModuleError::BadProxy {
                module: module.to_owned(),
                url: url.to_owned(),
            })
        }
        _ => Ok(()),
    }
}

/// A module's files, checked.
pub struct ModuleFiles {
    pub bundle: Option<Bundle>,
    pub static_dir: Option<PathBuf>,
}

/// Finds (and reads) the bundle and the static folder a module declares.
pub fn resolve_files(module: &Module) -> Result<ModuleFiles, ModuleError> {
    let name = &module.manifest.name;
    let root = module.root.clone().unwrap_or_default();
    let bundle = match &module.manifest.frontend_bundle {
        Some(path) => {
            let path = inside(&root, name, "frontend_bundle", path)?;
            let bytes: Arc<[u8]> = std::fs::read(&path)
                .map_err(|err| ModuleError::BadPath {
                    module: name.clone(),
                    field: "frontend_bundle",
                    path: path.display().to_string(),
                    problem: format!("cannot be read: {err}"),
                })?
                .into();
            let digest = Sha256::digest(&bytes);
            let hash = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            Some(Bundle { path, bytes, hash })
        }
        None => None,
    };
    let static_dir = match &module.manifest.static_dir {
        Some(dir) => {
            let dir = inside(&root, name, "static_dir", dir)?;
            if !dir.is_dir() {
                return Err(ModuleError::BadPath {
                    module: name.clone(),
                    field: "static_dir",
                    path: dir.display().to_string(),
                    problem: "is not a folder".into(),
                });
            }
            refuse_escaping_links(&root, name, "static_dir", &dir)?;
            Some(dir)
        }
        None => None,
    };
    Ok(ModuleFiles { bundle, static_dir })
}

/// Refuses `dir` when anything under it is a link that leads outside the module's
/// folder `root` (or nowhere).
fn refuse_escaping_links(
    root: &Path,
    module: &str,
    field: &'static str,
    dir: &Path,
) -> Result<(), ModuleError> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_symlink() {
                let inside = path
                    .canonicalize()
                    .is_ok_and(|target| target.starts_with(&root));
                if !inside {
                    return Err(ModuleError::BadPath {
                        module: module.to_owned(),
                        field,
                        path: path.display().to_string(),
                        problem: "is a link that leads outside the module's folder".into(),
                    });
                }
            } else if kind.is_dir() {
                pending.push(path);
            }
        }
    }
    Ok(())
}

/// `root/relative`, refused unless it exists and stays inside `root`.
fn inside(
    root: &Path,
    module: &str,
    field: &'static str,
    relative: &str,
) -> Result<PathBuf, ModuleError> {
    let bad = |problem: &str| ModuleError::BadPath {
        module: module.to_owned(),
        field,
        path: relative.to_owned(),
        problem: problem.to_owned(),
    };
    if Path::new(relative).is_absolute() {
        return Err(bad("must be relative to the module's folder"));
    }
    let root = root
        .canonicalize()
        .map_err(|_| bad("has no module folder to be relative to"))?;
    let path = root
        .join(relative)
        .canonicalize()
        .map_err(|_| bad("does not exist"))?;
    if !path.starts_with(&root) {
        return Err(bad("is outside the module's folder"));
    }
    Ok(path)
}
