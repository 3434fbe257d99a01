//! Module frontends written in Leptos: each is its own Cargo workspace (so its `csr`
//! Leptos never unifies with the host's `ssr`), built for wasm32 into the shared
//! target dir, then run through wasm-bindgen (and wasm-opt for release).

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};

use crate::{cmd, site};

/// A Leptos frontend crate.
pub struct LeptosFrontend {
    /// Its folder, from the workspace root.
    pub crate_dir: String,
    /// Its `[lib] name`: the WASM file and the JS glue are named after it.
    pub lib: String,
}

/// The in-tree modules' frontends: every `modules/<name>/frontend/Cargo.toml`. Each
/// is built into `modules/<name>/frontend/dist`, where its module serves it from.
pub fn modules() -> Result<Vec<LeptosFrontend>> {
    let root = cmd::workspace_root();
    let mut found = Vec::new();
    for entry in fs::read_dir(root.join("modules"))? {
        let crate_dir = entry?.path().join("frontend");
        if crate_dir.join("Cargo.toml").is_file() {
            found.push(LeptosFrontend::at(&crate_dir)?);
        }
    }
    found.sort_by(|a, b| a.crate_dir.cmp(&b.crate_dir));
    Ok(found)
}

/// The Leptos frontend of the drop-in module in `folder`: the crate in
/// `folder/frontend`, or the crate whose folder holds the module's (as in
/// `end2end/fixtures/leptos-counter/module`) when it builds a `cdylib`.
pub fn of_drop_in(folder: &Path) -> Result<Option<LeptosFrontend>> {
    let inside = folder.join("frontend");
    if inside.join("Cargo.toml").is_file() {
        return LeptosFrontend::at(&inside).map(Some);
    }
    let Some(around) = folder.parent() else {
        return Ok(None);
    };
    let manifest = around.join("Cargo.toml");
    if !manifest.is_file() {
        return Ok(None);
    }
    let toml = read_toml(&manifest)?;
    let cdylib = toml
        .get("lib")
        .and_then(|lib| lib.get("crate-type"))
        .and_then(|types| types.as_array())
        .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("cdylib")));
    if cdylib {
        LeptosFrontend::at(around).map(Some)
    } else {
        Ok(None)
    }
}

fn read_toml(manifest: &Path) -> Result<toml::Table> {
    fs::read_to_string(manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?
        .parse()
        .with_context(|| format!("{} is not TOML", manifest.display()))
}

impl LeptosFrontend {
    /// The crate in `crate_dir` (named from the workspace root when it lies there).
    pub fn at(crate_dir: &Path) -> Result<Self> {
        let manifest = crate_dir.join("Cargo.toml");
        let toml = read_toml(&manifest)?;
        let lib = toml
            .get("lib")
            .and_then(|lib| lib.get("name"))
            .or_else(|| toml.get("package").and_then(|p| p.get("name")))
            .and_then(|name| name.as_str())
            .with_context(|| format!("{} names no [lib] or package", manifest.display()))?
            .replace('-', "_");
        let crate_dir = match crate_dir.strip_prefix(cmd::workspace_root()) {
            Ok(relative) => relative.display().to_string(),
            Err(_) => crate_dir.display().to_string(),
        };
        Ok(LeptosFrontend { crate_dir, lib })
    }

    /// Its `Cargo.toml`, as an argument.
    pub fn manifest(&self) -> String {
        cmd::workspace_root()
            .join(&self.crate_dir)
            .join("Cargo.toml")
            .display()
            .to_string()
    }

    /// Builds it into its `dist/` folder, where a module's `module()` serves it
    /// from: `dist/static/pkg/` for the WASM and glue, and its `bundle/*` (the bundle
    /// that loads them) copied to `dist/`.
    pub fn build_dist(&self, profile: site::Profile) -> Result<()> {
        let crate_dir = cmd::workspace_root().join(&self.crate_dir);
        let dist = crate_dir.join("dist");
        let _ = fs::remove_dir_all(&dist);
        self.build(profile, &dist.join("static/pkg"))?;
        site::copy_dir(&crate_dir.join("bundle"), &dist)
    }

    /// Builds it and writes `<lib>.js` and `<lib>_bg.wasm` into `pkg`.
    pub fn build(&self, profile: site::Profile, pkg: &Path) -> Result<()> {
        let target = cmd::target_dir()?;
        let (cargo_profile, profile_dir) = match profile {
            site::Profile::Dev => ("dev", "debug"),
            site::Profile::Release => ("release", "release"),
        };
        cmd::step("wasm", &format!("{} (Leptos csr)", self.crate_dir));
        cmd::run(&mut cmd::cargo(&[
            "build",
            "--manifest-path",
            &self.manifest(),
            "--lib",
            "--target",
            site::WASM_TARGET,
            "--target-dir",
            &target.display().to_string(),
            "--profile",
            cargo_profile,
        ]))?;
        fs::create_dir_all(pkg)?;
        let wasm = target
            .join(site::WASM_TARGET)
            .join(profile_dir)
            .join(format!("{}.wasm", self.lib));
        let stamps = target.join("frontend-stamps");
        if built_from(&stamps, pkg, &self.lib, &wasm) {
            return Ok(());
        }
        wasm_bindgen_cli_support::Bindgen::new()
            .input_path(&wasm)
            .out_name(&self.lib)
            .web(true)?
            .typescript(false)
            .generate(pkg)
            .with_context(|| format!("wasm-bindgen failed on {}", wasm.display()))?;
        if profile == site::Profile::Release {
            site::wasm_opt(&pkg.join(format!("{}_bg.wasm", self.lib)))?;
        }
        record_build(&stamps, pkg, &self.lib, &wasm)
    }
}

/// Whether `pkg` holds what `wasm` gave already (as when `gantry dev` builds again
/// after a change elsewhere): the stamp in `stamps` names this very input file and
/// the output WASM as they are now. A debug and a release build of the same crate
/// write to the same `pkg` (`gantry dev` on a module a release build made), and a
/// module folder copied over brings its own `pkg`, so newer output alone proves
/// nothing.
fn built_from(stamps: &Path, pkg: &Path, lib: &str, wasm: &Path) -> bool {
    pkg.join(format!("{lib}.js")).is_file()
        && build_stamp(pkg, lib, wasm).is_some_and(|stamp| {
            fs::read_to_string(stamp_file(stamps, pkg)).is_ok_and(|recorded| recorded == stamp)
        })
}

/// Notes in `stamps` that `pkg` now holds what `wasm` gave.
fn record_build(stamps: &Path, pkg: &Path, lib: &str, wasm: &Path) -> Result<()> {
    let stamp = build_stamp(pkg, lib, wasm)
        .with_context(|| format!("cannot read the times of {} and its output", wasm.display()))?;
    fs::create_dir_all(stamps).with_context(|| format!("cannot create {}", stamps.display()))?;
    let file = stamp_file(stamps, pkg);
    fs::write(&file, stamp).with_context(|| format!("cannot write {}", file.display()))
}

/// The stamp of `pkg`'s build from `wasm`: both paths, the input's modification
/// time, and the output WASM's size and modification time.
fn build_stamp(pkg: &Path, lib: &str, wasm: &Path) -> Option<String> {
    let input = fs::metadata(wasm).and_then(|m| m.modified()).ok()?;
    let output = fs::metadata(pkg.join(format!("{lib}_bg.wasm"))).ok()?;
    Some(format!(
        "{}\n{}\n{input:?}\n{} {:?}",
        pkg.display(),
        wasm.display(),
        output.len(),
        output.modified().ok()?
    ))
}

/// Where `pkg`'s stamp is kept: in the target dir, not beside the files a module serves.
fn stamp_file(stamps: &Path, pkg: &Path) -> PathBuf {
    let name: String = pkg
        .display()
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    stamps.join(name)
}

/// Builds every in-tree module's frontend where its module serves it from.
pub fn build_modules(profile: site::Profile) -> Result<()> {
    for frontend in modules()? {
        frontend.build_dist(profile)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    #[test]
    fn only_the_recorded_input_as_it_was_counts_as_built() {
        let dir = std::env::temp_dir().join(format!("xtask-stamps-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let (stamps, pkg) = (dir.join("stamps"), dir.join("module/static/pkg"));
        let (release, debug) = (
            dir.join("release/counter.wasm"),
            dir.join("debug/counter.wasm"),
        );
        for file in [
            &release,
            &debug,
            &pkg.join("counter.js"),
            &pkg.join("counter_bg.wasm"),
        ] {
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, "x").unwrap();
        }
        assert!(
            !built_from(&stamps, &pkg, "counter", &debug),
            "nothing recorded yet"
        );

        // A debug build writes the module's files after the release input was linked.
        record_build(&stamps, &pkg, "counter", &debug).unwrap();
        assert!(built_from(&stamps, &pkg, "counter", &debug));
        assert!(
            !built_from(&stamps, &pkg, "counter", &release),
            "the debug build's files are not the release build's"
        );

        // The same input linked again.
        let later = SystemTime::now() + Duration::from_secs(5);
        fs::File::options()
            .write(true)
            .open(&debug)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert!(!built_from(&stamps, &pkg, "counter", &debug));

        record_build(&stamps, &pkg, "counter", &debug).unwrap();
        assert!(built_from(&stamps, &pkg, "counter", &debug));
        // A module folder copied over the output, with a build of its own.
        fs::write(pkg.join("counter_bg.wasm"), "another build").unwrap();
        assert!(!built_from(&stamps, &pkg, "counter", &debug));

        record_build(&stamps, &pkg, "counter", &debug).unwrap();
        fs::remove_file(pkg.join("counter.js")).unwrap();
        assert!(
            !built_from(&stamps, &pkg, "counter", &debug),
            "an output is missing"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
