//! The modules the user may see, kept live: the page's bootstrap list first, then
//! every list the server pushes (`GET /api/events`, event `modules`) when a module is
//! disabled, enabled or fails, so the sidebar, module pages and host tabs of an open
//! page follow without a reload.

use gantry_sdk::ModuleInfo;
use leptos::prelude::*;

use crate::bootstrap::use_bootstrap;

/// The live list, provided by `App`.
#[derive(Clone, Copy, Debug)]
pub struct LiveModules(pub RwSignal<Vec<ModuleInfo>>);

/// Provides the live list, starting from `initial`; in the browser, a signed-in page
/// then follows the server's pushes.
pub fn provide_live_modules(initial: Vec<ModuleInfo>, signed_in: bool) -> LiveModules {
    let live = LiveModules(RwSignal::new(initial));
    provide_context(live);
    #[cfg(feature = "hydrate")]
    if signed_in {
        crate::browser::live::follow_modules(live.0);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = signed_in;
    live
}

/// The live list of this page (the bootstrap list where no `App` provided one).
pub fn use_live_modules() -> Signal<Vec<ModuleInfo>> {
    match use_context::<LiveModules>() {
        Some(live) => live.0.into(),
        None => Signal::stored(use_bootstrap().modules),
    }
}
