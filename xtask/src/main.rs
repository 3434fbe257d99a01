//! `cargo xtask`: the project's build tasks, so that two commands do everything.
//!
//! - `cargo xtask run [--release] [-- <gantry serve options>]`: install what is missing,
//!   build the site and the server, then serve Gantry on http://127.0.0.1:3000.
//! - `cargo xtask test`: every check: formatting, lints, unit and integration tests,
//!   and the Playwright suite in Chromium against a real build.
//! - `cargo xtask dev FOLDER [-- <gantry serve options>]`: the same, with the
//!   drop-in module in FOLDER under development (`gantry dev`), its Leptos frontend
//!   rebuilt on each change.
//! - `cargo xtask build [--release]`: build the site and the server only.
//! - `cargo xtask bench`: build for release and print size and speed figures.
//! - `cargo xtask screenshots`: the main pages at 390 and 1280 px in both themes, as
//!   PNG files in `<target>/screenshots`, for review.

mod bench;
mod bench_api;
mod cmd;
mod dev;
mod e2e;
mod frontends;
mod load;
mod postgres;
mod self_contained;
mod site;
mod tools;

use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use site::Profile;

const USAGE: &str =
    "usage: cargo xtask <run [--release] [-- ARGS] | dev FOLDER [-- ARGS] | test | build [--release] | bench [--api] | screenshots>";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let (task, rest) = args
        .split_first()
        .map_or(("", &[][..]), |(t, r)| (t.as_str(), r));
    let (options, passthrough) = match rest.iter().position(|a| a == "--") {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    match (task, options) {
        ("dev", [folder]) => return dev::dev(std::path::Path::new(folder), passthrough),
        ("dev", _) => bail!("`cargo xtask dev` takes one module folder\n{USAGE}"),
        // What `gantry dev --dev-build` runs for a Leptos frontend (see dev.rs).
        ("frontend", args) => {
            let (crate_dir, out) = dev::frontend_args(args)
                .context("usage: cargo xtask frontend CRATE_DIR OUT_DIR")?;
            return dev::build_frontend(&crate_dir, &out);
        }
        _ => {}
    }
    let release = options.iter().any(|o| o == "--release");
    let api_only = options.iter().any(|o| o == "--api");
    if let Some(unknown) = options
        .iter()
        .find(|o| *o != "--release" && (*o != "--api" || task != "bench"))
    {
        bail!("unknown option `{unknown}`\n{USAGE}");
    }
    let profile = if release {
        Profile::Release
    } else {
        Profile::Dev
    };
    match task {
        "run" => run_gantry(profile, passthrough),
        "build" => {
            tools::ensure_build_tools(profile)?;
            site::build_all(profile)?;
            Ok(())
        }
        "test" => test(),
        "bench" if api_only => bench::bench_api_only(),
        "bench" => bench::bench(),
        "screenshots" => screenshots(),
        _ => bail!("{USAGE}"),
    }
}

/// Builds everything, then serves Gantry in the foreground until Ctrl-C.
fn run_gantry(profile: Profile, serve_args: &[String]) -> Result<()> {
    tools::ensure_build_tools(profile)?;
    let built = site::build_all(profile)?;
    cmd::step("serve", "Gantry on http://127.0.0.1:3000 (Ctrl-C stops it)");
    cmd::run(local_gantry(&built).arg("serve").args(serve_args))
}

/// The built `gantry`, set up as a local instance: the built site, acting as its
/// administrator and with the in-tree drop-in modules unless told otherwise.
fn local_gantry(built: &site::Built) -> std::process::Command {
    let mut gantry = std::process::Command::new(&built.server_bin);
    gantry
        .env("GANTRY_SITE_ROOT", &built.site_root)
        .current_dir(cmd::workspace_root());
    // An empty GANTRY_DEV_USER means real sign-in.
    if std::env::var_os("GANTRY_DEV_USER").is_none() {
        gantry.env("GANTRY_DEV_USER", "admin");
    }
    if std::env::var_os("GANTRY_MODULES_DIR").is_none() {
        gantry.env("GANTRY_MODULES_DIR", cmd::workspace_root().join("modules"));
    }
    gantry
}

/// Every check, in the order that fails fastest.
fn test() -> Result<()> {
    tools::ensure_build_tools(Profile::Dev)?;
    tools::ensure_browser_test_tools()?;
    let root = cmd::workspace_root();

    cmd::step("fmt", "cargo fmt --check");
    cmd::run(&mut cmd::cargo(&["fmt", "--all", "--", "--check"]))?;

    // The guide's JS examples against the SDK's TypeScript definitions.
    cmd::step(
        "types",
        "tsc: the guide's examples against gantry-browser.d.ts",
    );
    cmd::run(
        std::process::Command::new("npx")
            .args(["tsc", "-p", "tsconfig.types.json"])
            .current_dir(root.join("end2end")),
    )?;

    cmd::step("clippy", "server side, every target");
    cmd::run(&mut cmd::cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The Leptos frontends (module and test fixture) are workspaces of their own.
    let frontends: Vec<String> = [e2e::counter(), e2e::scaffolded_leptos()]
        .into_iter()
        .chain(frontends::modules()?)
        .map(|frontend| frontend.manifest())
        .collect();
    for manifest in &frontends {
        cmd::run(&mut cmd::cargo(&[
            "fmt",
            "--manifest-path",
            manifest,
            "--",
            "--check",
        ]))?;
    }
    cmd::step("clippy", "browser side (app, hydrate, wasm32)");
    cmd::run(&mut cmd::cargo(&[
        "clippy",
        "-p",
        "app",
        "--lib",
        "--target",
        site::WASM_TARGET,
        "--no-default-features",
        "--features",
        "hydrate",
        "--",
        "-D",
        "warnings",
    ]))?;

    for manifest in &frontends {
        cmd::step("clippy", &format!("{manifest} (Leptos csr, wasm32)"));
        cmd::run(&mut cmd::cargo(&[
            "clippy",
            "--manifest-path",
            manifest,
            "--target",
            site::WASM_TARGET,
            "--target-dir",
            &cmd::target_dir()?.display().to_string(),
            "--",
            "-D",
            "warnings",
        ]))?;
    }

    cmd::step("test", "unit, integration and doc tests");
    // The module check's browser and local-PostgreSQL tests must run here, not skip.
    cmd::run(
        cmd::cargo(&["test", "--workspace", "--exclude", "xtask"])
            .env("GANTRY_TEST_BROWSER", tools::CHROMIUM)
            .env("GANTRY_TEST_LOCAL_POSTGRES", "1"),
    )?;
    // xtask's own tests run on their own: in the workspace's run, feature unification
    // would change its dependencies from what the builds use.
    cmd::run(&mut cmd::cargo(&["test", "-p", "xtask"]))?;
    // Stopped when it goes out of scope, after the browser tests.
    let ports = cmd::free_ports(11)?;
    let database = postgres::TempPostgres::start(ports[4])?;
    cmd::step(
        "test",
        "integration tests of Chat, accounts, the module boundary, module storage and settings, modules at runtime, and start-up, again on PostgreSQL",
    );
    cmd::run(
        cmd::cargo(&[
            "test",
            "-p",
            "gantry-server",
            "--test",
            "it",
            "--",
            "chat::",
            "module_boundary::",
            "module_migrations::",
            "accounts::",
            "module_storage::",
            "module_switch::",
            "module_dependencies::",
            "module_settings::",
            "knowledge::",
            "module_tools::",
            "module_install::",
            "collection_rights::",
            "api_tokens::",
            "session_cache::",
            "overlord::two_instances",
            "scaffold::check_tries_the_migrations_on_postgres",
            "database::instances_starting_at_once_take_turns",
        ])
        .env("GANTRY_TEST_DATABASE_URL", &database.url),
    )?;

    let server_bin = browser_tests(&ports, Some(&database.url), &[], &[])?;
    self_contained::check(&server_bin)?;
    cmd::step("done", "every check passed");
    Ok(())
}

/// The browser suite's screenshots of the main pages, written to `<target>/screenshots`.
fn screenshots() -> Result<()> {
    tools::ensure_build_tools(Profile::Dev)?;
    tools::ensure_browser_test_tools()?;
    let dir = cmd::target_dir()?.join("screenshots");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    browser_tests(
        &cmd::free_ports(11)?,
        None,
        &["screenshots.hydrate.spec.ts"],
        &[("GANTRY_SCREENSHOTS_DIR", &dir)],
    )?;
    cmd::step("done", &format!("screenshots in {}", dir.display()));
    Ok(())
}

/// Builds what `cargo xtask run` serves (plus the scaffolded Leptos module linked in,
/// the built site carried inside as in release builds, and the test modules), then
/// runs Playwright in Chromium against it: every spec, or `specs`; the PostgreSQL
/// server only with `postgres_url`. Returns the server binary.
fn browser_tests(
    ports: &[u16],
    postgres_url: Option<&str>,
    specs: &[&str],
    env: &[(&str, &std::path::Path)],
) -> Result<std::path::PathBuf> {
    let root = cmd::workspace_root();
    let site_root = site::build_site(Profile::Dev)?;
    frontends::build_modules(Profile::Dev)?;
    e2e::scaffolded_leptos().build_dist(Profile::Dev)?;
    let built = site::Built {
        site_root,
        server_bin: site::build_server_with(Profile::Dev, &[e2e::SCAFFOLDED_FEATURE, "embed"])?,
    };
    let modules_dir = e2e::build_test_modules(Profile::Dev, &built.server_bin)?;
    cmd::step("e2e", "Playwright in Chromium against the built server");
    let data_dir = tempdir("gantry-e2e")?;
    let addr = format!("127.0.0.1:{}", ports[0]);
    let user_addr = format!("127.0.0.1:{}", ports[1]);
    let signin_addr = format!("127.0.0.1:{}", ports[2]);
    let postgres_addr = format!("127.0.0.1:{}", ports[3]);
    let mut playwright = std::process::Command::new("npx");
    playwright
        .args(["playwright", "test"])
        .args(specs)
        .current_dir(root.join("end2end"))
        .env("GANTRY_BIN", &built.server_bin)
        // `gantry dev`'s Leptos build runs this binary's `frontend` task.
        .env("GANTRY_XTASK", std::env::current_exe()?)
        .env("GANTRY_SITE_ROOT", &built.site_root)
        .env("GANTRY_DATA_DIR", &data_dir)
        .env("GANTRY_MODULES_DIR", &modules_dir)
        .env("GANTRY_ADDR", &addr)
        .env("GANTRY_USER_ADDR", &user_addr)
        .env("GANTRY_SIGNIN_ADDR", &signin_addr)
        .env("GANTRY_POSTGRES_ADDR", &postgres_addr)
        .env("GANTRY_POSTGRES_B_ADDR", format!("127.0.0.1:{}", ports[9]))
        .env("GANTRY_PROXY_ADDR", format!("127.0.0.1:{}", ports[10]))
        .env("GANTRY_MODELS_PORT", ports[5].to_string())
        .env("GANTRY_MODELS_CONTROL_PORT", ports[6].to_string())
        .env("GANTRY_FLAKY_MODELS_PORT", ports[7].to_string())
        .env("GANTRY_FLAKY_MODELS_CONTROL_PORT", ports[8].to_string())
        .env_remove("DATABASE_URL")
        .env_remove("GANTRY_POSTGRES_URL")
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("CHROMIUM_PATH", tools::CHROMIUM);
    if let Some(url) = postgres_url {
        playwright.env("GANTRY_POSTGRES_URL", url);
    }
    for (key, value) in env {
        playwright.env(key, value);
    }
    let res = cmd::run(&mut playwright);
    let _ = std::fs::remove_dir_all(&data_dir);
    res.map(|()| built.server_bin)
}

/// A fresh, empty folder under the system's temp dir.
fn tempdir(prefix: &str) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
