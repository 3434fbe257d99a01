//! What a Gantry module is made of: the types shared by the host server, the browser
//! and module authors.
//!
//! The data half (manifest, nav items, tabs, validation, the `/api/modules` JSON) is
//! plain serde types that compile for the server and for `wasm32-unknown-unknown`.
//! The backend half (an axum router, migrations, lifecycle hooks, extractors, the
//! error type) sits behind the `server` feature.
//!
//! A compiled-in module is one declaration (`server` feature):
//!
//! ```
//! # #[cfg(feature = "server")] {
//! use gantry_sdk::prelude::*;
//!
//! async fn hello(user: CurrentUser) -> String {
//!     format!("hello, {}", user.name)
//! }
//!
//! pub fn module() -> Module {
//!     Module::builder("notes", "0.1.0")
//!         .display_name("Notes")
//!         .description("Short notes shared by the team")
//!         .router(Router::new().route("/hello", get(hello))) // at /api/modules/notes/hello
//!         .nav_item(NavItem::new("notes", "Notes", "/notes").icon("note").order(30))
//!         .tab(Tab::new("all", "All notes", "AllNotes"))
//!         .build()
//! }
//! # assert_eq!(module().manifest.router_prefix, "/api/modules/notes");
//! # }
//! ```
//!
//! The data types carry the JSON field names of the module-system design, so a
//! client written against that JSON keeps working. TypeScript definitions generated
//! from them live in `gantry-sdk/frontend/gantry-sdk.d.ts`.

mod audit;
mod collection;
mod events;
pub mod http;
mod manifest;
mod nav;
mod settings;
mod status;
mod tab;
mod tool;
mod user;
mod validate;

#[cfg(test)]
mod tailwind;
#[cfg(test)]
mod typescript;

#[cfg(feature = "leptos")]
pub mod leptos;

#[cfg(feature = "server")]
mod error;
#[cfg(feature = "server")]
mod extract;
#[cfg(feature = "server")]
mod module;
#[cfg(feature = "server")]
mod module_settings;
#[cfg(feature = "server")]
mod storage;

pub use audit::{AuditEntry, AuditPage, AuditQuery};
pub use collection::{
    Collection, CollectionAccess, CollectionField, CollectionRights, FieldType, TypedField,
    KEPT_BY_HOST,
};
pub use events::{Confirm, GantryEvent, ThemeChange, Toast, ToastKind, BROWSER_ABI};
pub use manifest::{ModuleInfo, ModuleManifest};
pub use nav::{nav_order, sort_nav_items, NavItem};
pub use settings::{
    Setting, SettingScope, SettingType, SettingsUpdate, SettingsView, MAX_SETTING_CHARS,
};
pub use status::{
    BundleStatus, MigrationState, ModuleFailure, ModuleSource, ModuleState, ModuleStatus,
    ModuleStep, ModuleTimings, SystemInfo,
};
pub use tab::{sort_tabs, tab_order, Tab, TabSection};
pub use tool::{Tool, MAX_TOOL_NAME};
pub use user::CurrentUser;
pub use validate::{manifest_problems, validate_manifest, ManifestError, RESERVED_ROUTES};

#[cfg(feature = "server")]
pub use audit::{AuditEvent, AuditLog, AuditSink, ClientAddress};
#[cfg(feature = "server")]
pub use error::ApiError;
#[cfg(feature = "server")]
pub use extract::{Json, Path, Query};
#[cfg(feature = "server")]
pub use module::{
    BoxError, Dialect, EmbeddedFiles, Hook, Migrations, Module, ModuleBuilder, ModuleContext,
    RequireAdmin,
};
#[cfg(feature = "server")]
pub use module_settings::{ModuleSettings, SettingValues, SettingsFuture, SettingsSource};
#[cfg(feature = "server")]
pub use storage::{
    ModuleStorage, StorageError, StorageScope, StoredValue, MAX_KEYS, MAX_KEY_CHARS,
    MAX_VALUE_BYTES,
};

/// `text` for a SQL `LIKE … ESCAPE '\\'` pattern: its `%`, `_` and `\\` match
/// themselves.
///
/// ```
/// assert_eq!(gantry_sdk::escape_like("50%_off"), "50\\%\\_off");
/// let pattern = format!("%{}%", gantry_sdk::escape_like("a_b")); // then `LIKE $1 ESCAPE '\\'`
/// # let _ = pattern;
/// ```
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The version of this SDK, stamped into every manifest it builds.
///
/// ```
/// assert!(!gantry_sdk::SDK_VERSION.is_empty());
/// ```
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a module author usually needs, in one import.
///
/// ```
/// use gantry_sdk::prelude::*;
/// let tab = Tab::new("all", "All", "AllNotes");
/// # let _ = tab;
/// ```
pub mod prelude {
    #[cfg(feature = "server")]
    pub use crate::{
        ApiError, AuditEvent, ClientAddress, Json, Migrations, Module, ModuleContext, Path, Query,
        RequireAdmin,
    };
    pub use crate::{CurrentUser, ModuleManifest, NavItem, Tab, TabSection};
    #[cfg(feature = "server")]
    pub use axum::{
        extract::State,
        routing::{delete, get, patch, post, put},
        Router,
    };
}
