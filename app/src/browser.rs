//! Browser-only machinery (feature `hydrate`): loading module bundles, the
//! `window.__GANTRY_MODULES__` registry, mounting components and the EventBus.

pub mod bus;
pub mod loader;
pub mod registry;
