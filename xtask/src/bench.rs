//! `cargo xtask bench`: size and speed figures, printed (never asserted in tests).

use anyhow::Result;

use crate::{cmd, site, tools};

/// Builds for release and prints the size of what the browser downloads.
pub fn bench() -> Result<()> {
    tools::ensure_build_tools(site::Profile::Release)?;
    let site_root = site::build_site(site::Profile::Release)?;
    cmd::step("bench", "release bundle sizes");
    let pkg = site_root.join("pkg");
    for name in ["gantry_bg.wasm", "gantry.js", "gantry.css"] {
        let bytes = std::fs::read(pkg.join(name))?;
        println!(
            "{name:<16} {:>9} bytes raw {:>9} bytes gzip",
            bytes.len(),
            gzip_len(&bytes)?
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
