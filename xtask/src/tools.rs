//! Installing what the build and the tests need, each only when missing.
//!
//! Everything comes from the package registries this machine reaches: rustup's wasm
//! target, npm packages pinned by lock files (Playwright, binaryen's `wasm-opt`) and
//! Debian's Chromium. Nothing downloads its own binaries (Playwright's browser
//! download is switched off).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Result};

use crate::{cmd, site};

/// Debian's Chromium, which the Playwright suite drives.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// WebAssembly features current rustc emits, which `wasm-opt` must accept.
pub const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The wasm32 target, plus `wasm-opt` for release builds.
pub fn ensure_build_tools(profile: site::Profile) -> Result<()> {
    ensure_wasm_target()?;
    if profile == site::Profile::Release {
        ensure_npm_packages(&cmd::workspace_root().join("xtask/tools"))?;
    }
    Ok(())
}

/// rustfmt and clippy, the Playwright packages and Debian's Chromium.
pub fn ensure_browser_test_tools() -> Result<()> {
    ensure_rust_components()?;
    ensure_npm_packages(&cmd::workspace_root().join("end2end"))?;
    ensure_chromium()?;
    ensure_postgres()
}

/// Debian's PostgreSQL, for the suite's Gantry on PostgreSQL.
fn ensure_postgres() -> Result<()> {
    if crate::postgres::bin_dir().is_some() {
        return Ok(());
    }
    apt_install(&["postgresql"])
}

/// `wasm-opt` from the npm package `binaryen` (pinned in `xtask/tools`).
pub fn wasm_opt() -> PathBuf {
    cmd::workspace_root().join("xtask/tools/node_modules/.bin/wasm-opt")
}

fn ensure_wasm_target() -> Result<()> {
    let installed = cmd::output(Command::new("rustup").args(["target", "list", "--installed"]))
        .unwrap_or_default();
    if installed.lines().any(|t| t.trim() == site::WASM_TARGET) {
        return Ok(());
    }
    cmd::step("install", &format!("rust target {}", site::WASM_TARGET));
    cmd::run(Command::new("rustup").args(["target", "add", site::WASM_TARGET]))
}

fn ensure_rust_components() -> Result<()> {
    for (component, probe) in [("rustfmt", "fmt"), ("clippy", "clippy")] {
        if cmd::output(&mut cmd::cargo(&[probe, "--version"])).is_none() {
            cmd::step("install", &format!("rust component {component}"));
            cmd::run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

/// `npm ci` in `dir` unless its `node_modules` already matches the lock file.
fn ensure_npm_packages(dir: &Path) -> Result<()> {
    ensure_npm()?;
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (modified(&lock), modified(&installed)) {
        (Some(lock), Some(installed)) => installed >= lock,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    cmd::step("install", &format!("npm packages in {}", dir.display()));
    cmd::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
    )
}

fn ensure_npm() -> Result<()> {
    if cmd::output(Command::new("npm").arg("--version")).is_some() {
        return Ok(());
    }
    apt_install(&["nodejs", "npm"])
}

fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    apt_install(&["chromium"])
}

/// Installs Debian packages, as root or through sudo.
fn apt_install(packages: &[&str]) -> Result<()> {
    cmd::step(
        "install",
        &format!("Debian packages: {}", packages.join(" ")),
    );
    let is_root = cmd::output(Command::new("id").arg("-u")).is_some_and(|id| id.trim() == "0");
    let apt = |args: &[&str]| {
        let mut command = if is_root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    if !is_root && cmd::output(Command::new("sudo").arg("-n").arg("true")).is_none() {
        bail!(
            "{} missing; install them with `sudo apt-get install {}`",
            packages.join(", "),
            packages.join(" ")
        );
    }
    cmd::run(&mut apt(&["update", "-q"]))?;
    let mut install = apt(&["install", "-y", "-q"]);
    install.args(packages);
    cmd::run(&mut install)
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}
