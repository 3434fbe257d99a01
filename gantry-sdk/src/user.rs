//! The signed-in user, as the host tells modules about it.

use serde::{Deserialize, Serialize};

/// Who is making the request: given to module handlers (as an axum extractor, with
/// the `server` feature) and to module components in the browser.
///
/// ```
/// let user = gantry_sdk::CurrentUser { id: "1".into(), name: "ada".into(), is_admin: true };
/// assert!(user.is_admin);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CurrentUser {
    /// Stable identifier of the account.
    pub id: String,
    /// Name to show.
    pub name: String,
    /// Whether the user is an administrator.
    pub is_admin: bool,
}
