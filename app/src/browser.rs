//! Browser-only machinery (feature `hydrate`): loading module bundles, the
//! `window.__GANTRY_MODULES__` registry, mounting components, the EventBus and the
//! API client modules get in their context.

pub mod api;
pub mod bus;
pub mod live;
pub mod loader;
pub mod registry;
