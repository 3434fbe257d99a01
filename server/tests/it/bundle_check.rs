//! `gantry module check` on a module's bundle: each fault the guide's author hit
//! passed the old check with "0 problems"; now the bundle is parsed, its
//! registration read from the code, and, with a browser, imported for real.

use std::path::{Path, PathBuf};

use gantry_server::module_check::{check, find_browser, CheckWith};

use crate::fixtures::drop_in;

/// A module `wreck` with a page and a tab, whose bundle is `index.js`.
const MANIFEST: &str = r#"
name = "wreck"
version = "0.1.0"
frontend_bundle = "index.js"
static_dir = "static"

[[nav_items]]
id = "wreck"
label = "Wreck"
route = "/wreck"
frontend_component = "WreckPage"

[[tabs]]
id = "main"
label = "Main"
frontend_component = "Main"
"#;

/// A bundle registering `components` under `name`.
fn registering(name: &str, components: &str) -> String {
    format!(
        "window.__GANTRY_MODULES__ ??= {{}};\n\
         window.__GANTRY_MODULES__[{name:?}] = {{ abi: 1, components: {{ {components} }} }};\n"
    )
}

const BOTH: &str = "WreckPage(el) { el.textContent = 'page'; }, Main: { mount() {} }";

async fn check_bundle(
    bundle: &str,
    extra: &[(&str, &str)],
    browser: Option<&Path>,
) -> (String, bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![("index.js", bundle), ("static/.keep", "")];
    files.extend_from_slice(extra);
    let folder = drop_in(dir.path(), "wreck", MANIFEST, &files);
    check(
        &folder,
        CheckWith {
            browser,
            ..CheckWith::default()
        },
    )
    .await
    .unwrap()
}

fn assert_problem(report: &str, passed: bool, expected: &str) {
    assert!(!passed, "passed, but should not have:\n{report}");
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("problem: ") && l.contains(expected)),
        "no problem saying `{expected}` in:\n{report}"
    );
}

#[tokio::test]
async fn a_bundle_that_registers_as_the_manifest_says_passes() {
    let (report, passed) = check_bundle(&registering("wreck", BOTH), &[], None).await;
    assert!(passed, "{report}");
    assert!(
        report.contains("frontend_bundle `index.js` registers as it should"),
        "{report}"
    );
}

#[tokio::test]
async fn registering_under_another_modules_name_is_a_problem() {
    let (report, passed) = check_bundle(&registering("notes", BOTH), &[], None).await;
    assert_problem(
        &report,
        passed,
        "registers as `notes` (line 2), but the host looks this module up as window.__GANTRY_MODULES__[\"wreck\"]",
    );
}

#[tokio::test]
async fn a_registration_only_in_a_comment_is_a_problem() {
    let bundle = format!(
        "// {}\nconsole.log('hello');\n",
        registering("wreck", BOTH).replace('\n', " ")
    );
    let (report, passed) = check_bundle(&bundle, &[], None).await;
    assert_problem(&report, passed, "never registers: no statement assigns");
}

#[tokio::test]
async fn a_syntax_error_is_a_problem_with_its_line() {
    let bundle = registering("wreck", BOTH).replace("abi: 1,", "abi: 1,,\n(");
    let (report, passed) = check_bundle(&bundle, &[], None).await;
    assert_problem(
        &report,
        passed,
        "frontend_bundle `index.js`: syntax error at line 2",
    );
}

#[tokio::test]
async fn a_component_the_manifest_names_but_the_bundle_lacks_is_a_problem() {
    let (report, passed) = check_bundle(
        &registering("wreck", "WreckPage() {}, Other() {}"),
        &[],
        None,
    )
    .await;
    assert_problem(
        &report,
        passed,
        "tab `main` names component `Main`, which frontend_bundle `index.js` does not register (it registers: `WreckPage`, `Other`)",
    );
    assert!(!report.contains("page `/wreck` names"), "{report}");
}

#[tokio::test]
async fn another_abi_is_a_problem() {
    let bundle = registering("wreck", BOTH).replace("abi: 1", "abi: 2");
    let (report, passed) = check_bundle(&bundle, &[], None).await;
    assert_problem(
        &report,
        passed,
        "registers with abi 2; this host takes abi 1",
    );
}

#[tokio::test]
async fn an_entry_without_abi_is_a_problem() {
    // The host refuses it as incompatible (`abi` shown as `none`).
    let bundle = registering("wreck", BOTH).replace("abi: 1, ", "");
    let (report, passed) = check_bundle(&bundle, &[], None).await;
    assert_problem(
        &report,
        passed,
        "registers with abi none; this host takes abi 1",
    );
    if let Some(browser) = browser() {
        let bundle = format!("await 0;\n{bundle}");
        let imported = "await import('/modules/wreck/static/real.js');\n";
        let (report, passed) = check_bundle(
            imported,
            &[("static/real.js", &bundle)],
            Some(browser.as_path()),
        )
        .await;
        assert_problem(
            &report,
            passed,
            "registers with abi none; this host takes abi 1",
        );
    }
}

/// The browser `cargo xtask test` names, or one on PATH; `None` (the test says so and
/// returns) only outside the xtask run.
fn browser() -> Option<PathBuf> {
    let found = std::env::var_os("GANTRY_TEST_BROWSER")
        .map(PathBuf::from)
        .or_else(|| find_browser(None));
    if found.is_none() {
        eprintln!("no Chromium on PATH: the browser half of the bundle check is not tried");
    }
    found
}

#[tokio::test]
async fn with_a_browser_the_check_imports_the_bundle_and_its_imports() {
    let Some(browser) = browser() else { return };
    let browser = Some(browser.as_path());

    // Registration in code the bundle imports from its static folder: the source alone
    // cannot tell, the browser can.
    let importer = "await import('/modules/wreck/static/real.js');\n";
    let (report, passed) = check_bundle(
        importer,
        &[("static/real.js", &registering("wreck", BOTH))],
        browser,
    )
    .await;
    assert!(passed, "{report}");
    assert!(
        report.contains("registers `wreck` with `WreckPage`, `Main`"),
        "{report}"
    );

    let (report, passed) = check_bundle(
        importer,
        &[("static/real.js", &registering("notes", BOTH))],
        browser,
    )
    .await;
    assert_problem(
        &report,
        passed,
        "loads in the browser but does not register window.__GANTRY_MODULES__[\"wreck\"] (it registers: `notes`)",
    );

    let (report, passed) = check_bundle(
        importer,
        &[("static/real.js", &registering("wreck", "WreckPage() {}"))],
        browser,
    )
    .await;
    assert_problem(&report, passed, "tab `main` names component `Main`");

    // What only running it shows: a throw at load, and what the host's script policy
    // refuses.
    let throws = format!("{}missingFunction();\n", registering("wreck", BOTH));
    let (report, passed) = check_bundle(&throws, &[], browser).await;
    assert_problem(
        &report,
        passed,
        "fails to load in the browser: ReferenceError: missingFunction is not defined",
    );
    let evals = format!("{}eval('1 + 1');\n", registering("wreck", BOTH));
    let (report, passed) = check_bundle(&evals, &[], browser).await;
    assert_problem(&report, passed, "fails to load in the browser: EvalError");

    // A missing import is named.
    let (report, passed) = check_bundle(importer, &[], browser).await;
    assert_problem(&report, passed, "fails to load in the browser: TypeError");

    // Every browser is gone, and its profile folder with it.
    let profiles = format!("gantry-check-browser-{}-", std::process::id());
    let left: Vec<String> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.starts_with(&profiles))
        .collect();
    assert!(left.is_empty(), "profile folders left behind: {left:?}");
}
