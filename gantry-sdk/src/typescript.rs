//! The TypeScript definitions for JS module authors, generated from the Rust types.
//!
//! `frontend/gantry-sdk.d.ts` is checked in; this test fails when it drifts from the
//! types. Regenerate it with `GANTRY_UPDATE_TS=1 cargo test -p gantry-sdk typescript`.

use ts_rs::{Config, TS};

use crate::{
    AuditEntry, AuditPage, AuditQuery, BundleStatus, Collection, CollectionAccess, CollectionField,
    Confirm, CurrentUser, FieldType, GantryEvent, MigrationState, ModuleFailure, ModuleInfo,
    ModuleManifest, ModuleSource, ModuleState, ModuleStatus, ModuleStep, ModuleTimings, NavItem,
    Setting, SettingScope, SettingType, SystemInfo, Tab, TabSection, ThemeChange, Toast, ToastKind,
    Tool, TypedField,
};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/frontend/gantry-sdk.d.ts");

/// `export type …` with the type's doc comment, minus its Rust examples.
fn declaration<T: TS>(cfg: &Config) -> String {
    let docs = T::docs()
        .map(|docs| {
            let mut in_example = false;
            let lines: Vec<&str> = docs
                .lines()
                .filter(|line| {
                    let fence = line.trim_start_matches([' ', '*']).starts_with("```");
                    in_example ^= fence;
                    !fence && !in_example
                })
                .collect();
            let mut docs = lines.join("\n");
            // An example at the end leaves an empty ` *` line before the closing one.
            while let Some(trimmed) = docs.strip_suffix("\n *\n */") {
                docs = format!("{trimmed}\n */");
            }
            format!("{docs}\n")
        })
        .unwrap_or_default();
    format!("{docs}export {}\n", T::decl(cfg))
}

fn definitions() -> String {
    let cfg = Config::new();
    let mut out = String::from(
        "// Generated from the Rust types in gantry-sdk: do not edit by hand.\n\
         // Regenerate: GANTRY_UPDATE_TS=1 cargo test -p gantry-sdk typescript\n",
    );
    out.push_str(&format!("\n/** The browser contract version modules register with (`abi` in the registry). */\nexport type BrowserAbi = {};\n", crate::BROWSER_ABI));
    for decl in [
        declaration::<ModuleManifest>(&cfg),
        declaration::<ModuleInfo>(&cfg),
        declaration::<NavItem>(&cfg),
        declaration::<Tab>(&cfg),
        declaration::<TabSection>(&cfg),
        declaration::<CurrentUser>(&cfg),
        declaration::<GantryEvent>(&cfg),
        declaration::<Toast>(&cfg),
        declaration::<ToastKind>(&cfg),
        declaration::<Confirm>(&cfg),
        declaration::<ThemeChange>(&cfg),
        declaration::<ModuleStatus>(&cfg),
        declaration::<ModuleState>(&cfg),
        declaration::<ModuleSource>(&cfg),
        declaration::<ModuleStep>(&cfg),
        declaration::<ModuleFailure>(&cfg),
        declaration::<ModuleTimings>(&cfg),
        declaration::<BundleStatus>(&cfg),
        declaration::<MigrationState>(&cfg),
        declaration::<SystemInfo>(&cfg),
        declaration::<Collection>(&cfg),
        declaration::<CollectionAccess>(&cfg),
        declaration::<CollectionField>(&cfg),
        declaration::<TypedField>(&cfg),
        declaration::<FieldType>(&cfg),
        declaration::<Tool>(&cfg),
        declaration::<Setting>(&cfg),
        declaration::<SettingType>(&cfg),
        declaration::<SettingScope>(&cfg),
        declaration::<AuditEntry>(&cfg),
        declaration::<AuditQuery>(&cfg),
        declaration::<AuditPage>(&cfg),
    ] {
        out.push('\n');
        out.push_str(&decl);
    }
    out
}

#[test]
fn typescript_definitions_match_the_rust_types() {
    let generated = definitions();
    if std::env::var_os("GANTRY_UPDATE_TS").is_some() {
        std::fs::create_dir_all(std::path::Path::new(PATH).parent().unwrap()).unwrap();
        std::fs::write(PATH, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{PATH} is out of date; regenerate it with \
         `GANTRY_UPDATE_TS=1 cargo test -p gantry-sdk typescript`"
    );
}
