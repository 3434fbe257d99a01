//! A PostgreSQL server of the check's own, when the machine has PostgreSQL's
//! programs but the check was given no server: a cluster in a temp folder that
//! trusts local connections, on a free 127.0.0.1 port, stopped and removed when
//! dropped. PostgreSQL refuses to run as root, so as root it runs as `postgres`.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{bail, Context, Result};

/// A running throwaway server.
pub struct ThrowawayPostgres {
    dir: PathBuf,
    bin: PathBuf,
    /// A URL of a user that may create databases and roles.
    pub url: String,
}

/// The folder of the newest installed PostgreSQL's `initdb` and `pg_ctl`: on `PATH`,
/// else Debian's `/usr/lib/postgresql/<version>/bin`.
pub fn programs() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).find(|dir| has_both(dir)))
    {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_both(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

impl ThrowawayPostgres {
    /// Creates and starts a cluster with the programs in `bin`.
    pub fn start(bin: &Path) -> Result<Self> {
        let as_root = is_root();
        let dir = std::env::temp_dir().join(format!(
            "gantry-check-pg-{}-{}",
            std::process::id(),
            crate::accounts::random_hex(4)
        ));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mut server = Self {
            dir,
            bin: bin.to_owned(),
            url: String::new(),
        };
        if as_root {
            run(Command::new("chown").arg("postgres").arg(&server.dir))?;
        }
        let port = free_port()?;
        let data = server.dir.join("data");
        run(server.program("initdb").arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "gantry",
            "--no-sync",
        ]))?;
        let options = format!(
            "-k {} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off",
            server.dir.display()
        );
        run(server
            .program("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(server.dir.join("log"))
            .args(["-w", "start"]))?;
        server.url = format!("postgres://gantry@127.0.0.1:{port}/postgres");
        Ok(server)
    }

    /// `name` from the server's programs, as the `postgres` user when we are root.
    fn program(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        let mut command = if is_root() {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", "postgres", "--"]).arg(program);
            runuser
        } else {
            Command::new(program)
        };
        command.stdin(Stdio::null()).stdout(Stdio::null());
        command
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        if self.dir.join("data/postmaster.pid").exists() {
            let _ = self
                .program("pg_ctl")
                .arg("-D")
                .arg(self.dir.join("data"))
                .args(["-m", "immediate", "stop"])
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // Linux's /proc/self belongs to the process's effective user.
    std::fs::metadata("/proc/self").is_ok_and(|own| own.uid() == 0)
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn run(command: &mut Command) -> Result<()> {
    let output = command
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("cannot run {:?}", command.get_program()))?;
    if !output.status.success() {
        bail!(
            "{:?} failed: {}",
            command.get_program(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
