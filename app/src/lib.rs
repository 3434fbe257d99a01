//! The Gantry user interface: Leptos components rendered on the server (feature `ssr`)
//! and hydrated in the browser from WebAssembly (feature `hydrate`).
//!
//! The server provides a [`bootstrap::Bootstrap`] as context and calls [`shell`] for
//! every page; the browser reads the same data from the page and calls [`hydrate`].

#![recursion_limit = "256"]

pub mod account;
pub mod bootstrap;
#[cfg(feature = "hydrate")]
pub mod browser;
pub mod chat_api;
pub mod clipboard;
pub mod components;
pub mod host_pages;
pub mod host_ui;
pub mod http;
pub mod knowledge_api;
pub mod lazy_page;
pub mod live_modules;
pub mod logs_api;
pub mod nav;
pub mod pages;
pub mod theme;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, Lazy,
};

use bootstrap::{use_bootstrap, ADMIN_OVERVIEW_ID, BOOTSTRAP_ID};
use components::{
    confirm_dialog::ConfirmDialog, header::Header, sidebar::Sidebar, toast_stack::ToastStack,
};
use host_ui::HostUi;
use lazy_page::lazy_page;
use pages::{
    admin::AdminPage, chat::ChatPage, knowledge::KnowledgePage, login::LoginPage,
    module_page::ModulePage, not_found::NotFound, settings::SettingsPage, setup::SetupPage,
};

// Each page's code is a chunk of its own; the main bundle is the shell, the router,
// sign-in and set-up.
lazy_page!(ChatRoute, gantry_chat, ChatPage);
lazy_page!(KnowledgeRoute, gantry_knowledge, KnowledgePage);
lazy_page!(SettingsRoute, gantry_settings, SettingsPage);
lazy_page!(AdminRoute, gantry_admin, AdminPage);
lazy_page!(ModuleRoute, gantry_module_page, ModulePage);

/// The whole HTML document, rendered on the server around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let theme = theme::requested_theme().map(|t| t.as_str());
    let bootstrap = use_bootstrap();
    let admin = bootstrap.admin_script_json().map(|json| {
        view! { <script type="application/json" id=ADMIN_OVERVIEW_ID inner_html=json></script> }
    });
    let bootstrap = bootstrap.to_script_json();
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <script type="application/json" id=BOOTSTRAP_ID inner_html=bootstrap></script>
                {admin}
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: the shell's sidebar and header around the routed pages, and the
/// host interface (toasts, confirm dialog) modules reach through the EventBus.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let bootstrap = use_bootstrap();
    provide_context(HostUi::new(theme::requested_theme()));
    let signed_in = bootstrap.user.is_some();
    let live = live_modules::provide_live_modules(bootstrap.modules.clone(), signed_in);
    let user = bootstrap.user.clone();
    let entries = Signal::derive(move || live.0.with(|m| nav::sidebar_entries(user.as_ref(), m)));
    let menu = signed_in.then(|| RwSignal::new(false));
    view! {
        <Stylesheet id="gantry-style" href="/pkg/gantry.css" />
        <Title formatter=|page: String| format!("{page} · Gantry") />
        <Router>
            <div class="shell" class:shell-signed-out=!signed_in>
                <div class="shell-main">
                    <Header menu />
                    // After the header, so that the menu button's sidebar is next in the
                    // keyboard order; the grid places it on the left.
                    {menu.map(|open| view! { <Sidebar entries open /> })}
                    <main class="content" id="content">
                        <Routes fallback=NotFound>
                            // One Chat page for `/` and `/c/<id>`: moving between
                            // conversations keeps it (and a running answer) mounted.
                            <ParentRoute path=path!("") view={Lazy::<ChatRoute>::new()}>
                                <Route path=path!("") view=|| () />
                                <Route path=path!("c/:id") view=|| () />
                            </ParentRoute>
                            // One Knowledge page for `/knowledge`, a collection
                            // (`/knowledge/<id>`) and a document
                            // (`/knowledge/documents/<id>`), kept mounted between them
                            // like Chat.
                            <ParentRoute path=path!("knowledge") view={Lazy::<KnowledgeRoute>::new()}>
                                <Route path=path!("") view=|| () />
                                <Route path=path!(":id") view=|| () />
                                <Route path=path!("documents/:id") view=|| () />
                            </ParentRoute>
                            <Route path=path!("login") view=LoginPage />
                            <Route path=path!("setup") view=SetupPage />
                            <Route path=path!("settings") view={Lazy::<SettingsRoute>::new()} />
                            <Route path=path!("settings/*rest") view={Lazy::<SettingsRoute>::new()} />
                            <Route path=path!("admin") view={Lazy::<AdminRoute>::new()} />
                            <Route path=path!("admin/*rest") view={Lazy::<AdminRoute>::new()} />
                            <Route path=path!("*any") view={Lazy::<ModuleRoute>::new()} />
                        </Routes>
                    </main>
                </div>
            </div>
            <ToastStack />
            <ConfirmDialog />
        </Router>
    }
}

/// Browser entry point, called by the hydration script that [`shell`] emits.
/// Hydration waits for the chunk of the page it starts on.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let bootstrap = bootstrap::Bootstrap::from_document();
    wasm_bindgen_futures::spawn_local(async move {
        let body = document().body().expect("the page has a body");
        if !lazy_page::first_page_chunks_arrive().await {
            lazy_page::show_first_page_failed();
            return;
        }
        leptos::mount::hydrate_from_async(body, move || {
            provide_context(bootstrap);
            view! { <App /> }
        })
        .await
        .forget();
        // Lets people and tests see that the page is now interactive.
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
