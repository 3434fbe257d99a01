//! The command line and the environment variables that stand in for its options.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

/// Gantry: a host for pluggable modules.
#[derive(Debug, Parser)]
#[command(name = "gantry", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the web interface and API.
    Serve(ServeArgs),
    /// Apply the core migrations, or show which are applied.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(subcommand)]
        command: Option<MigrateCommand>,
    },
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum MigrateCommand {
    /// Apply every pending migration (the default).
    Apply,
    /// List every migration and whether it is applied.
    Status,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "GANTRY_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Folder holding the built site: the WASM/JS bundle under `pkg/` and the stylesheet.
    #[arg(long, env = "GANTRY_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
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

impl DatabaseArgs {
    /// The URL to connect to: the one given, or the SQLite file in the data dir.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("gantry.db").display()),
        }
    }
}
