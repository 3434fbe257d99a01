//! A throwaway PostgreSQL server for the browser suite's Gantry on PostgreSQL, from
//! Debian's packages: a cluster in a temp folder, on a free port, trusting local
//! connections; stopped and removed when dropped.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result};

use crate::cmd;

/// A running PostgreSQL server.
pub struct TempPostgres {
    dir: PathBuf,
    bin: PathBuf,
    /// `postgres://gantry@127.0.0.1:<port>/postgres`.
    pub url: String,
}

/// The newest `/usr/lib/postgresql/<version>/bin` with `initdb`, if any.
pub fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    cmd::output(Command::new("id").arg("-u")).is_some_and(|id| id.trim() == "0")
}

/// `program` run as the `postgres` user when we are root (PostgreSQL refuses root).
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

impl TempPostgres {
    /// Creates a cluster and starts it on `port`.
    pub fn start(port: u16) -> Result<Self> {
        let bin = bin_dir().context("PostgreSQL is not installed (/usr/lib/postgresql/*/bin)")?;
        let dir = std::env::temp_dir().join(format!("gantry-pg-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir)?;
        if is_root() {
            cmd::run(Command::new("chown").arg("postgres").arg(&dir))?;
        }
        cmd::step(
            "postgres",
            &format!("a throwaway server on 127.0.0.1:{port}"),
        );
        let data = dir.join("data");
        cmd::run(
            as_postgres(&bin.join("initdb"))
                .arg("-D")
                .arg(&data)
                .args(["-A", "trust", "-U", "gantry", "--no-sync"])
                .stdout(std::process::Stdio::null()),
        )?;
        let options = format!(
            "-k {} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off",
            dir.display()
        );
        cmd::run(
            as_postgres(&bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "-l"])
                .arg(dir.join("log"))
                .args(["-w", "start"])
                .stdout(std::process::Stdio::null()),
        )?;
        Ok(Self {
            url: format!("postgres://gantry@127.0.0.1:{port}/postgres"),
            dir,
            bin,
        })
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "stop"])
            .stdout(std::process::Stdio::null())
            .status();
        let _ = fs::remove_dir_all(&self.dir);
    }
}
