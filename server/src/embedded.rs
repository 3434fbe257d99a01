//! What a release binary carries inside: the built site (used when `--site-root` is
//! not given) and compiled-in modules' frontends. They are written to the data dir
//! at start-up and served from there like any folder, so deploying Gantry is one
//! file plus a data dir.
//!
//! The site carried is the one `cargo xtask` built for the profile in the target
//! dir (`site-release` or `site`), or the folder `GANTRY_EMBED_SITE` names at build
//! time (`build.rs`); cargo builds the server after the site. Release builds carry
//! the files; debug builds read them from that folder at run time, unless the
//! `embed` feature is on (the browser suite's binary, which `cargo xtask test` also
//! runs from an empty folder).

use std::{
    borrow::Cow,
    io,
    path::{Component, Path, PathBuf},
};

use sha2::{Digest, Sha256};

#[derive(rust_embed::RustEmbed)]
#[folder = "$GANTRY_EMBED_SITE"]
#[allow_missing = true]
struct EmbeddedSite;

/// Files by their `/`-separated path.
pub type Files = Vec<(String, Cow<'static, [u8]>)>;

/// Writes the site this binary carries under `<data_dir>/built-in/site/`; its folder, or
/// `None` when the binary carries none.
pub fn unpack_site(data_dir: &Path) -> io::Result<Option<PathBuf>> {
    let mut fingerprint = Sha256::new();
    let mut files = Files::new();
    for path in EmbeddedSite::iter() {
        if let Some(file) = EmbeddedSite::get(&path) {
            // Each file's hash is computed when the binary is built.
            fingerprint.update(path.as_bytes());
            fingerprint.update(file.metadata.sha256_hash());
            files.push((path.into_owned(), file.data));
        }
    }
    if files.is_empty() {
        return Ok(None);
    }
    let name = hex::encode(&fingerprint.finalize()[..8]);
    unpack(&data_dir.join("built-in").join("site"), &name, &files).map(Some)
}

/// Writes a compiled-in module's `files` under `<parent>/<module>/`; the folder.
pub fn unpack_module(parent: &Path, module: &str, files: &Files) -> io::Result<PathBuf> {
    let mut fingerprint = Sha256::new();
    for (path, data) in files {
        fingerprint.update(path.as_bytes());
        fingerprint.update((data.len() as u64).to_le_bytes());
        fingerprint.update(data);
    }
    let name = hex::encode(&fingerprint.finalize()[..8]);
    unpack(&parent.join(module), &name, files)
}

/// Writes `files` into `<parent>/<name>` (`name` says what they contain, so a
/// folder already there is kept as it is), then removes the folders of earlier
/// contents. Written beside first and renamed, so a folder is never half there.
fn unpack(parent: &Path, name: &str, files: &Files) -> io::Result<PathBuf> {
    let dir = parent.join(name);
    if !dir.is_dir() {
        let partial = parent.join(format!(".{name}.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&partial);
        for (path, data) in files {
            let relative = Path::new(path);
            if !relative
                .components()
                .all(|part| matches!(part, Component::Normal(_)))
            {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a built-in file's path `{path}` leaves its folder"),
                ));
            }
            let target = partial.join(relative);
            if let Some(folder) = target.parent() {
                std::fs::create_dir_all(folder)?;
            }
            std::fs::write(&target, data)?;
        }
        if let Err(err) = std::fs::rename(&partial, &dir) {
            let _ = std::fs::remove_dir_all(&partial);
            if !dir.is_dir() {
                return Err(err);
            }
        }
    }
    for entry in std::fs::read_dir(parent)?.flatten() {
        if entry.file_name() != name {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(content: &'static [u8]) -> Files {
        vec![
            ("index.js".into(), Cow::Borrowed(content)),
            (
                "static/pkg/a.wasm".into(),
                Cow::Borrowed(b"wasm".as_slice()),
            ),
        ]
    }

    #[test]
    fn files_are_written_once_per_content_and_old_ones_removed() {
        let data = tempfile::tempdir().unwrap();
        let first = unpack_module(data.path(), "m", &files(b"one")).unwrap();
        assert_eq!(std::fs::read(first.join("index.js")).unwrap(), b"one");
        assert_eq!(
            std::fs::read(first.join("static/pkg/a.wasm")).unwrap(),
            b"wasm"
        );
        assert_eq!(
            unpack_module(data.path(), "m", &files(b"one")).unwrap(),
            first
        );
        let second = unpack_module(data.path(), "m", &files(b"two")).unwrap();
        assert_ne!(second, first);
        assert!(!first.exists(), "the earlier contents are gone");
        assert_eq!(std::fs::read_dir(data.path().join("m")).unwrap().count(), 1);
    }

    #[test]
    fn a_path_leaving_the_folder_is_refused() {
        let data = tempfile::tempdir().unwrap();
        let bad = vec![("../escape.js".to_owned(), Cow::Borrowed(b"x".as_slice()))];
        assert!(unpack_module(data.path(), "m", &bad).is_err());
        assert!(!data.path().join("escape.js").exists());
    }
}
