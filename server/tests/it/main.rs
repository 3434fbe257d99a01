//! The server's integration tests: a real server on a 127.0.0.1 port with a fresh
//! SQLite file, spoken to over HTTP.

mod support;

mod database;
mod health;
mod pages;
