//! The Gantry user interface: Leptos components rendered on the server (feature `ssr`)
//! and hydrated in the browser from WebAssembly (feature `hydrate`).
//!
//! The server calls [`shell`] for every page; the browser calls [`hydrate`].

pub mod components;
pub mod nav;
pub mod pages;
pub mod theme;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use components::{header::Header, sidebar::Sidebar};
use pages::{admin::AdminPage, chat::ChatPage, not_found::NotFound, settings::SettingsPage};

/// The whole HTML document, rendered on the server around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let theme = theme::requested_theme().map(|t| t.as_str());
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: the shell's sidebar and header around the routed pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="gantry-style" href="/pkg/gantry.css" />
        <Title formatter=|page: String| format!("{page} · Gantry") />
        <Router>
            <div class="shell">
                <Sidebar items=nav::core_nav_items() />
                <div class="shell-main">
                    <Header />
                    <main class="content" id="content">
                        <Routes fallback=NotFound>
                            <Route path=path!("") view=ChatPage />
                            <Route path=path!("settings") view=SettingsPage />
                            <Route path=path!("admin") view=AdminPage />
                        </Routes>
                    </main>
                </div>
            </div>
        </Router>
    }
}

/// Browser entry point, called by the hydration script that [`shell`] emits.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // Lets people and tests see that the page is now interactive.
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
