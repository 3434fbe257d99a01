//! JSON endpoints of the host, one resource per file.

pub mod health;
pub mod modules;
