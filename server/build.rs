//! Build script: rebuilds on core migration changes (`sqlx::migrate!` embeds them),
//! and writes the list of compiled-in modules from this crate's dependencies.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=Cargo.toml");
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
