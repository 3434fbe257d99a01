//! Building the site (hydrate WASM + JS glue + stylesheet + public assets) and the server.
//!
//! The pipeline, without cargo-leptos: cargo builds `app` for wasm32 with `hydrate`
//! (linked with relocations), `wasm_split_cli_support` cuts the lazy routes' code out
//! into chunks (`pkg/split_*.wasm`, `pkg/chunk_*.wasm`, with their loader and the
//! manifest the server reads to preload them), `wasm-bindgen` (linked in as a
//! library, so no CLI to install) writes `pkg/gantry.js` and `pkg/gantry_bg.wasm` from
//! the main part, release builds put every part through `wasm-opt`, `style/` is
//! concatenated into `pkg/gantry.css`, and `public/` is copied to the root.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{anyhow, Context, Result};

use crate::{cmd, tools};

/// The browser's compilation target.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Name of the generated JS/WASM files (the server's `OUTPUT_NAME` must agree).
pub const OUTPUT_NAME: &str = "gantry";
/// Stylesheets in the order they are concatenated: tokens first.
const STYLES: &[&str] = &["style/tokens.css", "style/main.css", "style/knowledge.css"];
/// The chunk loader's name, relative to `pkg/`: Leptos's hydration script looks for
/// exactly this file.
const SPLIT_LOADER: &str = "./__wasm_split.______________________.js";
/// Which chunks each lazy part needs, read by the server to preload them.
const SPLIT_MANIFEST: &str = "__wasm_split_manifest.json";

/// Debug builds for iterating and tests, optimised ones for running for real.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Dev,
    Release,
}

/// Where a build put its outputs.
pub struct Built {
    /// The folder `gantry serve --site-root` takes.
    pub site_root: PathBuf,
    pub server_bin: PathBuf,
}

/// Builds the site, the in-tree modules' frontends, then the server.
pub fn build_all(profile: Profile) -> Result<Built> {
    let site_root = build_site(profile)?;
    crate::frontends::build_modules(profile)?;
    let server_bin = build_server(profile)?;
    Ok(Built {
        site_root,
        server_bin,
    })
}

/// Builds everything the browser loads into `<target>/site` (or `site-release`).
pub fn build_site(profile: Profile) -> Result<PathBuf> {
    let target = cmd::target_dir()?;
    let (cargo_profile, site_name) = match profile {
        Profile::Dev => ("dev", "site"),
        Profile::Release => ("wasm-release", "site-release"),
    };
    cmd::step(
        "wasm",
        &format!("app (hydrate) for {WASM_TARGET}, profile {cargo_profile}"),
    );
    // `rustc` rather than `build` so that only `app` is linked with relocations (the
    // splitter needs them); its dependencies keep the flags every other build uses.
    cmd::run(&mut cmd::cargo(&[
        "rustc",
        "-p",
        "app",
        "--lib",
        "--crate-type",
        "cdylib",
        "--target",
        WASM_TARGET,
        "--no-default-features",
        "--features",
        "hydrate",
        "--profile",
        cargo_profile,
        "--",
        "-C",
        "link-arg=--emit-relocs",
    ]))?;
    let profile_dir = if profile == Profile::Dev {
        "debug"
    } else {
        cargo_profile
    };
    let wasm = target.join(WASM_TARGET).join(profile_dir).join("app.wasm");

    let site_root = target.join(site_name);
    let pkg = site_root.join("pkg");
    fs::create_dir_all(&pkg).with_context(|| format!("cannot create {}", pkg.display()))?;

    let main_part = wasm.with_file_name("app_main.wasm");
    let chunks = split(&wasm, &main_part, &pkg)?;

    cmd::step(
        "bindgen",
        &format!("{} -> {}", main_part.display(), pkg.display()),
    );
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&main_part)
        .out_name(OUTPUT_NAME)
        .web(true)?
        .typescript(false)
        // The chunk loader calls through the function table.
        .keep_lld_exports(true)
        .generate(&pkg)
        .context("wasm-bindgen failed")?;

    if profile == Profile::Release {
        wasm_opt(&pkg.join(format!("{OUTPUT_NAME}_bg.wasm")))?;
        for chunk in &chunks {
            wasm_opt(chunk)?;
        }
    }

    write_stylesheet(&pkg.join(format!("{OUTPUT_NAME}.css")))?;
    copy_dir(&cmd::workspace_root().join("public"), &site_root)?;
    Ok(site_root)
}

/// Splits the linked `wasm` into its main part (written to `main_part`, for
/// wasm-bindgen) and the lazy routes' chunks in `pkg`, with their loader and
/// manifest; returns the chunks' paths. Parts of an earlier build are removed first:
/// a main part only works with the chunks cut from the same build.
fn split(wasm: &Path, main_part: &Path, pkg: &Path) -> Result<Vec<PathBuf>> {
    cmd::step("split", &format!("{} -> {}", wasm.display(), pkg.display()));
    for entry in fs::read_dir(pkg).with_context(|| format!("cannot read {}", pkg.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let old_chunk =
            (name.starts_with("split_") || name.starts_with("chunk_")) && name.ends_with(".wasm");
        if old_chunk || name.starts_with("__wasm_split") {
            fs::remove_file(pkg.join(&name))
                .with_context(|| format!("cannot remove {name} from {}", pkg.display()))?;
        }
    }
    let input = fs::read(wasm).with_context(|| format!("cannot read {}", wasm.display()))?;
    let main_module = format!("./{OUTPUT_NAME}.js");
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = pkg;
    options.main_out_path = main_part;
    options.main_module = &main_module;
    options.link_name = SPLIT_LOADER;
    let split = wasm_split_cli_support::transform(options)
        .map_err(|e| anyhow!("cannot split {}: {e:?}", wasm.display()))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)?;
    fs::write(pkg.join(SPLIT_MANIFEST), manifest)
        .with_context(|| format!("cannot write {SPLIT_MANIFEST}"))?;
    Ok(split.split_modules)
}

/// Shrinks a release WASM file in place with `wasm-opt -Oz`.
pub fn wasm_opt(wasm: &Path) -> Result<()> {
    cmd::step("wasm-opt", &wasm.display().to_string());
    cmd::run(
        Command::new(tools::wasm_opt())
            .args(["-Oz", "--strip-debug", "--strip-producers"])
            .args(tools::WASM_FEATURES)
            .arg(wasm)
            .arg("-o")
            .arg(wasm),
    )
}

/// Builds the `gantry` binary; returns its path.
pub fn build_server(profile: Profile) -> Result<PathBuf> {
    build_server_with(profile, &[])
}

/// Builds the `gantry` binary with these features of `gantry-server`.
pub fn build_server_with(profile: Profile, features: &[&str]) -> Result<PathBuf> {
    cmd::step("server", &format!("gantry (ssr) {}", features.join(" ")));
    let mut args = vec!["build", "-p", "gantry-server"];
    let joined = features.join(",");
    if !features.is_empty() {
        args.extend(["--features", joined.as_str()]);
    }
    let dir = match profile {
        Profile::Dev => "debug",
        Profile::Release => {
            args.push("--release");
            "release"
        }
    };
    cmd::run(&mut cmd::cargo(&args))?;
    Ok(cmd::target_dir()?.join(dir).join("gantry"))
}

fn write_stylesheet(out: &Path) -> Result<()> {
    let mut css = String::new();
    for file in STYLES {
        let path = cmd::workspace_root().join(file);
        css.push_str(&format!("/* {file} */\n"));
        css.push_str(
            &fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        );
        css.push('\n');
    }
    fs::write(out, css).with_context(|| format!("cannot write {}", out.display()))
}

/// Copies the contents of `from` into `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&dest)?;
            copy_dir(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), &dest)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}
