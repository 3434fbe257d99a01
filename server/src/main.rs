//! The `gantry` command: read the configuration, then serve or migrate.

use anyhow::Context;
use clap::Parser;
use gantry_server::{
    config::{Cli, Command, MigrateCommand},
    db::Db,
    serve, shutdown_signal, AppState,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .init();

    match cli.command {
        Command::Serve(args) => {
            let db = Db::connect(&args.database.url()).await?;
            db.migrate().await?;
            let state = AppState::new(db, &args.site_root);
            let listener = tokio::net::TcpListener::bind(args.addr)
                .await
                .with_context(|| format!("cannot listen on {}", args.addr))?;
            tracing::info!("Gantry listening on http://{}", listener.local_addr()?);
            serve(listener, state, shutdown_signal()).await?;
        }
        Command::Migrate { database, command } => {
            let db = Db::connect(&database.url()).await?;
            match command.unwrap_or(MigrateCommand::Apply) {
                MigrateCommand::Apply => {
                    let applied = db.migrate().await?;
                    println!("{applied} migration(s) applied");
                }
                MigrateCommand::Status => {
                    for row in db.migration_status().await? {
                        let state = if row.applied { "applied" } else { "pending" };
                        println!("{:>14}  {state:<8} {}", row.version, row.description);
                    }
                }
            }
        }
    }
    Ok(())
}
