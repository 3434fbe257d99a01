//! The modules the browser suite runs Gantry with: the plain-JS ones as they are in
//! `end2end/fixtures/modules/`, the in-tree drop-in `modules/forge`, and `counter`,
//! whose Leptos frontend is built here.

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::Result;

use crate::{cmd, frontends::LeptosFrontend, site};

/// The fixture crate of the Leptos test module (its own workspace).
pub fn counter() -> LeptosFrontend {
    LeptosFrontend {
        crate_dir: "end2end/fixtures/leptos-counter".into(),
        lib: "counter".into(),
    }
}

/// The Leptos module `gantry module new shelf --leptos` wrote (checked in, and kept
/// identical to the scaffolder's output by a server test): linked into the test
/// server by its feature `gantry-mod-shelf`.
pub fn scaffolded_leptos() -> LeptosFrontend {
    LeptosFrontend {
        crate_dir: "end2end/fixtures/scaffolded/shelf/frontend".into(),
        lib: "shelf".into(),
    }
}

/// The server feature that links the scaffolded Leptos module.
pub const SCAFFOLDED_FEATURE: &str = "gantry-mod-shelf";

/// Builds and assembles every test module into `<target>/e2e-modules` (or
/// `e2e-modules-release`), with one written by `server_bin`'s scaffolder
/// (`gantry module new scaffolded`); returns it.
pub fn build_test_modules(profile: site::Profile, server_bin: &Path) -> Result<PathBuf> {
    let root = cmd::workspace_root();
    let target = cmd::target_dir()?;
    let out = match profile {
        site::Profile::Dev => target.join("e2e-modules"),
        site::Profile::Release => target.join("e2e-modules-release"),
    };
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out)?;
    site::copy_dir(&root.join("end2end/fixtures/modules"), &out)?;
    // The in-tree drop-in module, as it ships.
    site::copy_dir(&root.join("modules/forge"), &out.join("forge"))?;

    let counter = out.join("counter");
    let frontend = self::counter();
    site::copy_dir(&root.join(&frontend.crate_dir).join("module"), &counter)?;
    frontend.build(profile, &counter.join("static/pkg"))?;

    cmd::step("scaffold", "gantry module new scaffolded --js");
    cmd::run(
        std::process::Command::new(server_bin)
            .args(["module", "new", "scaffolded", "--js", "--dir"])
            .arg(&out),
    )?;
    cmd::run(
        std::process::Command::new(server_bin)
            .args(["module", "check"])
            .arg(out.join("scaffolded")),
    )?;
    Ok(out)
}
