//! Admitting a discovered module: its manifest checked against this host, then
//! against the modules already here (names, table prefixes, routes), and its files
//! found.

use std::sync::Arc;

use gantry_sdk::{validate_manifest, ModuleManifest};

use super::{dev_bundle_variable, ModuleEntry, ModuleRegistry, ModuleStep};
use crate::modules::{discovery::Candidate, ModuleError};

/// The host's tables: no module's table prefix may be the start of one (a module
/// `audit` would own `audit_log`). A test keeps the list in step with the core
/// migrations.
pub const HOST_TABLES: &[&str] = &[
    "_sqlx_migrations",
    "instance_settings",
    "users",
    "sessions",
    "audit_log",
    "secrets",
    "llm_connections",
    "llm_disabled_models",
    "chat_personas",
    "chat_conversations",
    "chat_messages",
    "chat_messages_fts",
    "chat_conversations_fts",
    "module_storage",
    "api_tokens",
    "module_disabled",
    "module_packages",
    "chat_knowledge",
    "chat_tool_questions",
    "knowledge_collections",
    "knowledge_documents",
    "knowledge_originals",
    "knowledge_chunks",
    "knowledge_chunks_fts",
];

impl ModuleRegistry {
    /// Validates `candidate` (its manifest, then against modules already admitted)
    /// and records it, valid or not.
    pub fn admit(&mut self, candidate: Candidate, host: &semver::Version) {
        let entry = self.checked(candidate, host, None);
        self.entries_vec().push(Arc::new(entry));
    }

    /// The entry `candidate` makes once checked against this host's version and the
    /// modules already here, to [`ModuleRegistry::add`] at runtime.
    pub(crate) fn admitted(&self, candidate: Candidate) -> ModuleEntry {
        self.checked(candidate, &self.host_version, None)
    }

    /// The entry `candidate` makes to take the place of module `replacing` (a
    /// module under development, read again): checked against the others.
    pub(crate) fn admitted_in_place_of(
        &self,
        candidate: Candidate,
        replacing: &str,
    ) -> ModuleEntry {
        self.checked(candidate, &self.host_version, Some(replacing))
    }

    fn checked(
        &self,
        candidate: Candidate,
        host: &semver::Version,
        replacing: Option<&str>,
    ) -> ModuleEntry {
        let mut entry = ModuleEntry::new(candidate.name, candidate.source, candidate.took);
        let module = match candidate.module {
            Ok(module) => module,
            Err(err) => {
                entry.fail(ModuleStep::Discovery, err);
                return entry;
            }
        };
        entry.manifest = Some(module.manifest.clone());
        entry.proxy = candidate.proxy;
        entry.dev_bundle = std::env::var(dev_bundle_variable(&entry.name))
            .ok()
            .filter(|url| !url.is_empty());
        if let Some(url) = &entry.dev_bundle {
            tracing::warn!(
                module = %entry.name,
                "dev mode: browsers load this module's bundle from {url} ({}), not the installed one",
                dev_bundle_variable(&entry.name)
            );
        }
        let checked = validate_manifest(&module.manifest, host)
            .and_then(|()| {
                crate::modules::tools::schema_problems(&module.manifest)
                    .into_iter()
                    .next()
                    .map_or(Ok(()), Err)
            })
            .map_err(ModuleError::from)
            .and_then(|()| self.check_clashes(&module.manifest, replacing))
            .and_then(|()| crate::modules::discovery::resolve_files(&module));
        match checked {
            Ok(files) => {
                entry.bundle = files.bundle;
                entry.static_dir = files.static_dir;
                entry.module = Some(Arc::new(module));
            }
            Err(err) => entry.fail(ModuleStep::Validation, err),
        }
        entry
    }

    /// Modules are checked one after another: an earlier module keeps its prefix,
    /// a later one that would share tables with it is refused.
    fn check_clashes(
        &self,
        manifest: &ModuleManifest,
        replacing: Option<&str>,
    ) -> Result<(), ModuleError> {
        let prefix = manifest.table_prefix();
        if let Some(table) = HOST_TABLES.iter().find(|t| t.starts_with(&prefix)) {
            return Err(ModuleError::PrefixCoversHostTable {
                module: manifest.name.clone(),
                prefix,
                table: (*table).to_owned(),
            });
        }
        let others = self.read();
        let others = others
            .iter()
            .filter(|e| e.module.is_some() && Some(e.name.as_str()) != replacing);
        for other in others {
            let Some(theirs) = &other.manifest else {
                continue;
            };
            if theirs.name == manifest.name {
                return Err(ModuleError::DuplicateName {
                    module: manifest.name.clone(),
                });
            }
            let their_prefix = theirs.table_prefix();
            if their_prefix.starts_with(&prefix) || prefix.starts_with(&their_prefix) {
                return Err(ModuleError::PrefixOverlaps {
                    module: manifest.name.clone(),
                    prefix,
                    other: theirs.name.clone(),
                    theirs: their_prefix,
                });
            }
            for item in &manifest.nav_items {
                if theirs.nav_items.iter().any(|n| n.route == item.route) {
                    return Err(ModuleError::RouteTaken {
                        module: manifest.name.clone(),
                        route: item.route.clone(),
                        other: theirs.name.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}
