//! The Tailwind preset for module authors, generated from the design tokens.
//!
//! `frontend/tailwind-preset.js` maps Tailwind theme keys onto the `--gantry-*` custom
//! properties of `style/tokens.css` (the one source), so utility classes follow the
//! host's light and dark themes. This test fails when the file drifts from the tokens;
//! `GANTRY_UPDATE_TS=1 cargo test -p gantry-sdk tailwind` regenerates it.

const TOKENS: &str = include_str!("../../style/tokens.css");
const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/frontend/tailwind-preset.js");

/// The custom properties of the first `:root` block, in order.
fn tokens() -> Vec<&'static str> {
    let root = TOKENS.split(":root {").nth(1).unwrap_or_default();
    let root = root.split('}').next().unwrap_or_default();
    root.lines()
        .filter_map(|line| line.trim().strip_prefix("--gantry-"))
        .filter_map(|line| line.split(':').next())
        .collect()
}

fn preset() -> String {
    // (token prefix, Tailwind theme key, key naming)
    let groups: [(&str, &str); 6] = [
        ("color-", "colors"),
        ("space-", "spacing"),
        ("radius-", "borderRadius"),
        ("text-", "fontSize"),
        ("font-", "fontFamily"),
        ("shadow", "boxShadow"),
    ];
    let mut out = String::from(
        "// Generated from style/tokens.css by gantry-sdk: do not edit by hand.\n\
         // Regenerate: GANTRY_UPDATE_TS=1 cargo test -p gantry-sdk tailwind\n\
         //\n\
         // A Tailwind preset whose values are Gantry's design tokens (CSS custom\n\
         // properties the host defines for light and dark): `bg-gantry-surface`,\n\
         // `p-gantry-4`, `rounded-gantry-md`, `text-gantry-sm`, `shadow-gantry`.\n\
         // Use: `presets: [require(\"…/tailwind-preset.js\")]` in tailwind.config.js.\n\
         module.exports = {\n  theme: {\n    extend: {\n",
    );
    let all = tokens();
    for (prefix, key) in groups {
        let names: Vec<&str> = all
            .iter()
            .copied()
            .filter(|t| t.starts_with(prefix))
            .collect();
        if names.is_empty() {
            continue;
        }
        out.push_str(&format!("      {key}: {{\n"));
        for name in names {
            let short = name.strip_prefix(prefix).unwrap_or_default();
            let entry = match (key, short) {
                ("colors", _) => format!("\"gantry-{short}\": \"var(--gantry-{name})\""),
                ("fontFamily", _) => format!("\"gantry-{short}\": [\"var(--gantry-{name})\"]"),
                ("boxShadow", "") => format!("gantry: \"var(--gantry-{name})\""),
                _ => format!("\"gantry-{short}\": \"var(--gantry-{name})\""),
            };
            out.push_str(&format!("        {entry},\n"));
        }
        out.push_str("      },\n");
    }
    out.push_str("    },\n  },\n};\n");
    out
}

#[test]
fn tailwind_preset_matches_the_tokens() {
    let generated = preset();
    assert!(generated.contains("\"gantry-surface\": \"var(--gantry-color-surface)\""));
    if std::env::var_os("GANTRY_UPDATE_TS").is_some() {
        std::fs::write(PATH, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{PATH} is out of date; regenerate it with `GANTRY_UPDATE_TS=1 cargo test -p gantry-sdk tailwind`"
    );
}
