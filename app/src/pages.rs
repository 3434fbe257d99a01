//! One routed page per file.

pub mod admin;
pub mod admin_audit;
pub mod admin_knowledge;
pub mod admin_logs;
pub mod admin_models;
pub mod admin_modules;
pub mod admin_users;
pub mod api_tokens;
pub mod chat;
pub mod knowledge;
pub mod login;
pub mod module_page;
pub mod not_found;
pub mod personas;
pub mod profile;
pub mod settings;
pub mod setup;
