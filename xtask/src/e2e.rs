//! The modules the browser suite runs Gantry with: the plain-JS ones as they are in
//! `end2end/fixtures/modules/`, and `counter`, whose Leptos frontend is built here.

use std::{fs, path::PathBuf};

use anyhow::{Context, Result};

use crate::{cmd, site};

/// The fixture crate of the Leptos test module (its own workspace).
pub const COUNTER_CRATE: &str = "end2end/fixtures/leptos-counter";

/// Builds and assembles every test module into `<target>/e2e-modules` (or
/// `e2e-modules-release`); returns it.
pub fn build_test_modules(profile: site::Profile) -> Result<PathBuf> {
    let root = cmd::workspace_root();
    let target = cmd::target_dir()?;
    let (out, cargo_profile, profile_dir) = match profile {
        site::Profile::Dev => (target.join("e2e-modules"), "dev", "debug"),
        site::Profile::Release => (target.join("e2e-modules-release"), "release", "release"),
    };
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out)?;
    site::copy_dir(&root.join("end2end/fixtures/modules"), &out)?;

    cmd::step("wasm", "the Leptos test module `counter` (csr)");
    let manifest = root.join(COUNTER_CRATE).join("Cargo.toml");
    cmd::run(&mut cmd::cargo(&[
        "build",
        "--manifest-path",
        &manifest.display().to_string(),
        "--lib",
        "--target",
        site::WASM_TARGET,
        "--target-dir",
        &target.display().to_string(),
        "--profile",
        cargo_profile,
    ]))?;
    let counter = out.join("counter");
    let pkg = counter.join("static/pkg");
    fs::create_dir_all(&pkg)?;
    site::copy_dir(&root.join(COUNTER_CRATE).join("module"), &counter)?;
    let wasm = target
        .join(site::WASM_TARGET)
        .join(profile_dir)
        .join("counter.wasm");
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm)
        .out_name("counter")
        .web(true)?
        .typescript(false)
        .generate(&pkg)
        .with_context(|| format!("wasm-bindgen failed on {}", wasm.display()))?;
    Ok(out)
}
