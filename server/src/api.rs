//! JSON endpoints of the host, one resource per file.

pub mod auth;
pub mod chat;
pub mod health;
pub mod knowledge;
pub mod logs;
pub mod me;
pub mod modules;
pub mod tokens;
pub mod users;
