//! Chat's JSON and streaming endpoints, one resource per file.

pub mod conversations;
pub mod llm_admin;
pub mod messages;
pub mod models;
pub mod personas;

use axum::body::Bytes;
use gantry_sdk::ApiError;
use serde::de::DeserializeOwned;

/// A JSON body that may be left out (then `T::default()`).
pub(crate) fn optional_json<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|err| {
        ApiError::bad_request(format!(
            "the request body is not valid JSON for this request: {err}"
        ))
    })
}
