//! What the server knows about the request that the interface needs from its first
//! render: the signed-in user and the modules they may see.
//!
//! The server provides it as context and writes it into the page as JSON; the browser
//! reads that JSON before hydrating, so both render the same sidebar and pages with
//! no fetch and no flash.

use gantry_sdk::{CurrentUser, ModuleInfo, ModuleStatus, SystemInfo};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The `id` of the `<script type="application/json">` holding the bootstrap data.
pub const BOOTSTRAP_ID: &str = "gantry-bootstrap";

/// The `id` of the `<script type="application/json">` holding an administrator's
/// [`AdminOverview`], apart from the bootstrap data: only the Admin page's chunk
/// reads it, so decoding module statuses is not in the main bundle every page loads.
pub const ADMIN_OVERVIEW_ID: &str = "gantry-admin-overview";

/// The user and the modules, as of this request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bootstrap {
    /// `None` when nobody is signed in.
    pub user: Option<CurrentUser>,
    /// Running modules the user may see, with only the entries they may see.
    pub modules: Vec<ModuleInfo>,
    /// For administrators only: what the Admin page shows (see [`ADMIN_OVERVIEW_ID`]).
    #[serde(skip)]
    pub admin: Option<AdminOverview>,
}

/// Every discovered module's status and the host's facts, for the Admin page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminOverview {
    pub modules: Vec<ModuleStatus>,
    pub system: SystemInfo,
}

impl Bootstrap {
    /// JSON safe to put inside a `<script>` element.
    pub fn to_script_json(&self) -> String {
        script_json(self)
    }

    /// The administrator's overview as JSON safe inside a `<script>` element, if any.
    pub fn admin_script_json(&self) -> Option<String> {
        self.admin.as_ref().map(script_json)
    }

    /// Reads what the server wrote into the page.
    #[cfg(feature = "hydrate")]
    pub fn from_document() -> Self {
        read_script_json(BOOTSTRAP_ID).unwrap_or_default()
    }
}

/// The bootstrap data of this page.
pub fn use_bootstrap() -> Bootstrap {
    use_context::<Bootstrap>().unwrap_or_default()
}

/// What the Admin page shows, for administrators: on the server the bootstrap's, in
/// the browser what the server wrote into the page.
pub fn use_admin_overview() -> Option<AdminOverview> {
    #[cfg(feature = "hydrate")]
    return read_script_json(ADMIN_OVERVIEW_ID);
    #[cfg(not(feature = "hydrate"))]
    use_bootstrap().admin
}

/// The JSON the server wrote into the page's `<script>` element `id`, if it reads.
#[cfg(feature = "hydrate")]
fn read_script_json<T: serde::de::DeserializeOwned>(id: &str) -> Option<T> {
    let json = document().get_element_by_id(id)?.text_content()?;
    serde_json::from_str(&json).ok()
}

fn script_json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let bootstrap = Bootstrap {
            user: Some(CurrentUser {
                id: "1".into(),
                name: "</script><script>alert(1)</script> & co".into(),
                is_admin: false,
            }),
            modules: Vec::new(),
            admin: None,
        };
        let json = bootstrap.to_script_json();
        assert!(!json.contains('<') && !json.contains('&'));
        assert_eq!(serde_json::from_str::<Bootstrap>(&json).unwrap(), bootstrap);
    }
}
