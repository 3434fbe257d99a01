//! `Json`, `Path` and `Query`: axum's extractors with every refusal answered as an
//! [`ApiError`] (malformed JSON, a wrong content type, a body over the limit, a bad
//! path or query), so a module's clients see one error shape.

use axum::{
    extract::{
        rejection::{JsonRejection, PathRejection, QueryRejection},
        FromRequest, FromRequestParts, Request,
    },
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{de::DeserializeOwned, Serialize};

use crate::ApiError;

/// The stable code of a refused request with `status`.
fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
        _ => "bad_request",
    }
}

/// A JSON request body, or a JSON answer. Refusals are [`ApiError`]s: 400 for
/// malformed JSON, 415 without `Content-Type: application/json`, 422 for JSON of
/// the wrong shape, 413 for a body over the limit.
///
/// ```
/// use gantry_sdk::Json;
///
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct Note { title: String }
///
/// async fn add_note(Json(note): Json<Note>) -> Json<Note> {
///     Json(note)
/// }
/// # let _ = axum::Router::<()>::new().route("/", axum::routing::post(add_note));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    let status = rejection.status();
    ApiError::new(
        status,
        code_for(status),
        format!(
            "the request body is not acceptable: {}",
            rejection.body_text()
        ),
    )
}

/// Path parameters; a value that does not parse is a 400 [`ApiError`].
///
/// ```
/// use gantry_sdk::Path;
///
/// async fn get_note(Path(id): Path<u32>) -> String {
///     format!("note {id}")
/// }
/// # let _ = axum::Router::<()>::new().route("/{id}", axum::routing::get(get_note));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(path_rejection(&rejection)),
        }
    }
}

fn path_rejection(rejection: &PathRejection) -> ApiError {
    let status = rejection.status();
    let message = format!("the path is not acceptable: {}", rejection.body_text());
    if status.is_server_error() {
        return ApiError::internal(message);
    }
    ApiError::new(status, code_for(status), message)
}

/// The query string; one that does not parse is a 400 [`ApiError`].
///
/// ```
/// use gantry_sdk::Query;
///
/// #[derive(serde::Deserialize)]
/// struct Page { page: Option<u32> }
///
/// async fn list(Query(q): Query<Page>) -> String {
///     format!("page {}", q.page.unwrap_or(0))
/// }
/// # let _ = axum::Router::<()>::new().route("/", axum::routing::get(list));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(query_rejection(&rejection)),
        }
    }
}

fn query_rejection(rejection: &QueryRejection) -> ApiError {
    let status = rejection.status();
    ApiError::new(
        status,
        code_for(status),
        format!("the query is not acceptable: {}", rejection.body_text()),
    )
}
