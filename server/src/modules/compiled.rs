//! The modules linked into this binary.
//!
//! No host code names a module: `build.rs` reads this crate's `Cargo.toml` and writes
//! one `gantry_mod_<name>::module()` call per `gantry-mod-*` dependency that is part of
//! the build, so adding the dependency (or enabling the feature that adds it) is all
//! a compiled-in module takes.

include!(concat!(env!("OUT_DIR"), "/compiled_modules.rs"));
