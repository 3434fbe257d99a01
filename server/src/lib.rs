//! The Gantry server: axum serving the Leptos app, the API and the database.
//!
//! [`app`] builds the whole HTTP service from an [`AppState`]; [`serve`] runs it on a
//! listener until a shutdown future completes. `main.rs` only reads configuration.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod chat;
pub mod config;
pub mod db;
pub mod embedded;
pub mod http_server;
pub mod instance_settings;
pub mod json_errors;
pub mod knowledge;
pub mod logs;
pub mod metrics;
pub mod migrate_command;
pub mod module_check;
pub mod module_command;
pub mod modules;
pub mod notifications;
pub mod retention;
pub mod router;
pub mod secrets;
pub mod security;

use std::{future::Future, path::Path, sync::Arc, time::Duration};

use axum::{extract::FromRef, middleware, routing::get, Router};
use leptos::config::LeptosOptions;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    timeout::{RequestBodyTimeoutLayer, TimeoutLayer},
    trace::TraceLayer,
};

use auth::Auth;
use chat::ChatState;
use db::Db;
pub use http_server::ServeLimits;
use modules::ModuleRegistry;

/// Name of the generated JS/WASM files under `<site root>/pkg/`.
pub const OUTPUT_NAME: &str = "gantry";

/// Everything a request handler may need; handlers take the part they use.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    pub modules: Arc<ModuleRegistry>,
    pub auth: Auth,
    pub system: SystemFacts,
    pub chat: ChatState,
    pub knowledge: knowledge::ingest::IngestQueue,
    pub retention: retention::Retention,
    pub logs: logs::LogBuffer,
    pub metrics: metrics::Metrics,
    pub sessions: accounts::SessionCache,
}

/// What the Admin page's System tab reports that only start-up knows.
#[derive(Clone, Debug)]
pub struct SystemFacts {
    pub started: std::time::Instant,
    pub data_dir: String,
    pub modules_dir: String,
}

impl SystemFacts {
    /// The facts now, for `db` of `database_bytes` whose module boundary is
    /// `module_boundary`.
    pub fn info(
        &self,
        db: &Db,
        database_bytes: Option<u64>,
        module_boundary: &str,
    ) -> gantry_sdk::SystemInfo {
        gantry_sdk::SystemInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            database: match db.kind {
                db::DbKind::Sqlite => "sqlite",
                db::DbKind::Postgres => "postgres",
            }
            .into(),
            database_bytes,
            uptime_seconds: self.started.elapsed().as_secs(),
            data_dir: self.data_dir.clone(),
            modules_dir: self.modules_dir.clone(),
            module_boundary: module_boundary.to_owned(),
            vector_search: knowledge::embeddings::vector_search(db.kind).into(),
        }
    }
}

impl AppState {
    /// State for a server whose built site (bundle and stylesheet) is in `site_root`,
    /// with no modules and anonymous requests.
    pub fn new(db: Db, site_root: &Path) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name(OUTPUT_NAME)
            .site_root(site_root.display().to_string())
            .site_pkg_dir("pkg")
            .build();
        Self {
            db,
            leptos_options,
            modules: Arc::default(),
            auth: Auth::default(),
            // A key for this process only; `with_chat` gives the instance's.
            chat: ChatState::new(secrets::Secrets::ephemeral()),
            knowledge: knowledge::ingest::IngestQueue::default(),
            retention: retention::Retention::default(),
            logs: logs::LogBuffer::default(),
            metrics: metrics::Metrics::default(),
            sessions: accounts::SessionCache::default(),
            system: SystemFacts {
                started: std::time::Instant::now(),
                data_dir: String::new(),
                modules_dir: String::new(),
            },
        }
    }

    /// The same state reporting these folders on the Admin page.
    pub fn with_dirs(mut self, data_dir: &Path, modules_dir: &Path) -> Self {
        self.system.data_dir = data_dir.display().to_string();
        self.system.modules_dir = modules_dir.display().to_string();
        self
    }

    /// The same state serving `modules`.
    pub fn with_modules(mut self, modules: ModuleRegistry) -> Self {
        self.modules = Arc::new(modules);
        self
    }

    /// The same state with Chat's model catalog and the instance's secrets.
    pub fn with_chat(mut self, chat: ChatState) -> Self {
        self.chat = chat;
        self
    }

    /// The same state keeping audit entries this long.
    pub fn with_retention(mut self, retention: retention::Retention) -> Self {
        self.retention = retention;
        self
    }

    /// The same state showing the lines `logs` keeps on Admin → Logs.
    pub fn with_logs(mut self, logs: logs::LogBuffer) -> Self {
        self.logs = logs;
        self
    }

    /// The same state counting into `metrics` (and serving them as they allow).
    pub fn with_metrics(mut self, metrics: metrics::Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// The same state remembering sessions in `sessions`.
    pub fn with_sessions(mut self, sessions: accounts::SessionCache) -> Self {
        self.sessions = sessions;
        self
    }

    /// The same state authenticating requests with `auth`.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }
}

/// How long a handler may take to start its answer (a streamed answer starts at
/// once and may then go on).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a client may take to send a request's body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole HTTP service: routes behind the auth middleware, errors of the API as
/// JSON (panics too), time limits, then request tracing and compression.
pub fn app(state: AppState) -> Router {
    let routes = router::routes(&state)
        .route_layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .layer(middleware::from_fn_with_state(
            state.db.clone(),
            chat::page_status::conversation_page_status,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            router::measure_database,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::attach_user,
        ))
        .with_state(state.clone());
    // Used by Prometheus: allowed addresses or the metrics token only (no account,
    // no login page).
    let scrape = Router::new()
        .route(metrics::PATH, get(metrics::serve_metrics))
        .with_state(state.clone());
    let routes = routes
        .merge(scrape)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::protect,
        ))
        .layer(middleware::from_fn_with_state(
            state.auth.clone(),
            auth::attach_client_address,
        ));
    outer_layers(routes)
}

/// What wraps every route: panics answered as JSON 500s, time limits, JSON for
/// every API error, compression and tracing.
fn outer_layers(routes: Router) -> Router {
    routes
        .layer(CatchPanicLayer::custom(json_errors::panic_response))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(middleware::from_fn(json_errors::json_errors))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// How long each module's `on_shutdown` may take.
const SHUTDOWN_HOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves [`app`] on `listener` with the default [`ServeLimits`] until `shutdown`
/// completes, lets in-flight requests finish (for a while), then runs the modules'
/// `on_shutdown` hooks.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, shutdown, ServeLimits::default()).await
}

/// [`serve`] with other limits.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: ServeLimits,
) -> std::io::Result<()> {
    let modules = state.modules.clone();
    let pruning = tokio::spawn(retention::run(state.db.clone(), state.retention));
    let following = tokio::spawn(modules::switch::follow(
        state.modules.clone(),
        state.db.clone(),
    ));
    let developing = tokio::spawn(modules::dev_loop::follow(
        state.modules.clone(),
        state.db.clone(),
    ));
    let notifications = notifications::Notifications::new(&[
        accounts::session_cache::CHANNEL,
        modules::settings::SAVES_CHANNEL,
    ]);
    let settings_saves = state.modules.settings.clone().map(|settings| {
        let heard = notifications.subscribe(modules::settings::SAVES_CHANNEL);
        tokio::spawn(modules::settings::follow_saves(settings, heard))
    });
    let hearing = tokio::spawn(accounts::session_cache::follow_changes(
        notifications.subscribe(accounts::session_cache::CHANNEL),
        state.sessions.clone(),
    ));
    let listening = tokio::spawn(notifications.run(state.db.clone()));
    let ingesting = tokio::spawn(knowledge::ingest::run(
        state.db.clone(),
        state.chat.clone(),
        state.knowledge.clone(),
        modules.closing.clone(),
    ));
    let closing = modules.closing.clone();
    let shutdown = async move {
        shutdown.await;
        closing.cancel();
    };
    let res = http_server::serve_router(listener, app(state), shutdown, limits).await;
    pruning.abort();
    listening.abort();
    hearing.abort();
    developing.abort();
    if let Some(task) = settings_saves {
        task.abort();
    }
    // A document cut off mid-way is taken again when its lease runs out.
    ingesting.abort();
    // It stops at the start of shutdown, once a change under way is done.
    let _ = following.await;
    modules.shutdown(SHUTDOWN_HOOK_TIMEOUT).await;
    res
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!("cannot listen for SIGTERM: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::Request, routing::get};
    use tower::ServiceExt;

    /// No host handler panics on purpose, so this one is made for the test: behind
    /// the host's layers it answers a JSON 500 without the panic's words, and the
    /// service goes on.
    #[tokio::test]
    async fn a_panicking_host_handler_answers_a_json_500() {
        let app = super::outer_layers(
            axum::Router::new()
                .route(
                    "/api/boom",
                    get(|| async {
                        if true {
                            panic!("secret detail");
                        }
                        "never"
                    }),
                )
                .route("/api/fine", get(|| async { "fine" })),
        );
        let res = app
            .clone()
            .oneshot(Request::get("/api/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 500);
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"]["code"], "internal", "{json}");
        assert!(!json.to_string().contains("secret detail"), "{json}");
        let res = app
            .oneshot(Request::get("/api/fine").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
}
