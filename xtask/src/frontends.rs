//! Module frontends written in Leptos: each is its own Cargo workspace (so its `csr`
//! Leptos never unifies with the host's `ssr`), built for wasm32 into the shared
//! target dir, then run through wasm-bindgen (and wasm-opt for release).

use std::{fs, path::Path, process::Command};

use anyhow::{Context, Result};

use crate::{cmd, site, tools};

/// A Leptos frontend crate.
pub struct LeptosFrontend {
    /// Its folder, from the workspace root.
    pub crate_dir: &'static str,
    /// Its `[lib] name`: the WASM file and the JS glue are named after it.
    pub lib: &'static str,
}

/// The in-tree modules' frontends, with where their module expects the build.
pub const MODULES: &[(LeptosFrontend, &str)] = &[(
    LeptosFrontend {
        crate_dir: "modules/overlord/frontend",
        lib: "overlord",
    },
    "modules/overlord/frontend/dist",
)];

impl LeptosFrontend {
    /// Its `Cargo.toml`, as an argument.
    pub fn manifest(&self) -> String {
        cmd::workspace_root()
            .join(self.crate_dir)
            .join("Cargo.toml")
            .display()
            .to_string()
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
        wasm_bindgen_cli_support::Bindgen::new()
            .input_path(&wasm)
            .out_name(self.lib)
            .web(true)?
            .typescript(false)
            .generate(pkg)
            .with_context(|| format!("wasm-bindgen failed on {}", wasm.display()))?;
        if profile == site::Profile::Release {
            let bundle = pkg.join(format!("{}_bg.wasm", self.lib));
            cmd::step("wasm-opt", &bundle.display().to_string());
            cmd::run(
                Command::new(tools::wasm_opt())
                    .args(["-Oz", "--strip-debug", "--strip-producers"])
                    .args(tools::WASM_FEATURES)
                    .arg(&bundle)
                    .arg("-o")
                    .arg(&bundle),
            )?;
        }
        Ok(())
    }
}

/// Builds every in-tree module's frontend where its module serves it from:
/// `<dist>/static/pkg/` for the WASM and glue, `<dist>/<lib>.js` for the bundle.
pub fn build_modules(profile: site::Profile) -> Result<()> {
    let root = cmd::workspace_root();
    for (frontend, dist) in MODULES {
        let dist = root.join(dist);
        let _ = fs::remove_dir_all(&dist);
        frontend.build(profile, &dist.join("static/pkg"))?;
        site::copy_dir(&root.join(frontend.crate_dir).join("bundle"), &dist)?;
    }
    Ok(())
}
