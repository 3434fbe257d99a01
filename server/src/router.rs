//! Every core route in one place, grouped by who uses it.

use app::{
    bootstrap::{AdminOverview, Bootstrap},
    shell, App,
};
use axum::{
    extract::{Request, State},
    http::{request::Parts, Method, Uri},
    middleware::Next,
    response::Response,
    routing::{any, get, patch, post, put},
    Router,
};
use gantry_sdk::{ApiError, CurrentUser};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::services::{ServeDir, ServeFile};

use crate::{
    api::{self, chat},
    db::Db,
    modules::dispatch,
    AppState,
};

/// The routes of the host; state is attached by [`crate::app`].
pub fn routes(state: &AppState) -> Router<AppState> {
    let leptos_options = state.leptos_options.clone();
    let site_root = std::path::PathBuf::from(&*leptos_options.site_root);
    let registry = state.modules.clone();
    let (db, system) = (state.db.clone(), state.system.clone());
    // Per page request: who asks, the modules they may see, and for administrators
    // what the Admin page shows.
    let bootstrap = move || {
        let parts = use_context::<Parts>();
        // The CSP header's nonce, so Leptos stamps the same one on its scripts.
        if let Some(nonce) = parts
            .as_ref()
            .and_then(|p| p.extensions.get::<crate::security::CspNonce>())
        {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0.as_str()));
        }
        let user = parts
            .as_ref()
            .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned());
        let modules = user
            .as_ref()
            .map(|user| registry.infos_for(user))
            .unwrap_or_default();
        let admin = user.as_ref().filter(|u| u.is_admin).map(|_| AdminOverview {
            modules: registry.statuses(),
            system: system.info(
                &db,
                parts
                    .as_ref()
                    .and_then(|p| p.extensions.get::<DatabaseSize>())
                    .map(|size| size.0),
                &registry.module_boundary,
            ),
        });
        provide_context(Bootstrap {
            user,
            modules,
            admin,
        });
    };
    Router::new()
        // Used by load balancers, `cargo xtask` and tests: is the database reachable?
        .route("/healthz", get(api::health::get_health))
        // Used by the login page's form and the header's sign-out button.
        .route("/api/auth/login", post(api::auth::log_in))
        .route("/api/auth/logout", post(api::auth::log_out))
        // Used by the setup page's form, once, to create the first administrator.
        .route("/api/auth/setup", post(api::auth::set_up))
        // Used by the Settings page: the signed-in user's own account.
        .route("/api/me", get(api::me::get_profile))
        .route("/api/me/profile", put(api::me::update_profile))
        .route("/api/me/theme", put(api::me::set_theme))
        .route("/api/me/password", post(api::me::change_password))
        // Used by Settings → API tokens; the tokens are for scripts (`Bearer`).
        .route(
            "/api/me/tokens",
            get(api::tokens::list_tokens).post(api::tokens::create_token),
        )
        .route(
            "/api/me/tokens/{id}",
            axum::routing::delete(api::tokens::revoke_token),
        )
        // Used by the Admin page's Users and Audit tabs.
        .route(
            "/api/admin/users",
            get(api::users::list_users).post(api::users::create_user),
        )
        .route("/api/admin/users/{id}", patch(api::users::update_user))
        .route(
            "/api/admin/users/{id}/unlock",
            post(api::users::unlock_user),
        )
        .route("/api/admin/audit", get(api::users::list_audit))
        .route("/api/admin/logs", get(api::logs::recent_lines))
        .route("/api/admin/logs/live", get(api::logs::live_lines))
        // Used by the Chat page: the user's conversations, their streamed answers,
        // search and export, the models and personas to pick from.
        .route(
            "/api/chat/conversations",
            get(chat::conversations::list_conversations)
                .post(chat::conversations::create_conversation),
        )
        .route(
            "/api/chat/conversations/{id}",
            get(chat::conversations::get_conversation)
                .patch(chat::conversations::update_conversation)
                .delete(chat::conversations::delete_conversation),
        )
        .route(
            "/api/chat/conversations/{id}/messages",
            post(chat::messages::send_message),
        )
        .route(
            "/api/chat/conversations/{id}/messages/{message_id}/edit",
            post(chat::messages::edit_message),
        )
        .route(
            "/api/chat/conversations/{id}/regenerate",
            post(chat::messages::regenerate),
        )
        .route(
            "/api/chat/conversations/{id}/export",
            get(chat::conversations::export_conversation),
        )
        .route(
            "/api/chat/tool-calls/{id}/confirm",
            post(chat::messages::confirm_tool_call),
        )
        .route(
            "/api/chat/search",
            get(chat::conversations::search_conversations),
        )
        .route("/api/models", get(chat::models::list_models))
        .route(
            "/api/personas",
            get(chat::personas::list_personas).post(chat::personas::create_persona),
        )
        .route(
            "/api/personas/{id}",
            put(chat::personas::update_persona).delete(chat::personas::delete_persona),
        )
        // Used by the Admin page's Models and Personas tabs.
        .route(
            "/api/admin/llm/connections",
            get(chat::llm_admin::list_connections).post(chat::llm_admin::create_connection),
        )
        .route(
            "/api/admin/llm/connections/{id}",
            patch(chat::llm_admin::update_connection).delete(chat::llm_admin::delete_connection),
        )
        .route(
            "/api/admin/llm/models/{*model}",
            put(chat::llm_admin::update_model),
        )
        .route(
            "/api/admin/personas",
            get(chat::personas::list_shared_personas).post(chat::personas::create_shared_persona),
        )
        .route(
            "/api/admin/personas/{id}",
            put(chat::personas::update_shared_persona)
                .delete(chat::personas::delete_shared_persona),
        )
        // Used by the Knowledge page and Chat's knowledge picker: collections, their
        // documents (uploaded, ingested in the background) and search.
        .route(
            "/api/knowledge/collections",
            get(api::knowledge::list_collections).post(api::knowledge::create_collection),
        )
        .route(
            "/api/knowledge/collections/{id}",
            get(api::knowledge::get_collection)
                .patch(api::knowledge::update_collection)
                .delete(api::knowledge::delete_collection),
        )
        .route(
            "/api/knowledge/documents",
            get(api::knowledge::list_documents)
                .post(api::knowledge::upload_documents)
                .layer(axum::extract::DefaultBodyLimit::max(
                    api::knowledge::MAX_UPLOAD_BYTES,
                )),
        )
        .route(
            "/api/knowledge/documents/{id}",
            get(api::knowledge::get_document).delete(api::knowledge::delete_document),
        )
        .route(
            "/api/knowledge/documents/{id}/original",
            get(api::knowledge::download_document),
        )
        .route(
            "/api/knowledge/documents/{id}/passages",
            get(api::knowledge::document_passages),
        )
        .route(
            "/api/knowledge/search",
            post(api::knowledge::search_knowledge),
        )
        // Used by Admin → Knowledge: the embedding model.
        .route(
            "/api/admin/knowledge",
            get(api::knowledge::get_settings).put(api::knowledge::update_settings),
        )
        // Used by the sidebar and module pages: the modules this user may see.
        .route("/api/modules", get(api::modules::list_modules))
        // Used by the Admin page: every module, failed ones too, with its state.
        .route(
            "/api/admin/modules",
            get(api::modules::list_module_statuses)
                .post(api::modules::install_module)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::modules::install::MAX_ARCHIVE_BYTES,
                )),
        )
        .route(
            "/api/admin/modules/{name}",
            patch(api::modules::switch_module).delete(api::modules::remove_module),
        )
        .route(
            "/api/admin/rescan-modules",
            post(api::modules::rescan_modules),
        )
        // Used by every open page: the modules list, pushed as it changes.
        .route("/api/events", get(api::modules::live_events))
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
        // The built site: the hydration bundle, the stylesheet, the favicon.
        .nest_service(
            "/pkg",
            ServeDir::new(site_root.join("pkg")).precompressed_gzip(),
        )
        .route_service(
            "/favicon.svg",
            ServeFile::new(site_root.join("favicon.svg")),
        )
        // Every page of the app (module pages included), rendered on the server and
        // hydrated in the browser.
        .leptos_routes_with_context(
            state,
            generate_route_list(App),
            bootstrap.clone(),
            move || shell(leptos_options.clone()),
        )
        // Anything else (other methods) is the app's 404 page.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(bootstrap, shell))
}

/// The database's size in bytes, measured for an administrator's page.
#[derive(Clone, Copy, Debug)]
struct DatabaseSize(u64);

/// Middleware: measures the database for administrators' pages, whose Admin → System
/// tab shows it (the page's data is gathered synchronously, so it is measured here).
pub async fn measure_database(State(db): State<Db>, mut request: Request, next: Next) -> Response {
    let is_admin_page = request.method() == Method::GET
        && request
            .extensions()
            .get::<CurrentUser>()
            .is_some_and(|u| u.is_admin)
        && !["/api/", "/pkg/", "/modules/"]
            .iter()
            .any(|prefix| request.uri().path().starts_with(prefix));
    if is_admin_page {
        match db.size_bytes().await {
            Ok(bytes) => {
                request.extensions_mut().insert(DatabaseSize(bytes));
            }
            Err(err) => tracing::warn!("cannot measure the database: {err}"),
        }
    }
    next.run(request).await
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("no API at `{}`", uri.path()))
}
