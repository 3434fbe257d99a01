//! The yardstick of `cargo xtask bench`: a bare axum server that answers every
//! request with the bytes of one file, as JSON. Gantry's API is measured against it
//! in the same run.
//!
//! `bare-axum <address> <file>`

use axum::{http::header, routing::get, Router};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(file)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: bare-axum <address> <file>");
    };
    let body = axum::body::Bytes::from(std::fs::read(&file)?);
    let app = Router::new().fallback(get(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body) }
    }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
