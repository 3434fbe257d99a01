//! Modules that need other modules (`depends = { overlord = ">=0.1, <0.2" }`): the
//! order they migrate and start in, and which cannot run because what they need is
//! missing, of another version, disabled, failed, or in a cycle with them.

use std::collections::{BTreeMap, BTreeSet};

use super::{registry::ModuleEntry, ModuleError, ModuleRegistry, ModuleState, ModuleStep};

/// Why a dependency does not do.
fn unusable(entry: &ModuleEntry) -> Option<String> {
    match entry.state {
        ModuleState::Disabled => Some("which is disabled".into()),
        ModuleState::Invalid | ModuleState::Incompatible | ModuleState::Failed => {
            Some(format!("which is {}", state_word(entry.state)))
        }
        _ => None,
    }
}

fn state_word(state: ModuleState) -> String {
    format!("{state:?}").to_lowercase()
}

/// The first thing `entry` needs that `others` cannot give it: a module that is not
/// there, of a version outside the range, or not usable (disabled, failed, …).
pub fn missing(entry: &ModuleEntry, others: &[std::sync::Arc<ModuleEntry>]) -> Option<ModuleError> {
    let manifest = entry.manifest.as_ref()?;
    for (name, range) in &manifest.depends {
        let why = match others.iter().find(|o| &o.name == name) {
            None => Some("which is not installed".to_owned()),
            Some(other) => {
                let version_ok = semver::VersionReq::parse(range)
                    .ok()
                    .zip(semver::Version::parse(other.version()).ok())
                    .is_some_and(|(req, version)| req.matches(&version));
                if version_ok {
                    unusable(other)
                } else {
                    Some(format!("but `{name}` is {}", other.version()))
                }
            }
        };
        if let Some(why) = why {
            return Some(ModuleError::DependencyUnmet {
                module: entry.name.clone(),
                dependency: name.clone(),
                range: range.clone(),
                why,
            });
        }
    }
    None
}

/// Fails (as `incompatible`) every module whose dependencies are unmet or in a
/// cycle, then returns every module's name in an order where each comes after
/// what it needs.
pub fn start_order(registry: &mut ModuleRegistry) -> Vec<String> {
    // Unmet dependencies, until no more fail (a module failing takes those that
    // need it along).
    loop {
        let snapshot = registry.entries();
        let mut failed_any = false;
        for entry in registry.entries_mut() {
            if entry.state != ModuleState::Discovered {
                continue;
            }
            if let Some(err) = missing(entry, &snapshot) {
                entry.fail(ModuleStep::Dependencies, err);
                failed_any = true;
            }
        }
        if !failed_any {
            break;
        }
    }
    // Kahn's algorithm over the modules still to start; what is left is in a cycle
    // or waits on one.
    let snapshot = registry.entries();
    let needs: BTreeMap<&str, BTreeSet<&str>> = snapshot
        .iter()
        .filter(|e| e.state == ModuleState::Discovered)
        .map(|e| {
            let deps = e
                .manifest
                .iter()
                .flat_map(|m| m.depends.keys())
                .map(String::as_str)
                .collect();
            (e.name.as_str(), deps)
        })
        .collect();
    let mut order: Vec<String> = Vec::new();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    loop {
        let ready: Vec<&str> = needs
            .iter()
            .filter(|(name, deps)| {
                !placed.contains(*name)
                    && deps
                        .iter()
                        .all(|d| placed.contains(d) || !needs.contains_key(d))
            })
            .map(|(name, _)| *name)
            .collect();
        if ready.is_empty() {
            break;
        }
        for name in ready {
            placed.insert(name);
            order.push(name.to_owned());
        }
    }
    let cyclic: Vec<String> = needs
        .keys()
        .filter(|n| !placed.contains(*n))
        .map(|n| (*n).to_owned())
        .collect();
    for name in &cyclic {
        let cycle = cycle_through(name, &needs);
        if let Some(entry) = registry.entries_mut().find(|e| &e.name == name) {
            entry.fail(
                ModuleStep::Dependencies,
                ModuleError::DependencyCycle {
                    module: name.clone(),
                    cycle,
                },
            );
        }
    }
    // The rest (not started anyway) keep their places after.
    for entry in registry.entries() {
        if !order.contains(&entry.name) {
            order.push(entry.name.clone());
        }
    }
    order
}

/// The cycle `start` is in or leads to, as `a → b → a`.
fn cycle_through(start: &str, needs: &BTreeMap<&str, BTreeSet<&str>>) -> String {
    let mut path: Vec<&str> = vec![start];
    let mut at = start;
    loop {
        let Some(next) = needs
            .get(at)
            .and_then(|deps| deps.iter().find(|d| needs.contains_key(*d)))
        else {
            return path.join(" → ");
        };
        if let Some(i) = path.iter().position(|p| p == next) {
            let mut cycle = path[i..].to_vec();
            cycle.push(next);
            return cycle.join(" → ");
        }
        path.push(next);
        at = next;
    }
}

/// The modules that need `name`, directly or through others, that are not disabled:
/// those that must stop before it does.
pub fn dependents(name: &str, entries: &[std::sync::Arc<ModuleEntry>]) -> Vec<String> {
    let on: Vec<(&str, &BTreeMap<String, String>)> = entries
        .iter()
        .filter(|e| e.state != ModuleState::Disabled)
        .filter_map(|e| Some((e.name.as_str(), &e.manifest.as_ref()?.depends)))
        .collect();
    dependents_among(name, &on)
}

/// Of `modules` (each name with what it depends on), those that need `name`,
/// directly or through others; each one found after those it needs.
pub fn dependents_among(name: &str, modules: &[(&str, &BTreeMap<String, String>)]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut frontier = vec![name.to_owned()];
    while let Some(current) = frontier.pop() {
        for (module, depends) in modules {
            if depends.contains_key(&current)
                && !found.iter().any(|f| f == module)
                && *module != name
            {
                found.push((*module).to_owned());
                frontier.push((*module).to_owned());
            }
        }
    }
    found
}
