//! `cargo xtask test`'s check of one-binary deployment: the browser suite's binary
//! (built with the `embed` feature, so it carries the site and the Overlord's
//! frontend as every release binary does) copied into an empty folder, run there
//! with nothing but a data dir, serves its pages, its bundle and the Overlord's
//! frontend.

use std::{
    path::Path,
    process::{Command, Stdio},
};

use anyhow::{bail, Context, Result};

use crate::{
    cmd::{self, wait_ready, Stopped},
    load,
};

const PASSWORD: &str = "self-contained password";

/// Copies `server_bin` to an empty folder, serves from there and asks for the files
/// the browser needs.
pub fn check(server_bin: &Path) -> Result<()> {
    cmd::step(
        "test",
        "the gantry binary, copied to an empty folder, serves its built-in site and modules",
    );
    let dir = std::env::temp_dir().join(format!("gantry-one-file-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let bin = dir.join("gantry");
    std::fs::copy(server_bin, &bin).context("cannot copy the gantry binary")?;
    let addr = format!("127.0.0.1:{}", cmd::free_ports(1)?[0]);
    let server = Command::new(&bin)
        .args(["serve", "--addr", &addr, "--data-dir", "data"])
        .current_dir(&dir)
        .env_clear()
        .env("GANTRY_ADMIN_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("cannot start the copied binary")?;
    let res = wait_ready(&addr).and_then(|()| ask_for_everything(&addr));
    drop(Stopped(server));
    let _ = std::fs::remove_dir_all(&dir);
    res
}

fn ask_for_everything(addr: &str) -> Result<()> {
    let cookie = load::sign_in(addr, "admin", PASSWORD)?;
    let get = |path: &str| {
        load::send(
            addr,
            &load::request("GET", path, addr, &[("Cookie", &cookie)], b""),
        )
    };
    let page = get("/")?;
    let html = String::from_utf8_lossy(&page.body);
    if page.status != 200 || !html.contains("/pkg/gantry.js") {
        bail!("the Chat page answered {} without the bundle", page.status);
    }
    let modules: serde_json::Value = serde_json::from_slice(&get("/api/modules")?.body)?;
    let overlord_bundle = modules
        .as_array()
        .and_then(|list| list.iter().find(|m| m["name"] == "overlord"))
        .and_then(|m| m["frontend_bundle"].as_str())
        .context("the Overlord is not running")?
        .to_owned();
    for path in [
        "/pkg/gantry.js",
        "/pkg/gantry_bg.wasm",
        "/pkg/gantry.css",
        overlord_bundle.as_str(),
        "/modules/overlord/static/pkg/overlord_bg.wasm",
    ] {
        let answer = get(path)?;
        if answer.status != 200 || answer.body.is_empty() {
            bail!(
                "{path} answered {} ({} bytes)",
                answer.status,
                answer.body.len()
            );
        }
        println!("{path}: {} bytes", answer.body.len());
    }
    Ok(())
}
