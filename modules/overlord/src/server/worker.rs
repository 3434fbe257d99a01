//! The background worker, started by `on_startup` and stopped by `on_shutdown`:
//! every round it checks each project's health and sends queued tasks to their
//! projects, highest priority first. A new task wakes it at once.

use std::time::Duration;

use gantry_sdk::{AuditEvent, BoxError, ModuleContext, Setting, SettingType};
use sqlx::Row;
use tokio::sync::{watch, Mutex, Notify};

use super::{error::OverlordError, now, projects, tasks};
use crate::model::{Health, Project, TaskState};

/// How the worker runs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Time between rounds.
    pub interval: Duration,
    /// How long a health check or a dispatch may take.
    pub request_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(30),
            request_timeout: Duration::from_secs(5),
        }
    }
}

/// The declared settings `interval_secs` and `request_timeout_secs`, with `defaults`
/// as their defaults: an administrator changes them in Admin → Overlord, and the
/// next round uses them.
pub fn declared_settings(defaults: &Settings) -> (Setting, Setting) {
    (
        Setting::new(
            "interval_secs",
            "Seconds between rounds",
            SettingType::Number,
        )
        .help("How often every project's health is checked and queued tasks are sent.")
        .default_value(defaults.interval.as_secs_f64())
        .range(Some(0.1), Some(86_400.0))
        .required(),
        Setting::new(
            "request_timeout_secs",
            "Request time limit (seconds)",
            SettingType::Number,
        )
        .help("How long a health check or a dispatch may take before it counts as failed.")
        .default_value(defaults.request_timeout.as_secs_f64())
        .range(Some(0.5), Some(300.0))
        .required(),
    )
}

/// The interval and time limit now: the saved settings, else `defaults`.
async fn current(ctx: &ModuleContext, defaults: &Settings) -> Settings {
    let saved = match ctx.settings().instance().await {
        Ok(saved) => saved,
        Err(err) => {
            tracing::warn!("overlord: cannot read its settings, using the defaults: {err}");
            return defaults.clone();
        }
    };
    let secs = |key: &str, default: Duration| {
        saved
            .get::<f64>(key)
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(default, Duration::from_secs_f64)
    };
    Settings {
        interval: secs("interval_secs", defaults.interval),
        request_timeout: secs("request_timeout_secs", defaults.request_timeout),
    }
}

/// Wakes workers when there is new work (a task was dispatched).
static WAKE: Notify = Notify::const_new();

/// Asks the worker to look for work now.
pub fn wake() {
    // `notify_one` keeps the wake-up for a worker that is not waiting yet.
    WAKE.notify_one();
}

/// The running worker, if started.
pub struct Worker {
    settings: Settings,
    running: Mutex<Option<(watch::Sender<bool>, tokio::task::JoinHandle<()>)>>,
}

impl Worker {
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            running: Mutex::new(None),
        }
    }

    /// Fails the tasks a previous run left running (they are not sent twice), then
    /// starts the rounds.
    pub async fn start(&self, ctx: ModuleContext) -> Result<(), BoxError> {
        let interrupted = tasks::fail_interrupted(&ctx).await?;
        if interrupted > 0 {
            tracing::warn!(
                "overlord: {interrupted} task(s) were running when Gantry stopped; marked failed"
            );
        }
        let defaults = self.settings.clone();
        let (stop, mut stopped) = watch::channel(false);
        let mut saved = ctx.settings().changes();
        let handle = tokio::spawn(async move {
            loop {
                let settings = current(&ctx, &defaults).await;
                if let Err(err) = round(&ctx, &settings).await {
                    tracing::error!("overlord: worker round failed: {err}");
                }
                tokio::select! {
                    _ = stopped.changed() => break,
                    () = tokio::time::sleep(settings.interval) => {}
                    () = WAKE.notified() => {}
                    // New settings apply at once.
                    _ = saved.changed() => {}
                }
            }
        });
        *self.running.lock().await = Some((stop, handle));
        Ok(())
    }

    /// Stops the rounds, letting the current one finish.
    pub async fn stop(&self) {
        if let Some((stop, handle)) = self.running.lock().await.take() {
            let _ = stop.send(true);
            let _ = handle.await;
        }
    }
}

/// One round: every project's health (when this instance's turn: see
/// [`claim_health_round`]), then every queued task (each leased by the instance that
/// sends it).
async fn round(ctx: &ModuleContext, settings: &Settings) -> Result<(), OverlordError> {
    if claim_health_round(ctx, settings.interval).await? {
        for project in projects::all(ctx).await? {
            check_with(ctx, settings.request_timeout, project).await?;
        }
    }
    while let Some(task_id) = tasks::next_queued(ctx).await? {
        send_task(ctx, settings.request_timeout, task_id).await?;
    }
    remember(ctx, LAST_ROUND, &now().to_string()).await
}

/// The `overlord_state` key of when the projects' health was last checked (Unix
/// milliseconds, the time its round claimed it).
const HEALTH_ROUND: &str = "health_round_claimed_ms";

/// Whether this instance checks the projects' health this round. However many
/// instances share the database, the first to ask once `interval` has (nearly)
/// passed since the last check claims it, in one conditional upsert; the others
/// skip it, so each project is checked once per interval, not once per instance.
async fn claim_health_round(
    ctx: &ModuleContext,
    interval: Duration,
) -> Result<bool, OverlordError> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let interval_ms = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
    // A tenth early still counts as due: the instances' timers drift.
    let due_if_before = now_ms.saturating_sub(interval_ms - interval_ms / 10);
    let claimed = sqlx::query(
        "INSERT INTO overlord_state (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at \
         WHERE CAST(overlord_state.value AS BIGINT) <= $4",
    )
    .bind(HEALTH_ROUND)
    .bind(now_ms.to_string())
    .bind(now())
    .bind(due_if_before)
    .execute(&ctx.db)
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

/// How much longer than its request's time limit a task's lease lasts.
const LEASE_MARGIN_SECS: i64 = 30;

/// The `overlord_state` key of the last round's time (Unix seconds).
pub const LAST_ROUND: &str = "last_round_at";

/// Checks `project`'s health now and stores it; returns the project as updated.
pub async fn check_project(
    ctx: &ModuleContext,
    project: Project,
) -> Result<Project, OverlordError> {
    let settings = current(ctx, &Settings::default()).await;
    check_with(ctx, settings.request_timeout, project).await
}

/// The module's one HTTP client (connections are pooled; each request sets its
/// own timeout). It follows no redirect: a project answers at the URL it was given.
fn http() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Shorter than common servers' keep-alive (Node's is 5 s): a pooled
            // connection the project is about to close is never picked for a POST.
            .pool_idle_timeout(Duration::from_secs(2))
            .build()
            .expect("the HTTP client's settings are valid")
    })
}

/// The most of a project's answer that is read (and kept in the task's history).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Up to [`MAX_ANSWER_BYTES`] of `res`'s body as text; the rest is never read.
async fn read_capped(mut res: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while let Ok(Some(chunk)) = res.chunk().await {
        let room = MAX_ANSWER_BYTES - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= MAX_ANSWER_BYTES {
            break;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

async fn check_with(
    ctx: &ModuleContext,
    timeout: Duration,
    project: Project,
) -> Result<Project, OverlordError> {
    let Some(url) = project.health_url.clone() else {
        return Ok(project);
    };
    let (health, detail) = match http().get(&url).timeout(timeout).send().await {
        Ok(res) if res.status().is_success() => {
            (Health::Up, format!("HTTP {}", res.status().as_u16()))
        }
        Ok(res) => (Health::Down, format!("HTTP {}", res.status().as_u16())),
        Err(err) => (Health::Down, describe(&err)),
    };
    let at = now();
    // One transaction, so nobody reads the new state with the old detail. Only the
    // check that actually changes the state records the change, so two checks at
    // once (the worker's and "check now") never log it twice.
    let mut tx = ctx.db.begin().await?;
    let changed =
        sqlx::query("UPDATE overlord_projects SET status = $1 WHERE id = $2 AND status <> $1")
            .bind(health.as_str())
            .bind(project.id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
    sqlx::query(
        "UPDATE overlord_projects SET status_detail = $1, last_checked_at = $2 WHERE id = $3",
    )
    .bind(&detail)
    .bind(at)
    .bind(project.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if changed {
        ctx.audit
            .record(
                AuditEvent::new("project.health_changed")
                    .target(&project.name)
                    .detail(format!(
                        "{} → {}: {detail}",
                        project.health.as_str(),
                        health.as_str()
                    )),
            )
            .await
            .map_err(OverlordError::Audit)?;
    }
    Ok(Project {
        health,
        health_detail: Some(detail),
        last_checked_at: Some(at),
        ..project
    })
}

/// Sends task `id` to its project (unless it was cancelled meanwhile).
async fn send_task(ctx: &ModuleContext, timeout: Duration, id: i64) -> Result<(), OverlordError> {
    // The lease outlasts the request's own time limit: until then no starting
    // instance takes this task for interrupted.
    let lease_until =
        now() + i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX / 2) + LEASE_MARGIN_SECS;
    if !tasks::claim(ctx, id, lease_until).await? {
        return Ok(());
    }
    let row = sqlx::query(
        "SELECT t.instruction, t.priority, p.name, p.dispatch_url FROM overlord_tasks t \
         JOIN overlord_projects p ON p.id = t.project_id WHERE t.id = $1",
    )
    .bind(id)
    .fetch_one(&ctx.db)
    .await?;
    let project: String = row.try_get("name")?;
    let url: Option<String> = row.try_get("dispatch_url")?;
    let body = serde_json::json!({
        "task_id": id,
        "project": project,
        "instruction": row.try_get::<String, _>("instruction")?,
        "priority": crate::model::Priority::from_rank(row.try_get("priority")?),
    });
    let outcome = match url {
        None => Err(format!("project `{project}` has no dispatch URL")),
        Some(url) => match http().post(&url).json(&body).timeout(timeout).send().await {
            Ok(res) => {
                let status = res.status();
                let text = read_capped(res).await;
                let text: String = text.chars().take(2000).collect();
                if status.is_success() {
                    Ok(text)
                } else {
                    Err(format!("HTTP {}: {text}", status.as_u16()))
                }
            }
            Err(err) => Err(describe(&err)),
        },
    };
    let (state, note) = match outcome {
        Ok(answer) => (TaskState::Done, answer),
        Err(why) => (TaskState::Failed, why),
    };
    let moved = tasks::transition(ctx, id, TaskState::Running, state, Some(&note)).await?;
    // What really happened, even when the task was given up for interrupted meanwhile.
    let note = if moved {
        note
    } else {
        format!("{note} (after the task had been marked failed as interrupted)")
    };
    ctx.audit
        .record(
            AuditEvent::new(format!("task.{}", state.as_str()))
                .target(format!("task {id} → {project}"))
                .detail(note),
        )
        .await
        .map_err(OverlordError::Audit)
}

/// A request error in words, with its cause.
fn describe(err: &reqwest::Error) -> String {
    let mut text = if err.is_timeout() {
        "timed out".to_owned()
    } else if err.is_connect() {
        "cannot connect".to_owned()
    } else {
        err.to_string()
    };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// Keeps `value` under `key` in `overlord_state`.
async fn remember(ctx: &ModuleContext, key: &str, value: &str) -> Result<(), OverlordError> {
    sqlx::query(
        "INSERT INTO overlord_state (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value)
    .bind(now())
    .execute(&ctx.db)
    .await?;
    Ok(())
}

/// The value under `key` in `overlord_state`.
pub async fn recall(ctx: &ModuleContext, key: &str) -> Result<Option<String>, OverlordError> {
    Ok(
        sqlx::query_scalar("SELECT value FROM overlord_state WHERE key = $1")
            .bind(key)
            .fetch_optional(&ctx.db)
            .await?,
    )
}
