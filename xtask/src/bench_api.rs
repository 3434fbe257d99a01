//! `cargo xtask bench`'s API figures: Gantry's authenticated `GET /api/modules`
//! with 20 drop-in modules, against a bare axum server answering the very same
//! bytes (`xtask/bare-axum`), in the same run and with the same load generator.

use std::{
    fs,
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

use anyhow::{bail, Context, Result};

use crate::{
    cmd::{self, wait_ready, Stopped},
    load,
};

const CONNECTIONS: usize = 32;
const TIME: Duration = Duration::from_secs(8);
const MODULES: usize = 20;
const PASSWORD: &str = "bench-password-1";

/// Prints requests per second of Gantry's API and pages and of the yardstick.
pub fn api_throughput(server_bin: &Path, site_root: &Path) -> Result<()> {
    cmd::step(
        "bench",
        &format!("API: GET /api/modules ({MODULES} modules) against bare axum answering the same bytes ({CONNECTIONS} connections, {} s each)", TIME.as_secs()),
    );
    cmd::run(&mut cmd::cargo(&["build", "--release", "-p", "bare-axum"]))?;
    let bare_bin = cmd::target_dir()?.join("release").join("bare-axum");
    let dir = std::env::temp_dir().join(format!("gantry-bench-api-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let modules = dir.join("modules");
    write_modules(&modules)?;
    let ports = cmd::free_ports(2)?;
    let (gantry_addr, bare_addr) = (
        format!("127.0.0.1:{}", ports[0]),
        format!("127.0.0.1:{}", ports[1]),
    );
    let gantry = Command::new(server_bin)
        .args(["serve", "--addr", &gantry_addr])
        .env("GANTRY_SITE_ROOT", site_root)
        .env("GANTRY_DATA_DIR", dir.join("data"))
        .env("GANTRY_MODULES_DIR", &modules)
        .env("GANTRY_ADMIN_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("cannot start the release server")?;
    let gantry = Stopped(gantry);
    wait_ready(&gantry_addr)?;
    let cookie = load::sign_in(&gantry_addr, "admin", PASSWORD)?;
    let signed_in = [("Cookie", cookie.as_str())];
    let modules_request = load::request("GET", "/api/modules", &gantry_addr, &signed_in, b"");
    let answer = load::send(&gantry_addr, &modules_request)?;
    if answer.status != 200 {
        bail!("GET /api/modules answered {}", answer.status);
    }
    let body = dir.join("modules.json");
    fs::write(&body, &answer.body)?;
    println!("GET /api/modules answers {} bytes", answer.body.len());

    let bare = Stopped(
        Command::new(&bare_bin)
            .arg(&bare_addr)
            .arg(&body)
            .spawn()
            .context("cannot start bare-axum")?,
    );
    wait_ready(&bare_addr)?;
    // Twice each, taking turns, and the better of each: this machine's noise is
    // larger than the differences looked for.
    let (mut yardstick, mut api) = (0f64, 0f64);
    for _ in 0..2 {
        yardstick = yardstick.max(run(
            "bare axum, the same bytes",
            &bare_addr,
            &load::request("GET", "/api/modules", &bare_addr, &[], b""),
            200,
        )?);
        api = api.max(run(
            "Gantry GET /api/modules, signed in",
            &gantry_addr,
            &modules_request,
            200,
        )?);
    }
    drop(bare);
    run(
        "Gantry GET /api/modules, signed out",
        &gantry_addr,
        &load::request("GET", "/api/modules", &gantry_addr, &[], b""),
        401,
    )?;
    run(
        "Gantry GET / (Chat page), signed in",
        &gantry_addr,
        &load::request("GET", "/", &gantry_addr, &signed_in, b""),
        200,
    )?;
    println!(
        "signed-in API / bare axum, best of two each: {:.2} (target ≥ 0.5)",
        api / yardstick
    );
    drop(gantry);
    let _ = fs::remove_dir_all(&dir);
    Ok(())
}

/// One load run, printed; returns answers per second.
fn run(label: &str, addr: &str, request: &[u8], status: u16) -> Result<f64> {
    let figures = load::hammer(addr, request, status, CONNECTIONS, TIME)?;
    if figures.unexpected > 0 {
        bail!(
            "{label}: {} of {} answers were not {status}",
            figures.unexpected,
            figures.answers
        );
    }
    println!("{label:<40} {:>9.0} req/s", figures.per_sec);
    Ok(figures.per_sec)
}

/// Twenty drop-in modules, each with a page of three tabs.
fn write_modules(dir: &Path) -> Result<()> {
    for n in 1..=MODULES {
        let module = dir.join(format!("bench{n:02}"));
        fs::create_dir_all(&module)?;
        fs::write(
            module.join("index.js"),
            format!(
                "window.__GANTRY_MODULES__ ??= {{}};\n\
                 window.__GANTRY_MODULES__.bench{n:02} = {{ abi: 1, components: {{ Tab: () => {{}} }} }};\n"
            ),
        )?;
        let mut manifest = format!(
            "name = \"bench{n:02}\"\ndisplay_name = \"Bench {n}\"\nversion = \"1.0.{n}\"\n\
             description = \"A module of cargo xtask bench\"\nfrontend_bundle = \"index.js\"\n\n\
             [[nav_items]]\nid = \"bench{n:02}\"\nlabel = \"Bench {n}\"\nicon = \"puzzle\"\n\
             route = \"/bench{n:02}\"\norder = {}\n",
            100 + n
        );
        for tab in 1..=3 {
            manifest.push_str(&format!(
                "\n[[tabs]]\nid = \"tab{tab}\"\nlabel = \"Tab {tab}\"\nfrontend_component = \"Tab\"\norder = {tab}0\n"
            ));
        }
        fs::write(module.join("gantry-module.toml"), manifest)?;
    }
    Ok(())
}
