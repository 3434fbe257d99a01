//! One routed page per file.

pub mod admin;
pub mod chat;
pub mod login;
pub mod module_page;
pub mod not_found;
pub mod settings;
