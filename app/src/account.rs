//! The JSON of the account APIs (`/api/me…`, `/api/admin/users…`), shared by the
//! server that answers and the pages that ask.

use serde::{Deserialize, Serialize};

/// An account as an administrator sees it (`GET /api/admin/users`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccount {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub disabled: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; `None` before the first sign-in.
    pub last_login_at: Option<i64>,
    /// Too many failed sign-ins: refused until the limit lifts or an administrator
    /// unlocks it.
    #[serde(default)]
    pub sign_in_locked: bool,
}

/// `POST /api/admin/users`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    #[serde(default)]
    pub is_admin: bool,
}

/// `PATCH /api/admin/users/{id}`: each field present is changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_admin: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// A new password set by the administrator (the user's sessions end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// The signed-in user's own account (`GET /api/me`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    /// `light`, `dark`, or `None` to follow the system.
    pub theme: Option<String>,
}

/// `PUT /api/me/profile`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUpdate {
    pub display_name: String,
}

/// `PUT /api/me/theme`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeUpdate {
    /// `light`, `dark`, or `None` to follow the system.
    pub theme: Option<String>,
}

/// `POST /api/me/password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// A personal API token as its owner sees it (`GET /api/me/tokens`); never the
/// token itself, which is shown once, when made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    /// Allowed only to read (`GET` and `HEAD`).
    pub read_only: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; `None` for a token that does not expire.
    pub expires_at: Option<i64>,
    /// Unix seconds; `None` before its first use.
    pub last_used_at: Option<i64>,
}

/// `POST /api/me/tokens`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub name: String,
    /// Days until it expires; `None` for never.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
    #[serde(default)]
    pub read_only: bool,
}

/// The answer to `POST /api/me/tokens`: the token, the only time it is shown, and
/// what is kept of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub secret: String,
    pub token: ApiToken,
}
