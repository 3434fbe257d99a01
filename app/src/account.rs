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
