//! Every core route in one place, grouped by who uses it.

use app::{shell, App};
use axum::{routing::get, Router};
use leptos_axum::{file_and_error_handler, generate_route_list, LeptosRoutes};

use crate::{api, AppState};

/// The routes of the host; state is attached by [`crate::app`].
pub fn routes(state: &AppState) -> Router<AppState> {
    let leptos_options = state.leptos_options.clone();
    Router::new()
        // Used by load balancers, `cargo xtask` and tests: is the database reachable?
        .route("/healthz", get(api::health::get_health))
        // Every page of the app, rendered on the server and hydrated in the browser.
        .leptos_routes(state, generate_route_list(App), move || {
            shell(leptos_options.clone())
        })
        // The built site (bundle, stylesheet); any other path is the app's 404 page.
        .fallback(file_and_error_handler::<AppState, _>(shell))
}
