//! What a Gantry module is made of: the types shared by the host server, the browser
//! and module authors.
//!
//! This crate depends on no other Gantry crate, compiles for the server and for
//! `wasm32-unknown-unknown`, and holds plain serde types whose JSON field names follow
//! the module-system design (a client written against that JSON keeps working).
//!
//! ```
//! use gantry_sdk::NavItem;
//!
//! let item = NavItem::new("notes", "Notes", "/notes").icon("note").order(30);
//! assert_eq!(item.order, 30);
//! ```

mod nav;

pub use nav::{sort_nav_items, NavItem};
