//! The host's Admin and Settings pages as tab registries: the host's own tabs,
//! declared with the same `Tab` type as modules' tabs, merged with every module tab
//! whose `section` names the page.
//!
//! URLs: a host tab is `/<page>/<tab id>`; a module's is `/<page>/<module>/<tab id>`,
//! so two modules (or a module and the host) may use the same tab id without clashing.

use gantry_sdk::{tab_order, CurrentUser, ModuleInfo, SettingScope, Tab, TabSection};

/// The component of a module's settings tab, which the host draws from the
/// module's declared settings (`[[settings]]`).
pub const MODULE_SETTINGS: &str = "host:module-settings";

/// One tab of a host page.
#[derive(Clone, Debug, PartialEq)]
pub struct HostPageTab {
    pub tab: Tab,
    /// The module it comes from; `None` for the host's own.
    pub module: Option<ModuleInfo>,
    pub href: String,
}

/// What a path under a host page leads to.
#[derive(Clone, Debug, PartialEq)]
pub enum HostTabMatch {
    Tab(Box<HostPageTab>),
    /// `/<page>/<module>/…` for a module that is not there (removed, failed, or not
    /// the user's to see).
    ModuleUnavailable {
        module: String,
    },
    NotFound,
}

/// The Admin page's own tabs.
pub fn admin_host_tabs() -> Vec<Tab> {
    vec![
        Tab::new("users", "Users", "host:users").order(10),
        Tab::new("models", "Models", "host:models").order(14),
        Tab::new("personas", "Personas", "host:personas").order(16),
        Tab::new("knowledge", "Knowledge", "host:knowledge").order(18),
        Tab::new("modules", "Modules", "host:modules").order(20),
        Tab::new("audit", "Audit", "host:audit").order(30),
        Tab::new("logs", "Logs", "host:logs").order(38),
        Tab::new("system", "System", "host:system").order(40),
    ]
}

/// The Settings page's own tabs.
pub fn settings_host_tabs() -> Vec<Tab> {
    vec![
        Tab::new("profile", "Profile", "host:profile").order(10),
        Tab::new("personas", "Personas", "host:personas").order(15),
        Tab::new("appearance", "Appearance", "host:appearance").order(20),
        Tab::new("tokens", "API tokens", "host:tokens").order(30),
    ]
}

/// The tabs of the host page at `base` (`/admin`, `/settings`) for `user`: `host`
/// tabs and the modules' `section` tabs, sorted by order then label.
pub fn host_page_tabs(
    base: &str,
    section: TabSection,
    host: Vec<Tab>,
    modules: &[ModuleInfo],
    user: Option<&CurrentUser>,
) -> Vec<HostPageTab> {
    let is_admin = user.is_some_and(|u| u.is_admin);
    let mut tabs: Vec<HostPageTab> = host
        .into_iter()
        .map(|tab| HostPageTab {
            href: format!("{base}/{}", tab.id),
            tab,
            module: None,
        })
        .chain(modules.iter().flat_map(|module| {
            module
                .tabs
                .iter()
                .filter(|t| t.section == Some(section))
                .cloned()
                .chain(settings_tab(module, section))
                .map(|tab| HostPageTab {
                    href: format!("{base}/{}/{}", module.name, tab.id),
                    tab,
                    module: Some(module.clone()),
                })
        }))
        .filter(|t| is_admin || !t.tab.is_admin_only())
        .collect();
    tabs.sort_by(|a, b| tab_order(&a.tab, &b.tab));
    tabs
}

/// The host-drawn tab of `module`'s settings on the page of `section`: Admin for the
/// instance-wide ones, Settings for the user's own; none when it declares none there
/// (or has a `settings` tab of its own).
fn settings_tab(module: &ModuleInfo, section: TabSection) -> Option<Tab> {
    let scope = match section {
        TabSection::Admin => SettingScope::Instance,
        TabSection::Settings => SettingScope::User,
    };
    let own = module
        .tabs
        .iter()
        .any(|t| t.section == Some(section) && t.id == "settings");
    (!own && module.settings.iter().any(|s| s.scope == scope)).then(|| {
        let mut tab = Tab::new("settings", module.display_name.clone(), MODULE_SETTINGS).order(90);
        tab.section = Some(section);
        tab.icon = Some("settings".into());
        tab
    })
}

/// The tab `rest` (the path after the page's base) names; the first tab for none.
pub fn resolve_host_tab(tabs: &[HostPageTab], base: &str, rest: &str) -> HostTabMatch {
    let rest = rest.trim_matches('/');
    if rest.is_empty() {
        return tabs.first().cloned().map_or(HostTabMatch::NotFound, |tab| {
            HostTabMatch::Tab(Box::new(tab))
        });
    }
    let href = format!("{base}/{rest}");
    if let Some(tab) = tabs.iter().find(|t| t.href == href) {
        return HostTabMatch::Tab(Box::new(tab.clone()));
    }
    match rest.split_once('/') {
        Some((module, tab)) if !tab.contains('/') => {
            if tabs
                .iter()
                .any(|t| t.module.as_ref().is_some_and(|m| m.name == module))
            {
                HostTabMatch::NotFound
            } else {
                HostTabMatch::ModuleUnavailable {
                    module: module.to_owned(),
                }
            }
        }
        _ => HostTabMatch::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(name: &str, tabs: Vec<Tab>) -> ModuleInfo {
        ModuleInfo {
            name: name.into(),
            display_name: name.into(),
            version: "0.1.0".into(),
            description: String::new(),
            nav_items: Vec::new(),
            tabs,
            frontend_bundle: Some("/b.js".into()),
            settings: Vec::new(),
            tools: Vec::new(),
        }
    }

    fn admin() -> CurrentUser {
        CurrentUser {
            id: "a".into(),
            name: "A".into(),
            is_admin: true,
        }
    }

    #[test]
    fn module_tabs_join_the_host_tabs_in_order_with_namespaced_urls() {
        let modules = [
            module(
                "alpha",
                vec![
                    Tab::new("dashboard", "Dashboard", "Dash")
                        .section(TabSection::Admin)
                        .order(25),
                    Tab::new("page", "Own page", "Own"),
                ],
            ),
            module(
                "beta",
                vec![Tab::new("dashboard", "Beta board", "Dash")
                    .section(TabSection::Admin)
                    .order(50)],
            ),
        ];
        let tabs = host_page_tabs(
            "/admin",
            TabSection::Admin,
            admin_host_tabs(),
            &modules,
            Some(&admin()),
        );
        let hrefs: Vec<_> = tabs.iter().map(|t| t.href.as_str()).collect();
        assert_eq!(
            hrefs,
            [
                "/admin/users",
                "/admin/models",
                "/admin/personas",
                "/admin/knowledge",
                "/admin/modules",
                "/admin/alpha/dashboard",
                "/admin/audit",
                "/admin/logs",
                "/admin/system",
                "/admin/beta/dashboard"
            ]
        );
        assert_eq!(
            resolve_host_tab(&tabs, "/admin", "beta/dashboard"),
            HostTabMatch::Tab(Box::new(tabs[9].clone()))
        );
        assert_eq!(
            resolve_host_tab(&tabs, "/admin", ""),
            HostTabMatch::Tab(Box::new(tabs[0].clone()))
        );
        assert_eq!(
            resolve_host_tab(&tabs, "/admin", "alpha/nope"),
            HostTabMatch::NotFound
        );
        assert_eq!(
            resolve_host_tab(&tabs, "/admin", "gone/dashboard"),
            HostTabMatch::ModuleUnavailable {
                module: "gone".into()
            }
        );
        assert_eq!(
            resolve_host_tab(&tabs, "/admin", "nope"),
            HostTabMatch::NotFound
        );
    }

    #[test]
    fn admin_only_settings_tabs_are_for_admins() {
        let modules = [module(
            "alpha",
            vec![
                Tab::new("prefs", "Prefs", "Prefs").section(TabSection::Settings),
                Tab::new("keys", "Keys", "Keys")
                    .section(TabSection::Settings)
                    .admin_only(),
            ],
        )];
        let user = CurrentUser {
            is_admin: false,
            ..admin()
        };
        let tabs = host_page_tabs(
            "/settings",
            TabSection::Settings,
            settings_host_tabs(),
            &modules,
            Some(&user),
        );
        let ids: Vec<_> = tabs.iter().map(|t| t.tab.id.as_str()).collect();
        assert_eq!(
            ids,
            ["profile", "personas", "appearance", "tokens", "prefs"]
        );
        let tabs = host_page_tabs(
            "/settings",
            TabSection::Settings,
            settings_host_tabs(),
            &modules,
            Some(&admin()),
        );
        assert_eq!(tabs.len(), 6);
    }
}
