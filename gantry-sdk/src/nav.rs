//! Sidebar entries: the core ones and, later, those modules contribute.

use serde::{Deserialize, Serialize};

/// One entry of the sidebar.
///
/// ```
/// use gantry_sdk::NavItem;
///
/// let chat = NavItem::new("chat", "Chat", "/").icon("message").order(10);
/// assert!(!chat.requires_admin);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct NavItem {
    /// Identifier, unique among the entries of one owner (the host or a module).
    pub id: String,
    /// What the sidebar shows.
    pub label: String,
    /// Name of an icon from the shared icon set, if any.
    #[serde(default)]
    pub icon: Option<String>,
    /// Path the entry leads to, e.g. `/settings`.
    pub route: String,
    /// Position in the sidebar: lower comes first.
    #[serde(default = "default_order")]
    pub order: i32,
    /// Shown to administrators only (and refused to others by the server).
    #[serde(default)]
    pub requires_admin: bool,
    /// Name of the component in the module's frontend bundle that renders the page;
    /// empty when the page is the module's tabs (or a host page).
    #[serde(default)]
    pub frontend_component: String,
}

pub(crate) fn default_order() -> i32 {
    100
}

impl NavItem {
    /// An entry with the default order (100), no icon, visible to everyone.
    ///
    /// ```
    /// let item = gantry_sdk::NavItem::new("admin", "Admin", "/admin");
    /// assert_eq!(item.order, 100);
    /// ```
    pub fn new(id: impl Into<String>, label: impl Into<String>, route: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            icon: None,
            route: route.into(),
            order: default_order(),
            requires_admin: false,
            frontend_component: String::new(),
        }
    }

    /// Sets the icon name.
    ///
    /// ```
    /// let item = gantry_sdk::NavItem::new("chat", "Chat", "/").icon("message");
    /// assert_eq!(item.icon.as_deref(), Some("message"));
    /// ```
    pub fn icon(mut self, icon: impl Into<String>) -> Self {
        self.icon = Some(icon.into());
        self
    }

    /// Sets the position in the sidebar (lower comes first).
    ///
    /// ```
    /// let item = gantry_sdk::NavItem::new("chat", "Chat", "/").order(10);
    /// assert_eq!(item.order, 10);
    /// ```
    pub fn order(mut self, order: i32) -> Self {
        self.order = order;
        self
    }

    /// Sets the page component from the module's frontend bundle. It draws the page
    /// only when the module has no tabs of its own page; otherwise the page shows the
    /// tabs (and `gantry module check` warns that the component is never drawn).
    ///
    /// ```
    /// let item = gantry_sdk::NavItem::new("notes", "Notes", "/notes").component("NotesPage");
    /// assert_eq!(item.frontend_component, "NotesPage");
    /// ```
    pub fn component(mut self, component: impl Into<String>) -> Self {
        self.frontend_component = component.into();
        self
    }

    /// Marks the entry as administrators-only.
    ///
    /// ```
    /// let item = gantry_sdk::NavItem::new("admin", "Admin", "/admin").admin_only();
    /// assert!(item.requires_admin);
    /// ```
    pub fn admin_only(mut self) -> Self {
        self.requires_admin = true;
        self
    }
}

/// Sorts entries the way the sidebar shows them: by `order`, ties broken by label.
///
/// ```
/// use gantry_sdk::{sort_nav_items, NavItem};
///
/// let mut items = vec![
///     NavItem::new("b", "Beta", "/b").order(20),
///     NavItem::new("a", "Alpha", "/a").order(20),
///     NavItem::new("c", "Chat", "/").order(10),
/// ];
/// sort_nav_items(&mut items);
/// let labels: Vec<_> = items.iter().map(|i| i.label.as_str()).collect();
/// assert_eq!(labels, ["Chat", "Alpha", "Beta"]);
/// ```
pub fn sort_nav_items(items: &mut [NavItem]) {
    items.sort_by(nav_order);
}

/// The sidebar's order between two entries: by `order`, then by label.
///
/// ```
/// use gantry_sdk::{nav_order, NavItem};
///
/// let chat = NavItem::new("chat", "Chat", "/").order(10);
/// let notes = NavItem::new("notes", "Notes", "/notes").order(30);
/// assert!(nav_order(&chat, &notes).is_lt());
/// ```
pub fn nav_order(a: &NavItem, b: &NavItem) -> std::cmp::Ordering {
    a.order.cmp(&b.order).then_with(|| a.label.cmp(&b.label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_defaults_match_the_design() {
        let item: NavItem = serde_json::from_str(r#"{"id":"x","label":"X","route":"/x"}"#).unwrap();
        assert_eq!(item.order, 100);
        assert!(!item.requires_admin);
        assert_eq!(item.icon, None);
    }
}
