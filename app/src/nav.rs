//! The sidebar's entries and the module pages they lead to, as data: the host's own
//! entries merged with every module's, and the lookup from a path to a module page.

use gantry_sdk::{nav_order, sort_tabs, CurrentUser, ModuleInfo, NavItem, Tab};

/// Chat, Knowledge, Settings and Admin (Admin for administrators only).
pub fn core_nav_items() -> Vec<NavItem> {
    vec![
        NavItem::new("chat", "Chat", "/").icon("message").order(10),
        // After Chat, before the modules' entries (the first of which take 20).
        NavItem::new("knowledge", "Knowledge", "/knowledge")
            .icon("book")
            .order(15),
        NavItem::new("settings", "Settings", "/settings")
            .icon("settings")
            .order(40),
        NavItem::new("admin", "Admin", "/admin")
            .icon("shield")
            .order(50)
            .admin_only(),
    ]
}

/// One sidebar entry and the module it belongs to (`None` for the host's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SidebarEntry {
    pub item: NavItem,
    pub module: Option<String>,
}

/// The sidebar for `user`: core entries and module entries, admin-only ones only for
/// administrators, sorted by `order` then label.
pub fn sidebar_entries(user: Option<&CurrentUser>, modules: &[ModuleInfo]) -> Vec<SidebarEntry> {
    let is_admin = user.is_some_and(|u| u.is_admin);
    let mut entries: Vec<SidebarEntry> = core_nav_items()
        .into_iter()
        .map(|item| SidebarEntry { item, module: None })
        .chain(modules.iter().flat_map(|module| {
            module.nav_items.iter().map(|item| SidebarEntry {
                item: item.clone(),
                module: Some(module.name.clone()),
            })
        }))
        .filter(|entry| is_admin || !entry.item.requires_admin)
        .collect();
    entries.sort_by(|a, b| nav_order(&a.item, &b.item));
    entries
}

/// A module page a path leads to.
#[derive(Clone, Debug, PartialEq)]
pub struct ModulePageMatch {
    pub module: ModuleInfo,
    pub nav: NavItem,
    /// The module page's own tabs (no host-page sections), in order.
    pub tabs: Vec<Tab>,
    /// The tab shown: the one named in the path, or the first.
    pub active: Option<Tab>,
}

/// Finds the module page for `path` (`/notes` or `/notes/<tab id>`); `None` when no
/// module's nav route matches or the tab does not exist.
pub fn module_page(modules: &[ModuleInfo], path: &str) -> Option<ModulePageMatch> {
    let path = path.trim_end_matches('/');
    let (module, nav, rest) = modules
        .iter()
        .flat_map(|m| m.nav_items.iter().map(move |n| (m, n)))
        .filter_map(|(m, n)| {
            let rest = path.strip_prefix(n.route.as_str())?;
            (rest.is_empty() || rest.starts_with('/')).then_some((m, n, rest))
        })
        .max_by_key(|(_, n, _)| n.route.len())?;
    let mut tabs: Vec<Tab> = module
        .tabs
        .iter()
        .filter(|t| t.section.is_none())
        .cloned()
        .collect();
    sort_tabs(&mut tabs);
    let active = match rest.trim_start_matches('/') {
        "" => tabs.first().cloned(),
        id if !id.contains('/') => Some(tabs.iter().find(|t| t.id == id)?.clone()),
        _ => return None,
    };
    Some(ModulePageMatch {
        module: module.clone(),
        nav: nav.clone(),
        tabs,
        active,
    })
}

#[cfg(test)]
mod tests {
    use gantry_sdk::TabSection;

    use super::*;

    fn user(is_admin: bool) -> CurrentUser {
        CurrentUser {
            id: "u".into(),
            name: "U".into(),
            is_admin,
        }
    }

    fn module(name: &str, nav: Vec<NavItem>, tabs: Vec<Tab>) -> ModuleInfo {
        ModuleInfo {
            name: name.into(),
            display_name: name.into(),
            version: "0.1.0".into(),
            description: String::new(),
            nav_items: nav,
            tabs,
            frontend_bundle: Some(format!("/api/modules/{name}/bundle.js")),
            settings: Vec::new(),
            tools: Vec::new(),
        }
    }

    fn labels(entries: &[SidebarEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.item.label.as_str()).collect()
    }

    #[test]
    fn module_entries_merge_into_the_core_ones_by_order_then_label() {
        let modules = [
            module(
                "forge",
                vec![NavItem::new("forge", "Forge", "/forge").order(20)],
                vec![],
            ),
            module(
                "overlord",
                vec![NavItem::new("o", "Overlord", "/overlord")
                    .order(30)
                    .admin_only()],
                vec![],
            ),
            module(
                "zeta",
                vec![NavItem::new("z", "Alpha", "/zeta").order(40)],
                vec![],
            ),
            module("late", vec![NavItem::new("l", "Later", "/late")], vec![]),
        ];
        let admin = sidebar_entries(Some(&user(true)), &modules);
        assert_eq!(
            labels(&admin),
            [
                "Chat",
                "Knowledge",
                "Forge",
                "Overlord",
                "Alpha",
                "Settings",
                "Admin",
                "Later"
            ]
        );
        assert_eq!(admin[2].module.as_deref(), Some("forge"));
        assert_eq!(admin[1].module, None);
        assert_eq!(admin[0].module, None);

        let member = sidebar_entries(Some(&user(false)), &modules);
        assert_eq!(
            labels(&member),
            ["Chat", "Knowledge", "Forge", "Alpha", "Settings", "Later"]
        );
        let anonymous = sidebar_entries(None, &[]);
        assert_eq!(labels(&anonymous), ["Chat", "Knowledge", "Settings"]);
    }

    #[test]
    fn paths_lead_to_module_pages_and_tabs() {
        let notes = module(
            "notes",
            vec![NavItem::new("notes", "Notes", "/notes")],
            vec![
                Tab::new("trash", "Trash", "Trash").order(20),
                Tab::new("all", "All", "All").order(10),
                Tab::new("prefs", "Prefs", "Prefs").section(TabSection::Settings),
            ],
        );
        let modules = [notes];
        let page = module_page(&modules, "/notes").unwrap();
        assert_eq!(
            page.tabs.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            ["all", "trash"]
        );
        assert_eq!(page.active.unwrap().id, "all");
        assert_eq!(
            module_page(&modules, "/notes/trash/")
                .unwrap()
                .active
                .unwrap()
                .id,
            "trash"
        );
        // Host-page tabs are not on the module's page.
        assert_eq!(module_page(&modules, "/notes/prefs"), None);
        assert_eq!(module_page(&modules, "/notes/nope"), None);
        assert_eq!(module_page(&modules, "/notes/all/deeper"), None);
        assert_eq!(module_page(&modules, "/notesy"), None);
        assert_eq!(module_page(&modules, "/other"), None);
    }
}
