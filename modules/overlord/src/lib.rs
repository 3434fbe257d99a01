//! Atom Overlord, Gantry's first module: the projects of an ecosystem and their
//! health, tasks dispatched to them, a shared memory, and an audit view.
//!
//! Compiled in: the host links this crate (`server/Cargo.toml` depends on it) and
//! calls [`module`]. The frontend is a Leptos crate of its own (`frontend/`), built
//! to WASM; it uses this crate's [`model`] without the `server` feature.

pub mod model;

#[cfg(feature = "server")]
mod server;

#[cfg(feature = "server")]
pub use server::{module, module_with, Settings};
