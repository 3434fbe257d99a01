//! The guide's worked examples are the test modules the browser suite runs: each
//! file shown in `docs/modules.md` must be, byte for byte, the fixture's.

use std::path::Path;

/// The fenced code blocks of the guide's section starting at `heading`, up to the
/// next heading of the same level.
fn code_blocks(heading: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let guide = std::fs::read_to_string(root.join("docs/modules.md")).unwrap();
    let start = guide
        .find(heading)
        .unwrap_or_else(|| panic!("no `{heading}` in the guide"));
    let rest = &guide[start + heading.len()..];
    let section = &rest[..rest.find("\n### ").unwrap_or(rest.len())];
    section
        .split("```")
        .skip(1)
        .step_by(2)
        .map(|block| {
            block
                .split_once('\n')
                .map_or("", |(_, body)| body)
                .to_owned()
        })
        .collect()
}

#[test]
fn the_bookmarks_example_is_the_bookmarks_fixture() {
    let blocks = code_blocks("### 14.1 A plain-JS drop-in on a collection: `bookmarks`");
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/fixtures/modules/bookmarks");
    let file = |path: &str| std::fs::read_to_string(fixture.join(path)).unwrap();
    let shown = |path: &str, start: &str| {
        let found = blocks.iter().find(|b| b.starts_with(start));
        assert_eq!(
            found.map(String::as_str),
            Some(file(path).as_str()),
            "{path} differs from the guide"
        );
    };
    shown("gantry-module.toml", "name = \"bookmarks\"");
    shown(
        "migrations/sqlite/0001_items.up.sql",
        "CREATE TABLE bookmarks_items",
    );
    shown(
        "migrations/sqlite/0001_items.down.sql",
        "DROP TABLE bookmarks_items;",
    );
    shown(
        "migrations/postgres/0001_items.down.sql",
        "DROP TABLE bookmarks_items;",
    );
    shown("index.js", "// The bookmarks module's browser side");
}
