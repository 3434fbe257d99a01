//! `gantry module new`: writes a working module from templates (`src/scaffold/`): a
//! plain-JS drop-in folder, or a compiled-in crate with a Leptos frontend.
//! (`gantry module check` is `module_check.rs`.)

use std::{
    fmt::Write as _,
    path::{Component, Path, PathBuf},
};

use anyhow::{bail, Context, Result};
use gantry_sdk::{manifest_problems, ModuleManifest};

/// What kind of module `new` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A drop-in folder: manifest, plain-JS bundle, migrations, a collection as API.
    Js,
    /// A `gantry-mod-<name>` crate with a router, migrations and a Leptos frontend.
    Leptos,
}

/// The files of each kind, with `{{…}}` placeholders; both get [`MIGRATION_FILES`].
const JS_FILES: &[(&str, &str)] = &[
    (
        "gantry-module.toml",
        include_str!("scaffold/js_manifest.toml"),
    ),
    ("index.js", include_str!("scaffold/js_index.js")),
];
const LEPTOS_FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("scaffold/leptos_cargo.toml")),
    ("src/lib.rs", include_str!("scaffold/leptos_lib.rs")),
    (
        "frontend/Cargo.toml",
        include_str!("scaffold/leptos_frontend_cargo.toml"),
    ),
    (
        "frontend/src/lib.rs",
        include_str!("scaffold/leptos_frontend_lib.rs"),
    ),
    (
        "frontend/bundle/{{lib}}.js",
        include_str!("scaffold/leptos_bundle.js"),
    ),
];
const MIGRATION_FILES: &[(&str, &str)] = &[
    (
        "migrations/sqlite/0001_items.up.sql",
        include_str!("scaffold/sqlite_up.sql"),
    ),
    (
        "migrations/sqlite/0001_items.down.sql",
        include_str!("scaffold/down.sql"),
    ),
    (
        "migrations/postgres/0001_items.up.sql",
        include_str!("scaffold/postgres_up.sql"),
    ),
    (
        "migrations/postgres/0001_items.down.sql",
        include_str!("scaffold/down.sql"),
    ),
];

/// Writes module `name` of `kind` into `parent/<name>`; returns what to print.
pub fn new(name: &str, kind: Kind, parent: &Path) -> Result<String> {
    if let Some(problem) = manifest_problems(&ModuleManifest::new(name, "0.1.0"), &host_version())
        .into_iter()
        .next()
    {
        bail!("{problem}");
    }
    let dest = parent.join(name);
    if dest.exists() {
        bail!(
            "`{}` exists already; choose another name or folder",
            dest.display()
        );
    }
    std::fs::create_dir_all(&dest)
        .with_context(|| format!("cannot create `{}`", dest.display()))?;
    let dest = dest.canonicalize()?;
    let snake = name.replace('-', "_");
    let display = name
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ");
    let sdk = sdk_dir();
    let values = [
        ("{{name}}", name.to_owned()),
        ("{{display}}", display),
        ("{{table}}", snake.clone()),
        ("{{lib}}", snake.clone()),
        ("{{crate_name}}", snake),
        ("{{sdk}}", relative(&sdk, &dest)),
        (
            "{{sdk_from_frontend}}",
            format!("../{}", relative(&sdk, &dest)),
        ),
        // A JS module's items are a collection with owners; a Leptos module's router
        // keeps its own.
        (
            "{{owner_column}}",
            match kind {
                Kind::Js => "\n    owner_id   TEXT,".to_owned(),
                Kind::Leptos => String::new(),
            },
        ),
    ];
    let fill = |text: &str| {
        values.iter().fold(text.to_owned(), |text, (key, value)| {
            text.replace(key, value)
        })
    };
    let files = match kind {
        Kind::Js => JS_FILES,
        Kind::Leptos => LEPTOS_FILES,
    };
    for (path, text) in files.iter().chain(MIGRATION_FILES) {
        let path = dest.join(fill(path));
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("cannot create `{}`", folder.display()))?;
        }
        std::fs::write(&path, fill(text))
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    let mut out = format!("created module `{name}` in {}\n", dest.display());
    match kind {
        Kind::Js => {
            let _ = writeln!(
                out,
                "it is a drop-in: develop it with `gantry dev {}` (each save taken in at once); \
                 in Gantry's modules folder it is discovered at the next start or by Rescan \
                 (`gantry module check {}` first)",
                dest.display(),
                dest.display()
            );
        }
        Kind::Leptos => {
            let _ = writeln!(
                out,
                "to compile it in: add `gantry-mod-{name} = {{ path = \"…/{name}\" }}` to \
                 server/Cargo.toml; `cargo xtask build` builds modules/*/frontend into frontend/dist"
            );
        }
    }
    Ok(out)
}

/// The `gantry-sdk` folder of the source this binary was built from.
fn sdk_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gantry-sdk");
    dir.canonicalize().unwrap_or(dir)
}

/// `target` as a path from `from` when both lie under a common folder, else absolute.
/// Both exist (so they are canonical).
fn relative(target: &Path, from: &Path) -> String {
    let parts = |p: &Path| -> Vec<std::ffi::OsString> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_owned()),
                _ => None,
            })
            .collect()
    };
    let (to, from) = (parts(target), parts(from));
    let common = to.iter().zip(&from).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.display().to_string();
    }
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for part in &to[common..] {
        path.push(part);
    }
    path.display().to_string()
}

/// This host's version, which modules' `host_version` must admit.
pub(crate) fn host_version() -> semver::Version {
    env!("CARGO_PKG_VERSION")
        .parse()
        .expect("the host's version is semver")
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn paths_are_relative_when_they_share_a_root() {
        assert_eq!(
            relative(Path::new("/a/b/sdk"), Path::new("/a/modules/x")),
            "../../b/sdk"
        );
        assert_eq!(
            relative(Path::new("/srv/sdk"), Path::new("/home/x")),
            "/srv/sdk"
        );
    }
}
