//! Tabs: of a module's own page, or of a host page (Admin, Settings).

use serde::{Deserialize, Serialize};

/// Which host page a tab belongs in, instead of the module's own page.
///
/// ```
/// let section: gantry_sdk::TabSection = serde_json::from_str("\"admin\"").unwrap();
/// assert_eq!(section, gantry_sdk::TabSection::Admin);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum TabSection {
    /// A tab of the host's Admin page.
    Admin,
    /// A tab of the host's Settings page.
    Settings,
}

/// A tab a module contributes.
///
/// ```
/// use gantry_sdk::{Tab, TabSection};
///
/// let tab = Tab::new("dashboard", "Dashboard", "Dashboard").section(TabSection::Admin);
/// assert_eq!(tab.order, 100);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Tab {
    /// Identifier, unique within the module; part of the tab's URL.
    pub id: String,
    /// What the tab strip shows.
    pub label: String,
    /// Name of an icon from the shared icon set, if any.
    #[serde(default)]
    pub icon: Option<String>,
    /// Position among the tabs: lower comes first.
    #[serde(default = "crate::nav::default_order")]
    pub order: i32,
    /// Shown to administrators only (and refused to others by the server).
    #[serde(default)]
    pub requires_admin: bool,
    /// Name of the component in the module's frontend bundle that renders the tab.
    #[serde(default)]
    pub frontend_component: String,
    /// The host page the tab appears in; `None` for the module's own page.
    #[serde(default)]
    pub section: Option<TabSection>,
}

impl Tab {
    /// A tab of the module's own page, rendered by `component`.
    ///
    /// ```
    /// let tab = gantry_sdk::Tab::new("memory", "Memory", "MemoryTab");
    /// assert_eq!(tab.frontend_component, "MemoryTab");
    /// ```
    pub fn new(
        id: impl Into<String>,
        label: impl Into<String>,
        component: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            icon: None,
            order: crate::nav::default_order(),
            requires_admin: false,
            frontend_component: component.into(),
            section: None,
        }
    }

    /// Sets the icon name.
    ///
    /// ```
    /// let tab = gantry_sdk::Tab::new("a", "A", "A").icon("zap");
    /// assert_eq!(tab.icon.as_deref(), Some("zap"));
    /// ```
    pub fn icon(mut self, icon: impl Into<String>) -> Self {
        self.icon = Some(icon.into());
        self
    }

    /// Sets the position among the tabs (lower comes first).
    ///
    /// ```
    /// assert_eq!(gantry_sdk::Tab::new("a", "A", "A").order(10).order, 10);
    /// ```
    pub fn order(mut self, order: i32) -> Self {
        self.order = order;
        self
    }

    /// Marks the tab as administrators-only.
    ///
    /// ```
    /// assert!(gantry_sdk::Tab::new("a", "A", "A").admin_only().requires_admin);
    /// ```
    pub fn admin_only(mut self) -> Self {
        self.requires_admin = true;
        self
    }

    /// Puts the tab in a host page instead of the module's own page.
    ///
    /// ```
    /// use gantry_sdk::{Tab, TabSection};
    /// let tab = Tab::new("prefs", "Preferences", "Prefs").section(TabSection::Settings);
    /// assert_eq!(tab.section, Some(TabSection::Settings));
    /// ```
    pub fn section(mut self, section: TabSection) -> Self {
        self.section = Some(section);
        self
    }
}

impl Tab {
    /// Whether only administrators may see the tab: it says so, or it is a tab of the
    /// Admin page (admin-only whatever the manifest says).
    ///
    /// ```
    /// use gantry_sdk::{Tab, TabSection};
    /// assert!(Tab::new("d", "D", "D").section(TabSection::Admin).is_admin_only());
    /// assert!(!Tab::new("p", "P", "P").section(TabSection::Settings).is_admin_only());
    /// ```
    pub fn is_admin_only(&self) -> bool {
        self.requires_admin || self.section == Some(TabSection::Admin)
    }
}

/// Sorts tabs the way the tab strip shows them: by `order`, ties broken by label.
///
/// ```
/// use gantry_sdk::{sort_tabs, Tab};
/// let mut tabs = vec![Tab::new("b", "B", "B").order(2), Tab::new("a", "A", "A").order(1)];
/// sort_tabs(&mut tabs);
/// assert_eq!(tabs[0].id, "a");
/// ```
pub fn sort_tabs(tabs: &mut [Tab]) {
    tabs.sort_by(tab_order);
}

/// The tab strip's order between two tabs: by `order`, then by label.
///
/// ```
/// use gantry_sdk::{tab_order, Tab};
/// assert!(tab_order(&Tab::new("a", "A", "A").order(1), &Tab::new("b", "B", "B").order(2)).is_lt());
/// ```
pub fn tab_order(a: &Tab, b: &Tab) -> std::cmp::Ordering {
    a.order.cmp(&b.order).then_with(|| a.label.cmp(&b.label))
}
