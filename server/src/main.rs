//! The `gantry` command: read the configuration, then serve or migrate.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Parser;
use gantry_server::{
    accounts::{self, AdminSetup},
    auth::Auth,
    chat::{connections, messages, ChatState},
    config::{
        Cli, Command, DatabaseArgs, LogFormat, MigrateCommand, ModuleCommand, ModulesArgs,
        ServeArgs, UserCommand,
    },
    db::Db,
    logs::LogBuffer,
    metrics::{Metrics, MetricsAccess},
    migrate_command, module_check,
    module_command::{self, Kind},
    modules::{self, ModuleOptions},
    retention::Retention,
    secrets::Secrets,
    serve, shutdown_signal, AppState,
};

/// Rendering a page allocates and frees many small values (glibc's malloc was a
/// quarter of a page render's time); mimalloc is made for that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Logs to standard output as `format`, and into `logs` for Admin → Logs, what
/// `RUST_LOG` lets through.
fn start_logging(format: LogFormat, logs: &LogBuffer) {
    use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt, Layer};
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // sqlx reports PostgreSQL's notices ("… already exists, skipping") at info:
        // meant for developers, not for `gantry migrate`'s reader.
        .unwrap_or_else(|_| "info,tower_http=info,sqlx=warn".into());
    let output = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer().boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer().json().boxed(),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .with(logs.layer())
        .init();
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let logs = LogBuffer::default();
    start_logging(cli.log_format, &logs);

    match cli.command {
        Command::Serve(args) => serve_command(args, logs).await?,
        Command::Dev { folder, mut serve } => {
            if !folder.join(modules::discovery::MANIFEST_FILE).is_file() {
                anyhow::bail!(
                    "`{}` holds no {}: give the folder of a drop-in module (`gantry module new NAME --dir DIR` writes one)",
                    folder.display(),
                    modules::discovery::MANIFEST_FILE
                );
            }
            serve.dev_module = Some(folder);
            serve_command(serve, logs).await?;
        }
        Command::Module { command } => match command {
            ModuleCommand::New {
                name,
                leptos,
                js: _,
                dir,
                database,
                modules,
            } => {
                let kind = if leptos { Kind::Leptos } else { Kind::Js };
                let parent = dir.unwrap_or_else(|| modules.dir(&database));
                print!("{}", module_command::new(&name, kind, &parent)?);
            }
            ModuleCommand::Check {
                path,
                postgres,
                no_postgres,
                browser,
                no_browser,
            } => {
                let setup =
                    module_check::CheckSetup::new(postgres, !no_postgres, browser, !no_browser);
                let checked = module_check::check(&path, setup.with()).await;
                // Its throwaway server is stopped here: `exit` below runs no destructors.
                drop(setup);
                let (report, passed) = checked?;
                print!("{report}");
                if !passed {
                    std::process::exit(1);
                }
            }
            ModuleCommand::Disable {
                name,
                with_dependents,
                database,
                modules,
            } => print!(
                "{}",
                switch_module(&name, Switch::Off { with_dependents }, database, modules).await?
            ),
            ModuleCommand::Install {
                path,
                database,
                modules,
            } => print!(
                "{}",
                modules::install::from_command_line(&path, &modules.dir(&database)).await?
            ),
            ModuleCommand::Enable {
                name,
                database,
                modules,
            } => print!(
                "{}",
                switch_module(&name, Switch::On, database, modules).await?
            ),
        },
        Command::User { database, command } => {
            let db = Db::connect(&database.url()).await?;
            db.migrate().await?;
            match command {
                UserCommand::Unlock { username } => {
                    accounts::unlock_username(&db, &username).await?;
                    println!("`{username}` may sign in again");
                }
            }
        }
        Command::Migrate {
            database,
            modules,
            command,
        } => {
            let db = Db::connect(&database.url()).await?;
            let options = ModuleOptions::new(Some(modules.dir(&database)));
            let command = command.unwrap_or(MigrateCommand::Up { module: None });
            print!("{}", migrate_command::run(&db, &options, command).await?);
        }
    }
    Ok(())
}

/// `gantry serve` (and `gantry dev`, which sets `--dev-module`).
async fn serve_command(args: ServeArgs, logs: LogBuffer) -> anyhow::Result<()> {
    if args.dev_module.is_none() && (args.dev_build.is_some() || args.dev_watch.is_some()) {
        anyhow::bail!("--dev-build and --dev-watch are for a module under development: use `gantry dev FOLDER`");
    }
    let db = Db::connect(&args.database.url()).await?;
    let turn = db.startup_turn().await?;
    db.migrate().await?;
    let setup = accounts::ensure_admin(&db, args.admin_password.as_deref()).await?;
    let secrets = Secrets::load(&args.database.data_dir)?;
    if let Some(url) = &args.llm_url {
        connections::ensure_default(&db, &secrets, url, args.llm_api_key.as_deref())
            .await
            .context("cannot set up the model server connection `default` from --llm-url")?;
    }
    let interrupted = messages::fail_interrupted(&db).await?;
    if interrupted > 0 {
        tracing::warn!(
            "{interrupted} chat answers were cut off by the last stop and are marked failed"
        );
    }
    let modules_dir = args.modules.dir(&args.database);
    let mut options = ModuleOptions::new(Some(modules_dir.clone()));
    options.secrets = secrets.clone();
    options.unpack_dir = Some(args.database.data_dir.join("built-in").join("modules"));
    options.dev_module = args.dev_module.clone();
    options.dev_build = args
        .dev_build
        .clone()
        .map(|command| modules::dev_loop::FrontendBuild {
            command,
            watch: args.dev_watch.clone(),
        });
    let registry = modules::load(&db, &options, modules::compiled_in()).await;
    drop(turn);
    let dev_user = args.dev_user.map(|u| u.user());
    if let Some(user) = &dev_user {
        tracing::warn!(
            "development setting: every request acts as `{}`; never use this in production",
            user.name
        );
    }
    let site_root = site_root(args.site_root, &args.database.data_dir)?;
    let state = AppState::new(db, &site_root)
        .with_dirs(&args.database.data_dir, &modules_dir)
        .with_modules(registry)
        .with_chat(ChatState::new(secrets))
        .with_logs(logs)
        .with_metrics(Metrics::new(MetricsAccess {
            from: args.metrics_from,
            token: args.metrics_token.filter(|t| !t.is_empty()),
        }))
        .with_retention(Retention {
            audit_days: (args.audit_retention_days > 0).then_some(args.audit_retention_days),
        })
        .with_auth(Auth {
            dev_user,
            trust_forwarded_for: args.trust_forwarded_for,
            secure_cookies: args.secure_cookies,
        });
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let address = listener.local_addr()?;
    tracing::info!("Gantry listening on http://{address}");
    if let AdminSetup::SetupToken(token) = setup {
        tracing::warn!(
            "no administrator account yet: open http://{address}/setup?token={token} to create one \
             (the link works once; or restart with GANTRY_ADMIN_PASSWORD=<at least 10 characters> to create `admin`)"
        );
    }
    serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// What `gantry module enable|disable` asks for.
enum Switch {
    On,
    Off { with_dependents: bool },
}

/// The built site to serve: `--site-root` when given, else the one this binary
/// carries (written under the data dir), else `target/site` (a development build).
fn site_root(given: Option<PathBuf>, data_dir: &Path) -> anyhow::Result<PathBuf> {
    if let Some(root) = given {
        return Ok(root);
    }
    let built_in = gantry_server::embedded::unpack_site(data_dir).with_context(|| {
        format!(
            "cannot write the built-in site under {}",
            data_dir.display()
        )
    })?;
    Ok(built_in.unwrap_or_else(|| PathBuf::from("target/site")))
}

/// `gantry module enable|disable NAME`.
async fn switch_module(
    name: &str,
    switch: Switch,
    database: DatabaseArgs,
    modules: ModulesArgs,
) -> anyhow::Result<String> {
    let db = Db::connect(&database.url()).await?;
    db.migrate().await?;
    let options = ModuleOptions::new(Some(modules.dir(&database)));
    let (enabled, with_dependents) = match switch {
        Switch::On => (true, false),
        Switch::Off { with_dependents } => (false, with_dependents),
    };
    Ok(modules::switch::from_command_line(&db, &options, name, enabled, with_dependents).await?)
}
