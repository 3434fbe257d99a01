//! The Gantry server: axum serving the Leptos app, the API and the database.
//!
//! [`app`] builds the whole HTTP service from an [`AppState`]; [`serve`] runs it on a
//! listener until a shutdown future completes. `main.rs` only reads configuration.

pub mod api;
pub mod config;
pub mod db;
pub mod router;

use std::{future::Future, path::Path};

use axum::{extract::FromRef, Router};
use leptos::config::LeptosOptions;
use tower_http::{compression::CompressionLayer, trace::TraceLayer};

use db::Db;

/// Name of the generated JS/WASM files under `<site root>/pkg/`.
pub const OUTPUT_NAME: &str = "gantry";

/// Everything a request handler may need; handlers take the part they use.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
}

impl AppState {
    /// State for a server whose built site (bundle and stylesheet) is in `site_root`.
    pub fn new(db: Db, site_root: &Path) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name(OUTPUT_NAME)
            .site_root(site_root.display().to_string())
            .site_pkg_dir("pkg")
            .build();
        Self { db, leptos_options }
    }
}

/// The whole HTTP service: routes, then request tracing and compression.
pub fn app(state: AppState) -> Router {
    router::routes(&state)
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Serves [`app`] on `listener` until `shutdown` completes, then lets in-flight
/// requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
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
