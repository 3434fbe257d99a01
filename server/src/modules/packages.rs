//! Drop-ins installed from an archive are kept in the database (`module_packages`:
//! the archive as uploaded and its digest), so that every instance on that database
//! runs them: each instance compares the table with its own modules folder in each
//! round of [`switch::follow`], unpacks and starts what another instance
//! installed, and removes what another instance removed. An instance started with an
//! empty modules folder gets the installed modules back the same way.
//!
//! A folder unpacked from a package holds [`MARKER`] with the package's digest; only
//! such folders are ever removed by following, so a module copied into the folder by
//! hand (this instance's alone) is left as it is.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
};

use gantry_sdk::ModuleSource;
use sha2::{Digest, Sha256};

use super::{install, ModuleRegistry};
use crate::db::Db;

/// The file in a module's folder that names the package it was unpacked from.
pub const MARKER: &str = ".gantry-package";

/// The digest that tells one package from another (SHA-256, hex).
pub fn digest(archive: &[u8]) -> String {
    hex::encode(Sha256::digest(archive))
}

/// Marks `folder` as unpacked from the package with `digest`.
pub fn mark(folder: &Path, digest: &str) -> std::io::Result<()> {
    std::fs::write(folder.join(MARKER), digest)
}

/// The digest of the package `folder` was unpacked from, if it was.
fn marked(folder: &Path) -> Option<String> {
    let text = std::fs::read_to_string(folder.join(MARKER)).ok()?;
    Some(text.trim().to_owned())
}

/// Keeps `archive` as module `name`'s package.
pub async fn keep(db: &Db, name: &str, digest: &str, archive: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO module_packages (module, digest, archive, installed_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (module) DO UPDATE SET digest = $2, archive = $3, installed_at = $4",
    )
    .bind(name)
    .bind(digest)
    .bind(archive)
    .bind(crate::accounts::now())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Forgets module `name`'s package: every other instance removes the module.
pub async fn forget(db: &Db, name: &str) {
    if let Err(err) = sqlx::query("DELETE FROM module_packages WHERE module = $1")
        .bind(name)
        .execute(&db.pool)
        .await
    {
        tracing::error!("module `{name}`: cannot forget its package: {err}");
    }
}

/// Removes here the modules whose package went or changed, and installs the packages
/// this instance lacks (nothing without a modules folder). A package that `failed`
/// here before is not tried again.
pub async fn follow_once(
    registry: &ModuleRegistry,
    db: &Db,
    failed: &mut HashSet<(String, String)>,
) {
    if registry.modules_dir.is_none() {
        return;
    }
    let packages: Vec<(String, String)> =
        match sqlx::query_as("SELECT module, digest FROM module_packages ORDER BY installed_at")
            .fetch_all(&db.pool)
            .await
        {
            Ok(packages) => packages,
            Err(err) => {
                tracing::warn!("cannot read the installed modules' packages: {err}");
                return;
            }
        };
    let wanted: HashMap<&str, &str> = packages
        .iter()
        .map(|(name, digest)| (name.as_str(), digest.as_str()))
        .collect();
    for entry in registry.entries() {
        let ModuleSource::DropIn { folder } = &entry.source else {
            continue;
        };
        let Some(digest) = marked(Path::new(folder)) else {
            continue;
        };
        if wanted.get(entry.name.as_str()) != Some(&digest.as_str()) {
            match install::remove_here(registry, &entry.name).await {
                Ok(()) => tracing::info!("module `{}`: removed on another instance", entry.name),
                Err(err) => tracing::warn!("module `{}`: cannot remove it: {err}", entry.name),
            }
        }
    }
    for (name, digest) in packages {
        let attempt = (name, digest);
        if registry.get(&attempt.0).is_some() || failed.contains(&attempt) {
            continue;
        }
        match install_here(registry, db, &attempt.0, &attempt.1).await {
            Ok(()) => tracing::info!("module `{}`: installed on another instance", attempt.0),
            Err(err) => {
                tracing::warn!(
                    "module `{}`: cannot install it as another instance did: {err}",
                    attempt.0
                );
                failed.insert(attempt);
            }
        }
    }
}

/// Installs module `name` from its package, when this instance still lacks it and
/// the package is still the one with `digest` (checked under the registry's
/// `installing` lock, which a removal holds too).
async fn install_here(
    registry: &ModuleRegistry,
    db: &Db,
    name: &str,
    digest: &str,
) -> Result<(), install::InstallError> {
    let _installing = registry.installing.lock().await;
    if registry.get(name).is_some() {
        return Ok(());
    }
    let archive: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT archive FROM module_packages WHERE module = $1 AND digest = $2")
            .bind(name)
            .bind(digest)
            .fetch_optional(&db.pool)
            .await
            .map_err(|err| install::InstallError::Io(std::io::Error::other(err.to_string())))?;
    let Some(archive) = archive else {
        return Ok(()); // Removed or replaced meanwhile: the next round sees.
    };
    install::unpack_and_start(registry, db, archive.into(), install::Kept::Already).await?;
    Ok(())
}
