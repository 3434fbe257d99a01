//! Build script: rebuilds on core migration changes (`sqlx::migrate!` embeds them),
//! and writes the list of compiled-in modules from this crate's dependencies.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=Cargo.toml");
    // The site `embedded.rs` carries: `GANTRY_EMBED_SITE`, or the one `cargo xtask`
    // builds for this profile in the target dir (`<target>/<profile>/build/<this
    // crate>/out` is OUT_DIR); none when it is not there (`allow_missing`).
    println!("cargo:rerun-if-env-changed=GANTRY_EMBED_SITE");
    let site = env::var("GANTRY_EMBED_SITE").unwrap_or_else(|_| {
        let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).to_owned();
        let name = match env::var("PROFILE").as_deref() {
            Ok("release") => "site-release",
            _ => "site",
        };
        out.ancestors()
            .nth(4)
            .map_or_else(|| out.join("no-site"), |target| target.join(name))
            .display()
            .to_string()
    });
    println!("cargo:rustc-env=GANTRY_EMBED_SITE={site}");
    let manifest = fs::read_to_string("Cargo.toml").expect("read server/Cargo.toml");
    let code = compiled_modules(&manifest, |feature| {
        env::var_os(format!(
            "CARGO_FEATURE_{}",
            feature.to_uppercase().replace('-', "_")
        ))
        .is_some()
    });
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("compiled_modules.rs");
    fs::write(out, code).expect("write compiled_modules.rs");
}

// `compiled_modules()`, shared with the server's unit tests.
include!("build/compiled_modules.rs");
