//! Every core route in one place, grouped by who uses it.

use app::{shell, App};
use axum::{
    http::Uri,
    routing::{any, get},
    Router,
};
use gantry_sdk::ApiError;
use leptos_axum::{file_and_error_handler, generate_route_list, LeptosRoutes};

use crate::{api, modules::dispatch, AppState};

/// The routes of the host; state is attached by [`crate::app`].
pub fn routes(state: &AppState) -> Router<AppState> {
    let leptos_options = state.leptos_options.clone();
    Router::new()
        // Used by load balancers, `cargo xtask` and tests: is the database reachable?
        .route("/healthz", get(api::health::get_health))
        // Used by the sidebar and module pages: the modules this user may see.
        .route("/api/modules", get(api::modules::list_modules))
        // Used by the Admin page: every module, failed ones too, with its state.
        .route(
            "/api/admin/modules",
            get(api::modules::list_module_statuses),
        )
        // Each module's API (its router or sidecar) and its bundle (`…/bundle.js`).
        .route("/api/modules/{name}", any(dispatch::module_api))
        .route("/api/modules/{name}/{*rest}", any(dispatch::module_api))
        // Each module's static files.
        .route(
            "/modules/{name}/static/{*rest}",
            get(dispatch::module_static),
        )
        // Any other `/api` path is a JSON 404, not the app's HTML one.
        .route("/api/{*rest}", any(api_not_found))
        // Every page of the app, rendered on the server and hydrated in the browser.
        .leptos_routes(state, generate_route_list(App), move || {
            shell(leptos_options.clone())
        })
        // The built site (bundle, stylesheet); any other path is the app's 404 page.
        .fallback(file_and_error_handler::<AppState, _>(shell))
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("no API at `{}`", uri.path()))
}
