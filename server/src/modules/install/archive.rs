//! Unpacking a module's archive (`.zip` or `.tar.gz`) entry by entry, with the
//! `zip` and `tar`/`flate2` crates but our own loop over the entries: only plain
//! files and folders with relative paths that stay inside are written (no absolute
//! path, no `..`, no link of any kind), within a count and a size.

use std::{
    io::Read,
    path::{Component, Path, PathBuf},
};

use super::InstallError;

/// The most an archive's files may unpack to, and the most entries it may hold.
pub(super) const MAX_UNPACKED_BYTES: u64 = 128 * 1024 * 1024;
pub(super) const MAX_ENTRIES: usize = 2000;

/// Unpacks a `.zip` or `.tar.gz` (told apart by their first bytes) into `into`.
pub(super) fn unpack(archive: &[u8], into: &Path) -> Result<(), InstallError> {
    let mut budget = Budget::default();
    match archive {
        [b'P', b'K', 3, 4, ..] => unpack_zip(archive, into, &mut budget),
        [0x1f, 0x8b, ..] => unpack_tar_gz(archive, into, &mut budget),
        _ => Err(InstallError::UnknownFormat),
    }
}

/// What an archive may still unpack to.
#[derive(Default)]
struct Budget {
    entries: usize,
    bytes: u64,
}

impl Budget {
    fn take_entry(&mut self) -> Result<(), InstallError> {
        self.entries += 1;
        if self.entries > MAX_ENTRIES {
            return Err(InstallError::TooLarge);
        }
        Ok(())
    }

    /// Makes the folder `to`, or copies `from` into a new file at `to` (making its
    /// folder), within the budget.
    fn unpack_entry(
        &mut self,
        from: &mut impl Read,
        to: &Path,
        is_dir: bool,
    ) -> Result<(), InstallError> {
        if is_dir {
            std::fs::create_dir_all(to)?;
            return Ok(());
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        self.write(from, to)
    }

    /// Copies `from` into a new file at `to`, within the budget.
    fn write(&mut self, from: &mut impl Read, to: &Path) -> Result<(), InstallError> {
        let left = MAX_UNPACKED_BYTES - self.bytes;
        let mut file = std::fs::File::create(to)?;
        let written = std::io::copy(&mut from.take(left + 1), &mut file)?;
        self.bytes += written;
        if self.bytes > MAX_UNPACKED_BYTES {
            return Err(InstallError::TooLarge);
        }
        Ok(())
    }
}

/// Where `entry` goes under `into`: a relative path of plain names only.
fn safe_path(into: &Path, entry: &str) -> Result<PathBuf, InstallError> {
    let relative = Path::new(entry);
    let plain = !entry.contains('\\')
        && relative.components().next().is_some()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !plain {
        return Err(InstallError::Unsafe {
            entry: entry.to_owned(),
            why: "leaves the module's folder (an absolute path or `..`)",
        });
    }
    Ok(into.join(relative))
}

fn unpack_zip(archive: &[u8], into: &Path, budget: &mut Budget) -> Result<(), InstallError> {
    let unreadable = |err: zip::result::ZipError| InstallError::Unreadable(err.to_string());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).map_err(unreadable)?;
    for i in 0..zip.len() {
        budget.take_entry()?;
        let mut file = zip.by_index(i).map_err(unreadable)?;
        let name = file.name().map_err(unreadable)?.into_owned();
        if file.is_symlink() {
            return Err(InstallError::Unsafe {
                entry: name,
                why: "is a link",
            });
        }
        let is_dir = file.is_dir();
        budget.unpack_entry(&mut file, &safe_path(into, &name)?, is_dir)?;
    }
    Ok(())
}

fn unpack_tar_gz(archive: &[u8], into: &Path, budget: &mut Budget) -> Result<(), InstallError> {
    let unreadable = |err: std::io::Error| InstallError::Unreadable(err.to_string());
    // The decompressed stream itself is bounded: tar reads long-name and extension
    // entries whole, before any entry reaches the budget.
    let limit = MAX_UNPACKED_BYTES + MAX_ENTRIES as u64 * 64 * 1024;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive).take(limit));
    for entry in tar.entries().map_err(unreadable)? {
        budget.take_entry()?;
        let mut entry = entry.map_err(unreadable)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if !(kind.is_file() || kind.is_dir()) {
            return Err(InstallError::Unsafe {
                entry: name,
                why: "is a link or a special file",
            });
        }
        budget.unpack_entry(&mut entry, &safe_path(into, &name)?, kind.is_dir())?;
    }
    Ok(())
}
