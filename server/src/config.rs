//! The command line and the environment variables that stand in for its options.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::auth::DevUser;

/// Gantry: a host for pluggable modules.
#[derive(Debug, Parser)]
#[command(name = "gantry", version)]
pub struct Cli {
    /// How log lines are written: `text` for people, `json` (one object a line) for
    /// log shippers.
    #[arg(long, global = true, env = "GANTRY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, start the modules, then serve the web interface and API.
    Serve(ServeArgs),
    /// Develop a drop-in module: serve Gantry with the module in FOLDER (used in
    /// place) and take in each change to it without a restart: the manifest checked
    /// again, new migrations applied, the module started again and its open
    /// components remounted in the browser.
    Dev {
        /// The module's folder, holding its `gantry-module.toml`.
        folder: PathBuf,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Write a new module, or check one.
    Module {
        #[command(subcommand)]
        command: ModuleCommand,
    },
    /// Look after accounts from the command line.
    User {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Show, apply, revert or baseline the host's and the modules' migrations.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        modules: ModulesArgs,
        #[command(subcommand)]
        command: Option<MigrateCommand>,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum ModuleCommand {
    /// Write a working module: a plain-JS drop-in folder (the default) or, with
    /// `--leptos`, a compiled-in crate with a Leptos frontend.
    New {
        /// The module's name: lowercase letters, digits and `-`.
        name: String,
        /// A compiled-in Rust crate with a Leptos frontend.
        #[arg(long, conflicts_with = "js")]
        leptos: bool,
        /// A drop-in folder with a plain-JS frontend (the default).
        #[arg(long)]
        js: bool,
        /// Where to create it: the modules folder by default.
        #[arg(long)]
        dir: Option<PathBuf>,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        modules: ModulesArgs,
    },
    /// Check a module folder or crate and print every problem; exits 1 if any.
    Check {
        /// The module's folder (with gantry-module.toml) or crate (with Cargo.toml).
        path: PathBuf,
        /// A PostgreSQL server (`postgres://user@host/db`, a user allowed to create
        /// databases and roles) to try the migrations on too, in a scratch database
        /// that is dropped afterwards.
        /// Without it, when PostgreSQL's programs are installed, a throwaway server
        /// of the check's own.
        #[arg(long, env = "GANTRY_CHECK_POSTGRES")]
        postgres: Option<String>,
        /// Do not try the migrations on PostgreSQL unless given `--postgres`.
        #[arg(long, conflicts_with = "postgres")]
        no_postgres: bool,
        /// The Chromium to import the bundle in (headless); without it, the first
        /// `chromium`, `chromium-browser` or `google-chrome` on PATH.
        #[arg(long, env = "GANTRY_CHECK_BROWSER")]
        browser: Option<PathBuf>,
        /// Do not import the bundle in a browser, only read it.
        #[arg(long, conflicts_with = "browser")]
        no_browser: bool,
    },
    /// Turn a module off: its API answers 503 and it leaves every page; running
    /// instances follow within seconds, and it stays off across restarts.
    Disable {
        /// The module's name.
        name: String,
        /// Also disable the modules that need it (else the command refuses, naming
        /// them).
        #[arg(long)]
        with_dependents: bool,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        modules: ModulesArgs,
    },
    /// Check a module (a folder, `.zip` or `.tar.gz`) and copy it into the modules
    /// folder; a running Gantry takes it in with Admin → Modules → Rescan.
    Install {
        /// The module's folder or archive.
        path: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        modules: ModulesArgs,
    },
    /// Turn a disabled module on again (running instances migrate and start it).
    Enable {
        /// The module's name.
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        modules: ModulesArgs,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Let an account that reached the failed sign-in limit sign in again at once.
    Unlock {
        /// The account's username.
        username: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum MigrateCommand {
    /// List every migration of the host and of each module, and whether it is applied.
    Status,
    /// Apply every pending migration: the host's, then each module's (the default).
    #[command(alias = "apply")]
    Up {
        /// Only this module's.
        #[arg(long)]
        module: Option<String>,
    },
    /// Revert a module's most recent migrations.
    Down {
        /// The module whose migrations to revert.
        #[arg(long)]
        module: String,
        /// How many to revert.
        #[arg(long, default_value_t = 1)]
        steps: usize,
    },
    /// Record a module's migrations as applied without running them, for a database
    /// whose schema already matches.
    Baseline {
        /// The module to baseline.
        #[arg(long)]
        module: String,
        /// Up to this version (all by default).
        #[arg(long)]
        version: Option<i64>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "GANTRY_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Folder holding the built site: the WASM/JS bundle under `pkg/` and the
    /// stylesheet. Without it, the site built into the binary (written under the data
    /// dir), or else `target/site`.
    #[arg(long, env = "GANTRY_SITE_ROOT")]
    pub site_root: Option<PathBuf>,
    /// Development only: act as this user on every request, without signing in.
    #[arg(long, env = "GANTRY_DEV_USER", value_enum)]
    pub dev_user: Option<DevUser>,
    /// On first start, create the administrator account `admin` with this password.
    #[arg(long, env = "GANTRY_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Behind a reverse proxy: take the client's address (for sign-in limits and the
    /// audit trail) from the last `X-Forwarded-For` entry, the one the proxy added.
    #[arg(long, env = "GANTRY_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Days the audit trail keeps an entry (0: forever).
    #[arg(long, env = "GANTRY_AUDIT_RETENTION_DAYS", default_value_t = 365)]
    pub audit_retention_days: u32,
    /// Behind TLS (a proxy that does not send `X-Forwarded-Proto`): session cookies
    /// are always `Secure`, and responses carry `Strict-Transport-Security`.
    #[arg(long, env = "GANTRY_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Client addresses that may read `/metrics` (comma-separated IPs).
    #[arg(long, env = "GANTRY_METRICS_FROM", value_delimiter = ',')]
    pub metrics_from: Vec<std::net::IpAddr>,
    /// A bearer token that may read `/metrics` from anywhere.
    #[arg(long, env = "GANTRY_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// An OpenAI-compatible model server (such as http://127.0.0.1:11434/v1 for
    /// Ollama): creates or updates the Chat connection named `default` at start-up.
    #[arg(long, env = "GANTRY_LLM_URL")]
    pub llm_url: Option<String>,
    /// The API key of `--llm-url`'s server, stored encrypted and never shown.
    #[arg(
        long,
        env = "GANTRY_LLM_API_KEY",
        hide_env_values = true,
        requires = "llm_url"
    )]
    pub llm_api_key: Option<String>,
    /// A drop-in module's folder, used in place and followed: each change to it is
    /// taken in without a restart (what `gantry dev FOLDER` sets).
    #[arg(long, env = "GANTRY_DEV_MODULE")]
    pub dev_module: Option<PathBuf>,
    /// With a module under development: the command that builds its frontend (such
    /// as a Leptos crate's WASM, as `cargo xtask dev` sets), run through `sh -c` in
    /// the module's folder before the module is read, at start and after each change.
    /// When it fails, the module fails with its output until a build passes.
    #[arg(long, env = "GANTRY_DEV_BUILD")]
    pub dev_build: Option<String>,
    /// With a module under development: one more folder to follow, such as its
    /// frontend crate when that lies outside the module's folder.
    #[arg(long, env = "GANTRY_DEV_WATCH", requires = "dev_build")]
    pub dev_watch: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub modules: ModulesArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL (`sqlite://…` or `postgres://…`); defaults to `<data dir>/gantry.db`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Folder for Gantry's own files, created on first run.
    #[arg(long, env = "GANTRY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ModulesArgs {
    /// Folder of drop-in modules (one sub-folder each); defaults to `<data dir>/modules`.
    #[arg(long, env = "GANTRY_MODULES_DIR")]
    pub modules_dir: Option<PathBuf>,
}

impl DatabaseArgs {
    /// The URL to connect to: the one given, or the SQLite file in the data dir.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("gantry.db").display()),
        }
    }
}

impl ModulesArgs {
    /// The drop-in modules folder.
    pub fn dir(&self, database: &DatabaseArgs) -> PathBuf {
        self.modules_dir
            .clone()
            .unwrap_or_else(|| database.data_dir.join("modules"))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn a_folder_to_follow_needs_a_build_to_run() {
        let alone = Cli::try_parse_from(["gantry", "dev", "m", "--dev-watch", "../f"]);
        let err = alone
            .expect_err("--dev-watch alone followed nothing")
            .to_string();
        assert!(err.contains("--dev-build"), "{err}");
        let both = [
            "gantry",
            "dev",
            "m",
            "--dev-watch",
            "../f",
            "--dev-build",
            "make",
        ];
        assert!(Cli::try_parse_from(both).is_ok());
    }
}
