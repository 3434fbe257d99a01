//! `gantry migrate`: the host's and the modules' migrations from the command line.

use anyhow::{bail, Context, Result};

use crate::{
    config::MigrateCommand,
    db::{Db, MigrationState},
    modules::{discovery, migrate, ModuleOptions},
};

/// Runs `command` and returns what to print.
pub async fn run(db: &Db, options: &ModuleOptions, command: MigrateCommand) -> Result<String> {
    let candidates = discovery::discover(options, crate::modules::compiled_in());
    let mut out = String::new();
    let find = |name: &str| {
        candidates
            .iter()
            .find(|c| c.name == name)
            .with_context(|| format!("no module named `{name}`"))?
            .module
            .as_ref()
            .map_err(|err| anyhow::anyhow!("{err}"))
    };
    match command {
        MigrateCommand::Status => {
            out += &table("gantry (core)", &db.migration_status().await?);
            for candidate in &candidates {
                let Ok(module) = &candidate.module else {
                    out += &format!("\n{}: cannot be read\n", candidate.name);
                    continue;
                };
                let rows = match migrate::migrator(module, db).await? {
                    Some(migrator) => db.migration_states(&migrator).await?,
                    None => Vec::new(),
                };
                out += &table(&format!("module {}", candidate.name), &rows);
            }
        }
        MigrateCommand::Up { module } => {
            let applied = db.migrate().await?;
            out += &format!("gantry (core): {} migration(s) applied\n", applied.len());
            for candidate in &candidates {
                if module.as_ref().is_some_and(|m| *m != candidate.name) {
                    continue;
                }
                let Ok(m) = &candidate.module else { continue };
                let rows = migrate::up(m, db).await?;
                out += &format!(
                    "module {}: {} of {} migration(s) applied\n",
                    candidate.name,
                    rows.iter().filter(|r| r.applied).count(),
                    rows.len()
                );
            }
        }
        MigrateCommand::Down { module, steps } => {
            if steps == 0 {
                bail!("--steps must be at least 1");
            }
            let reverted = migrate::down(find(&module)?, db, steps).await?;
            out += &format!("module {module}: reverted {reverted:?}\n");
        }
        MigrateCommand::Baseline { module, version } => {
            migrate::baseline(find(&module)?, db, version).await?;
            out += &format!("module {module}: baselined\n");
        }
    }
    Ok(out)
}

fn table(title: &str, rows: &[MigrationState]) -> String {
    let mut out = format!("{title}\n");
    if rows.is_empty() {
        out += "  (no migrations)\n";
    }
    for row in rows {
        let state = if row.applied { "applied" } else { "pending" };
        out += &format!("  {:>14}  {state:<8} {}\n", row.version, row.description);
    }
    out
}
