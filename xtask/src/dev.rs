//! `cargo xtask dev FOLDER [-- ARGS]`: Gantry with one drop-in module under
//! development (`gantry dev FOLDER`). When the module has a Leptos frontend, `gantry
//! dev` builds it before each reading of the module by running this binary's
//! `frontend` task, so a saved change to the crate reaches the open page.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::{cmd, frontends, site};

/// Builds the host, then runs `gantry dev FOLDER` with `serve_args` in the foreground.
pub fn dev(folder: &Path, serve_args: &[String]) -> Result<()> {
    let folder = folder
        .canonicalize()
        .with_context(|| format!("no module folder `{}`", folder.display()))?;
    crate::tools::ensure_build_tools(site::Profile::Dev)?;
    let built = site::build_all(site::Profile::Dev)?;
    let mut gantry = crate::local_gantry(&built);
    gantry.arg("dev").arg(&folder);
    if let Some(frontend) = frontends::of_drop_in(&folder)? {
        let crate_dir = cmd::workspace_root().join(&frontend.crate_dir);
        gantry
            .arg("--dev-build")
            .arg(build_command(&crate_dir, &folder)?);
        if !crate_dir.starts_with(&folder) {
            gantry.arg("--dev-watch").arg(&crate_dir);
        }
    }
    gantry.args(serve_args);
    cmd::step(
        "dev",
        &format!(
            "Gantry with `{}` under development on http://127.0.0.1:3000 (Ctrl-C stops it)",
            folder.display()
        ),
    );
    cmd::run(&mut gantry)
}

/// The command that builds the Leptos crate in `crate_dir` into the module's
/// `static/pkg` (where its bundle loads the WASM from).
fn build_command(crate_dir: &Path, folder: &Path) -> Result<String> {
    let xtask = std::env::current_exe().context("cannot find the xtask binary")?;
    Ok(format!(
        "{} frontend {} {}",
        quoted(&xtask),
        quoted(crate_dir),
        quoted(&folder.join("static/pkg"))
    ))
}

/// `cargo xtask frontend CRATE OUT`: builds the Leptos crate in `crate_dir` (the
/// dev profile) and writes its WASM and glue into `out`.
pub fn build_frontend(crate_dir: &Path, out: &Path) -> Result<()> {
    frontends::LeptosFrontend::at(crate_dir)?.build(site::Profile::Dev, out)
}

/// `path` as one `sh` word.
fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// The folders a `frontend` task's arguments name.
pub fn frontend_args(args: &[String]) -> Option<(PathBuf, PathBuf)> {
    match args {
        [crate_dir, out] => Some((crate_dir.into(), out.into())),
        _ => None,
    }
}
