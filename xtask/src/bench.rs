//! `cargo xtask bench`: size and speed figures of a release build, printed (never
//! asserted in tests).

use std::{
    path::Path,
    process::{Command, Stdio},
};

use anyhow::{Context, Result};

use crate::{cmd, e2e, site, tools};

/// Builds for release, prints what the browser downloads, the API's and a page's
/// requests per second against bare axum, times module pages in Chromium and how
/// soon an open page follows `gantry dev` and enable/disable, then Chat's streaming against the test model server, then the Knowledge Vault's
/// ingestion and search.
pub fn bench() -> Result<()> {
    tools::ensure_build_tools(site::Profile::Release)?;
    tools::ensure_browser_test_tools()?;
    let built = site::build_all(site::Profile::Release)?;
    let modules = e2e::build_test_modules(site::Profile::Release, &built.server_bin)?;

    cmd::step("bench", "release sizes (bytes)");
    let pkg = built.site_root.join("pkg");
    for name in ["gantry_bg.wasm", "gantry.js", "gantry.css"] {
        print_size(&format!("host {name}"), &pkg.join(name))?;
    }
    print_host_chunks(&pkg)?;
    print_size("module hello: index.js", &modules.join("hello/index.js"))?;
    print_size("module forge: index.js", &modules.join("forge/index.js"))?;
    print_size(
        "module counter: index.js",
        &modules.join("counter/index.js"),
    )?;
    print_size(
        "module counter: counter.js",
        &modules.join("counter/static/pkg/counter.js"),
    )?;
    print_size(
        "module counter: counter_bg.wasm",
        &modules.join("counter/static/pkg/counter_bg.wasm"),
    )?;
    let overlord = cmd::workspace_root().join("modules/overlord/frontend/dist");
    print_size(
        "module overlord: overlord.js (bundle)",
        &overlord.join("overlord.js"),
    )?;
    print_size(
        "module overlord: overlord.js (glue)",
        &overlord.join("static/pkg/overlord.js"),
    )?;
    print_size(
        "module overlord: overlord_bg.wasm",
        &overlord.join("static/pkg/overlord_bg.wasm"),
    )?;

    crate::bench_api::api_throughput(&built.server_bin, &built.site_root)?;

    cmd::step(
        "bench",
        "click on a module's nav item → its component's first render",
    );
    let ports = cmd::free_ports(3)?;
    let addr = format!("127.0.0.1:{}", ports[0]);
    let models_addr = format!("127.0.0.1:{}", ports[1]);
    let models_url = format!("http://{models_addr}/v1");
    let end2end = cmd::workspace_root().join("end2end");
    let mut model_server = Command::new("node")
        .arg("model-server.mjs")
        .args([ports[1].to_string(), ports[2].to_string()])
        .current_dir(&end2end)
        .stdout(Stdio::null())
        .spawn()
        .context("cannot start the test model server")?;
    let data_dir = std::env::temp_dir().join(format!("gantry-bench-{}", std::process::id()));
    let mut server = Command::new(&built.server_bin)
        .args(["serve", "--addr", &addr, "--llm-url", &models_url])
        .env("GANTRY_SITE_ROOT", &built.site_root)
        .env("GANTRY_DATA_DIR", &data_dir)
        .env("GANTRY_MODULES_DIR", &modules)
        .env("GANTRY_DEV_USER", "admin")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("cannot start the release server")?;
    let res = cmd::wait_ready(&addr)
        .and_then(|()| cmd::wait_ready(&models_addr))
        .and_then(|()| {
            cmd::run(
                Command::new("node")
                    .arg("bench/nav-timing.mjs")
                    .arg(format!("http://{addr}"))
                    .arg("5")
                    .current_dir(&end2end),
            )
        })
        .and_then(|()| {
            cmd::step(
                "bench",
                "gantry dev: a save → the remounted component; disable/enable → a second browser",
            );
            cmd::run(
                Command::new("node")
                    .arg("bench/dev-loop.mjs")
                    .arg(&built.server_bin)
                    .arg("5")
                    .arg(std::env::current_exe()?)
                    .current_dir(&end2end),
            )
        })
        .and_then(|()| {
            cmd::step(
                "bench",
                "Chat: first token, throughput, 50 concurrent answers",
            );
            cmd::run(
                Command::new("node")
                    .arg("bench/chat-stream.mjs")
                    .arg(format!("http://{addr}"))
                    .arg(&models_url)
                    .current_dir(&end2end),
            )
        })
        .and_then(|()| {
            cmd::step(
                "bench",
                "Knowledge: PDF ingestion, search over 10,000 chunks",
            );
            cmd::run(
                Command::new("node")
                    .arg("bench/knowledge.mjs")
                    .arg(format!("http://{addr}"))
                    .current_dir(&end2end),
            )
        });
    let _ = model_server.kill();
    let _ = model_server.wait();
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data_dir);
    res
}

/// `cargo xtask bench --api`: the API figures alone, against the release site
/// built last (or built now when there is none).
pub fn bench_api_only() -> Result<()> {
    tools::ensure_build_tools(site::Profile::Release)?;
    let site_root = cmd::target_dir()?.join("site-release");
    if !site_root.join("pkg").is_dir() {
        site::build_site(site::Profile::Release)?;
    }
    let server_bin = site::build_server(site::Profile::Release)?;
    crate::bench_api::api_throughput(&server_bin, &site_root)
}

fn print_size(label: &str, path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    println!(
        "{label:<34} {:>9} raw {:>9} gzip",
        bytes.len(),
        gzip_len(&bytes)?
    );
    Ok(())
}

/// The host's lazy pages: each one's chunks, what opening it first downloads (the
/// main bundle too), and what only Chat needs (what Chat costs the host).
fn print_host_chunks(pkg: &Path) -> Result<()> {
    let manifest = std::fs::read_to_string(pkg.join("__wasm_split_manifest.json"))
        .context("no split manifest: the host bundle was not split")?;
    let pages: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(&manifest).context("the split manifest is not valid")?;
    let gzip_of = |stem: &str| -> Result<usize> {
        let path = pkg.join(format!("{stem}.wasm"));
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        gzip_len(&bytes)
    };
    let mut main = 0;
    for name in [
        "gantry_bg.wasm",
        "gantry.js",
        "__wasm_split.______________________.js",
    ] {
        main += gzip_len(&std::fs::read(pkg.join(name))?)?;
    }
    println!(
        "{:<34} {main:>9} gzip (WASM, glue, chunk loader)",
        "host main bundle"
    );
    for (page, chunks) in &pages {
        let mut own = 0;
        for chunk in chunks {
            own += gzip_of(chunk)?;
        }
        println!(
            "{:<34} {own:>9} gzip in {} chunks; first page there {:>9} gzip",
            format!("host page {page}"),
            chunks.len(),
            main + own
        );
    }
    if let Some(chat) = pages.get("gantry_chat") {
        let mut only_chat = 0;
        for chunk in chat {
            let shared = pages
                .iter()
                .any(|(page, chunks)| page != "gantry_chat" && chunks.contains(chunk));
            if !shared {
                only_chat += gzip_of(chunk)?;
            }
        }
        println!(
            "{:<34} {only_chat:>9} gzip (chunks no other page loads)",
            "host: what only Chat needs"
        );
    }
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}
