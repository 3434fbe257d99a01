//! The Atom Overlord's pages, in Leptos, registered with the host through
//! `gantry_sdk::leptos::register`: one component per tab, each doing its work over
//! the module's API (`/api/modules/overlord/…`) and talking to the host only
//! through the context (toasts, confirmations, the theme).

mod audit;
mod dispatch;
mod ecosystem;
mod memory;
mod ui;

use gantry_sdk::leptos::register;
use leptos::prelude::*;

/// Runs when the bundle instantiates the WASM.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    register("overlord", "EcosystemDashboard", |ctx| {
        view! { <ecosystem::EcosystemDashboard ctx /> }
    });
    // The page itself opens on its first tab; this is what it shows without one.
    register("overlord", "DispatchConsole", |ctx| {
        view! { <dispatch::DispatchConsole ctx /> }
    });
    register("overlord", "MemoryBrowser", |ctx| {
        view! { <memory::MemoryBrowser ctx /> }
    });
    register(
        "overlord",
        "AuditLog",
        |ctx| view! { <audit::AuditLog ctx /> },
    );
}
