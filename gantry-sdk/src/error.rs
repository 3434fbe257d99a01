//! `ApiError`: the one JSON error shape of the host and every module.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

use crate::ManifestError;

/// An error answered as `{"error": {"code", "message", "module"?, "field"?}}` with
/// its HTTP status. `code` is stable and machine-readable; `message` is for people.
///
/// ```
/// use axum::response::IntoResponse;
/// use gantry_sdk::ApiError;
///
/// let res = ApiError::not_found("no note 7").with_module("notes").into_response();
/// assert_eq!(res.status(), 404);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    module: Option<String>,
    field: Option<String>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    module: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// An error with any status and code.
    ///
    /// ```
    /// let err = gantry_sdk::ApiError::new(axum::http::StatusCode::CONFLICT, "taken", "name taken");
    /// assert_eq!(err.code(), "taken");
    /// ```
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            module: None,
            field: None,
        }
    }

    /// 400 `bad_request`: the request is malformed.
    ///
    /// ```
    /// assert_eq!(gantry_sdk::ApiError::bad_request("no title").status(), 400);
    /// ```
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401 `unauthenticated`: no signed-in user.
    ///
    /// ```
    /// assert_eq!(gantry_sdk::ApiError::unauthenticated().status(), 401);
    /// ```
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first")
    }

    /// 403 `forbidden`: signed in, but not allowed.
    ///
    /// ```
    /// assert_eq!(gantry_sdk::ApiError::forbidden("admins only").status(), 403);
    /// ```
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404 `not_found`.
    ///
    /// ```
    /// assert_eq!(gantry_sdk::ApiError::not_found("no such note").status(), 404);
    /// ```
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500 `internal`: the detail goes to the log, the client gets a generic message.
    ///
    /// ```
    /// let err = gantry_sdk::ApiError::internal("disk on fire");
    /// assert_eq!(err.message(), "internal error; the details are in the server log");
    /// ```
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the details are in the server log",
        )
    }

    /// Names the module the error is about.
    ///
    /// ```
    /// let err = gantry_sdk::ApiError::not_found("gone").with_module("notes");
    /// assert_eq!(err.module(), Some("notes"));
    /// ```
    pub fn with_module(mut self, module: impl Into<String>) -> Self {
        self.module = Some(module.into());
        self
    }

    /// Names the request or manifest field at fault.
    ///
    /// ```
    /// let err = gantry_sdk::ApiError::bad_request("empty").with_field("title");
    /// assert_eq!(err.field(), Some("title"));
    /// ```
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The HTTP status.
    ///
    /// ```
    /// assert_eq!(gantry_sdk::ApiError::not_found("x").status(), 404);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable code.
    ///
    /// ```
    /// assert_eq!(gantry_sdk::ApiError::not_found("x").code(), "not_found");
    /// ```
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The human-readable message.
    ///
    /// ```
    /// assert_eq!(gantry_sdk::ApiError::not_found("x").message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The module the error is about, if known.
    ///
    /// ```
    /// assert_eq!(gantry_sdk::ApiError::not_found("x").module(), None);
    /// ```
    pub fn module(&self) -> Option<&str> {
        self.module.as_deref()
    }

    /// The field at fault, if known.
    ///
    /// ```
    /// assert_eq!(gantry_sdk::ApiError::not_found("x").field(), None);
    /// ```
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
}

impl ApiError {
    /// The JSON body, `{"error": {…}}`, as `into_response` sends it: for an error
    /// told some other way, such as an `error` event of a stream.
    ///
    /// ```
    /// let body = gantry_sdk::ApiError::not_found("gone").with_field("id").to_json();
    /// assert_eq!(body["error"]["code"], "not_found");
    /// assert_eq!(body["error"]["field"], "id");
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.body()).expect("an error body serializes")
    }

    fn body(&self) -> ErrorBody<'_> {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                module: self.module.as_deref(),
                field: self.field.as_deref(),
            },
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

impl From<ManifestError> for ApiError {
    fn from(err: ManifestError) -> Self {
        let code = if err.is_incompatible() {
            "module_incompatible"
        } else {
            "manifest_invalid"
        };
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, err.to_string())
            .with_module(err.module())
            .with_field(err.field())
    }
}
