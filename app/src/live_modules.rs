//! The modules the user may see, kept live: the page's bootstrap list first, then
//! every list the server pushes (`GET /api/events`, event `modules`) when a module is
//! disabled, enabled or fails, so the sidebar, module pages and host tabs of an open
//! page follow without a reload. Administrators also hear why modules failed
//! (event `problems`), which a module's open page shows in place.

use std::collections::BTreeMap;

use gantry_sdk::ModuleInfo;
use leptos::prelude::*;

use crate::bootstrap::use_bootstrap;

/// The live list, provided by `App`.
#[derive(Clone, Copy, Debug)]
pub struct LiveModules(pub RwSignal<Vec<ModuleInfo>>);

/// Every module this page has been told of, as last told: the live list's and those
/// that left it since, so that the page of a module turned off says so rather than
/// "not found" (also when the module came after the page loaded).
#[derive(Clone, Copy, Debug)]
pub struct KnownModules(pub RwSignal<Vec<ModuleInfo>>);

/// Why each failed module failed, by name (administrators only; empty for others).
#[derive(Clone, Copy, Debug)]
pub struct ModuleProblems(pub RwSignal<BTreeMap<String, String>>);

/// Provides the live list, starting from `initial`; in the browser, a signed-in page
/// then follows the server's pushes.
pub fn provide_live_modules(initial: Vec<ModuleInfo>, signed_in: bool) -> LiveModules {
    let known = KnownModules(RwSignal::new(initial.clone()));
    let live = LiveModules(RwSignal::new(initial));
    let problems = ModuleProblems(RwSignal::new(BTreeMap::new()));
    provide_context(live);
    provide_context(known);
    provide_context(problems);
    #[cfg(feature = "hydrate")]
    if signed_in {
        crate::browser::live::follow_modules(live.0, known.0, problems.0);
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

/// Every module this page has been told of (the bootstrap list where no `App`
/// provided one).
pub fn use_known_modules() -> Signal<Vec<ModuleInfo>> {
    match use_context::<KnownModules>() {
        Some(known) => known.0.into(),
        None => Signal::stored(use_bootstrap().modules),
    }
}

/// `known` with `told` in it: each module as last told, new ones added.
pub fn remember(known: &mut Vec<ModuleInfo>, told: &[ModuleInfo]) {
    for module in told {
        match known.iter_mut().find(|k| k.name == module.name) {
            Some(seen) => *seen = module.clone(),
            None => known.push(module.clone()),
        }
    }
}

/// Why module `name` failed, when this page was told (administrators only).
pub fn use_module_problem(name: String) -> Signal<Option<String>> {
    match use_context::<ModuleProblems>() {
        Some(problems) => Signal::derive(move || problems.0.with(|p| p.get(&name).cloned())),
        None => Signal::stored(None),
    }
}
