//! The server's integration tests: a real server on a 127.0.0.1 port with a fresh
//! SQLite file, spoken to over HTTP.

mod fixtures;
mod model_server;
mod support;

mod accounts;
mod api_tokens;
mod auth;
mod bad_input;
mod bounded_requests;
mod bundle_check;
mod chat;
mod collection_rights;
mod collections;
mod database;
mod dev_loop;
mod guide_examples;
mod health;
mod knowledge;
mod logs;
mod metrics;
mod module_boundary;
mod module_dependencies;
mod module_discovery;
mod module_install;
mod module_lifecycle;
mod module_migrations;
mod module_proxy;
mod module_serving;
mod module_settings;
mod module_storage;
mod module_switch;
mod module_tools;
mod overlord;
mod pages;
mod retention;
mod scaffold;
mod session_cache;
