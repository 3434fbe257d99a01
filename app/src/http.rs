//! Calling the host's JSON API from the host's own pages, through the SDK's browser
//! client (`gantry_sdk::http`). On the server these futures never complete: the pages
//! that use them render their loading state there and fetch once hydrated.

use serde::{de::DeserializeOwned, Serialize};

pub use gantry_sdk::http::ApiFailure;

/// `GET url`, answered with JSON.
pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    #[cfg(feature = "hydrate")]
    return gantry_sdk::http::get(url).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = url;
        std::future::pending().await
    }
}

/// `method url` with a JSON body, answered with JSON.
pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: &B,
) -> Result<T, ApiFailure> {
    #[cfg(feature = "hydrate")]
    return gantry_sdk::http::send(method, url, body).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (method, url, body);
        std::future::pending().await
    }
}

/// `method url` with `file` as the body (an upload), answered with JSON.
#[cfg(feature = "hydrate")]
pub async fn send_file<T: DeserializeOwned>(
    method: &str,
    url: &str,
    file: &web_sys::Blob,
) -> Result<T, ApiFailure> {
    gantry_sdk::http::send_file(method, url, file).await
}

/// `method url` with a multipart form (fields and files) as the body, answered with
/// JSON; the browser sets the content type with its boundary.
#[cfg(feature = "hydrate")]
pub async fn send_form<T: DeserializeOwned>(
    method: &str,
    url: &str,
    form: &web_sys::FormData,
) -> Result<T, ApiFailure> {
    gantry_sdk::http::send_form(method, url, form).await
}

/// `method url` with a JSON body, answered with no content.
pub async fn send_only<B: Serialize>(method: &str, url: &str, body: &B) -> Result<(), ApiFailure> {
    #[cfg(feature = "hydrate")]
    return gantry_sdk::http::send_only(method, url, Some(body)).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (method, url, body);
        std::future::pending().await
    }
}
