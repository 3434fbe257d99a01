//! The host's own sidebar entries.

use gantry_sdk::{sort_nav_items, NavItem};

/// Chat, Settings and Admin, in sidebar order.
pub fn core_nav_items() -> Vec<NavItem> {
    let mut items = vec![
        NavItem::new("chat", "Chat", "/").icon("message").order(10),
        NavItem::new("settings", "Settings", "/settings")
            .icon("settings")
            .order(40),
        NavItem::new("admin", "Admin", "/admin")
            .icon("shield")
            .order(50)
            .admin_only(),
    ];
    sort_nav_items(&mut items);
    items
}
