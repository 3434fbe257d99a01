use super::*;
use crate::{NavItem, Tab};

fn valid() -> ModuleManifest {
    let mut manifest = ModuleManifest::new("notes", "0.1.0");
    manifest.frontend_bundle = Some("dist/index.js".into());
    manifest
        .nav_items
        .push(NavItem::new("notes", "Notes", "/notes").component("NotesPage"));
    manifest.tabs.push(Tab::new("all", "All", "AllNotes"));
    manifest
}

/// Applies `change` to a valid manifest and checks the outcome: `Ok` when `expect`
/// is empty, otherwise an error whose message is exactly `expect`.
#[track_caller]
fn check(change: impl FnOnce(&mut ModuleManifest), expect: &str) {
    let mut manifest = valid();
    change(&mut manifest);
    let res = validate_manifest(&manifest, &semver::Version::new(0, 1, 0));
    match (res, expect) {
        (Ok(()), "") => {}
        (Ok(()), _) => panic!("expected `{expect}`, got Ok"),
        (Err(err), _) => assert_eq!(err.to_string(), expect),
    }
}

#[test]
fn a_valid_manifest_passes() {
    check(|_| {}, "");
    check(|m| m.nav_items.clear(), "");
    check(|m| m.host_version = Some(">=0.1, <0.2".into()), "");
    check(|m| m.nav_items[0].route = "/notes/all".into(), "");
    check(|m| m.nav_items[0].frontend_component.clear(), "");
}

#[test]
fn names() {
    let bad = "name must be lowercase letters, digits and `-`, starting with a letter, at most 40 characters";
    for name in [
        "Notes",
        "1notes",
        "no tes",
        "notes-",
        "",
        "notes_x",
        &"n".repeat(41),
    ] {
        check(
            |m| {
                m.name = name.into();
                m.router_prefix = ModuleManifest::router_prefix_for(name);
            },
            &format!("module `{name}`: {bad}"),
        );
    }
    check(
        |m| {
            m.name = "atom-overlord2".into();
            m.router_prefix = "/api/modules/atom-overlord2".into();
        },
        "",
    );
    // `host` stands for the host's own audit entries.
    check(
        |m| {
            m.name = "host".into();
            m.router_prefix = "/api/modules/host".into();
        },
        "module `host`: the name `host` is the host's own",
    );
    // `chat`, `llm` and `knowledge` would own the prefixes of the host's tables.
    for name in ["chat", "llm", "knowledge"] {
        check(
            |m| {
                m.name = name.into();
                m.router_prefix = format!("/api/modules/{name}");
            },
            &format!("module `{name}`: the name `{name}` is the host's own"),
        );
    }
}

#[test]
fn identity_fields() {
    check(
        |m| m.display_name = " ".into(),
        "module `notes`: display_name is empty",
    );
    check(
        |m| m.version = "1.x".into(),
        "module `notes`: version `1.x` is not semver (unexpected character 'x' while parsing minor version number)",
    );
    check(
        |m| m.router_prefix = "/api/notes".into(),
        "module `notes`: router_prefix must be `/api/modules/notes`, not `/api/notes`",
    );
}

#[test]
fn ids_are_url_safe_and_unique() {
    check(
        |m| m.tabs.push(Tab::new("all", "Again", "Again")),
        "module `notes`: tabs id `all` is used twice",
    );
    check(
        |m| m.nav_items[0].id = "Notes Page".into(),
        "module `notes`: nav_items id `Notes Page` must be lowercase letters, digits, `-` or `_`",
    );
    // A nav item and a tab may share an id: they live in different places.
    check(|m| m.tabs[0].id = "notes".into(), "");
}

#[test]
fn routes_cannot_take_the_hosts() {
    for (route, reserved) in [
        ("/settings", "/settings"),
        ("/admin/notes", "/admin"),
        ("/api/x", "/api"),
        ("/login", "/login"),
        ("/pkg", "/pkg"),
        ("/knowledge/docs", "/knowledge"),
    ] {
        check(
            |m| m.nav_items[0].route = route.into(),
            &format!("module `notes`: nav item `notes` route `{route}` clashes with the host's `{reserved}`"),
        );
    }
    check(|m| m.nav_items[0].route = "/administration".into(), "");
    for route in ["/", "notes", "/Notes", "/notes/", "/a//b"] {
        check(
            |m| m.nav_items[0].route = route.into(),
            &format!("module `notes`: nav item `notes` route `{route}` must be `/` followed by lowercase path segments"),
        );
    }
    check(
        |m| m.nav_items.push(NavItem::new("other", "Other", "/notes")),
        "module `notes`: nav item `other` route `/notes` is used twice",
    );
}

#[test]
fn components_need_a_bundle() {
    check(
        |m| m.tabs[0].frontend_component.clear(),
        "module `notes`: tab `all` has no frontend_component",
    );
    check(
        |m| m.frontend_bundle = None,
        "module `notes`: nav item `notes` names component `NotesPage` but the module has no frontend_bundle",
    );
}

#[test]
fn host_version_ranges() {
    check(
        |m| m.host_version = Some(">=0.2".into()),
        "module `notes`: supports Gantry `>=0.2`, but this host is 0.1.0",
    );
    check(
        |m| m.host_version = Some("latest".into()),
        "module `notes`: host_version `latest` is not a semver range (unexpected character 'l' while parsing major version number)",
    );
}

#[test]
fn settings() {
    use crate::{Setting, SettingType};
    let add = |s: Setting| move |m: &mut ModuleManifest| m.settings.push(s);
    check(
        add(Setting::new("api_key", "API key", SettingType::Secret)),
        "",
    );
    check(
        add(Setting::new("Api Key", "API key", SettingType::String)),
        "module `notes`: setting `Api Key`: key must be lowercase letters, digits and `_`, starting with a letter, at most 64 characters",
    );
    check(
        add(Setting::new("mode", "Mode", SettingType::Select)),
        "module `notes`: setting `mode`: a select needs options",
    );
    check(
        add(Setting::new("key", "Key", SettingType::Secret).default_value("x")),
        "module `notes`: setting `key`: a secret cannot have a default",
    );
    check(
        add(Setting::new("n", "N", SettingType::Number)
            .range(Some(1.0), Some(10.0))
            .default_value(20)),
        "module `notes`: setting `n`: default 20 must be at most 10",
    );
    check(
        add(Setting::new("n", "", SettingType::Number)),
        "module `notes`: setting `n`: label is empty",
    );
    check(
        |m| {
            m.settings.push(Setting::new("n", "N", SettingType::Bool));
            m.settings
                .push(Setting::new("n", "N again", SettingType::Bool));
        },
        "module `notes`: setting `n`: is declared twice",
    );
}

#[test]
fn dependencies() {
    let dep = |name: &'static str, range: &'static str| {
        move |m: &mut ModuleManifest| {
            m.depends.insert(name.into(), range.into());
        }
    };
    check(dep("overlord", ">=0.1, <0.2"), "");
    check(
        dep("Overlord", ">=0.1"),
        "module `notes`: depends on `Overlord` with `>=0.1`: that is not a module name",
    );
    check(
        dep("notes", ">=0.1"),
        "module `notes`: depends on `notes` with `>=0.1`: a module cannot depend on itself",
    );
    let mut manifest = valid();
    manifest.depends.insert("overlord".into(), "soon".into());
    let err = validate_manifest(&manifest, &semver::Version::new(0, 1, 0)).unwrap_err();
    assert_eq!(err.field(), "depends");
    assert!(err.to_string().contains("not a semver range"), "{err}");
}

#[test]
fn tools() {
    use crate::{Collection, Tool};
    use serde_json::json;
    let object = json!({ "type": "object", "properties": { "q": { "type": "string" } } });
    check(
        |m| {
            m.tools
                .push(Tool::new("find", "Finds.").parameters(object.clone()))
        },
        "",
    );
    check(|m| m.tools.push(Tool::new("status", "The status.")), "");
    check(
        |m| m.tools.push(Tool::new("Find-It", "Finds.")),
        "module `notes`: tool `Find-It`: name must be lowercase letters, digits and `_`, starting with a letter, at most 22 characters",
    );
    check(
        |m| m.tools.push(Tool::new("a_very_long_tool_name_x", "Finds.")),
        "module `notes`: tool `a_very_long_tool_name_x`: name must be lowercase letters, digits and `_`, starting with a letter, at most 22 characters",
    );
    check(
        |m| m.tools.push(Tool::new("find", " ")),
        "module `notes`: tool `find`: description is empty (the model chooses tools by it)",
    );
    check(
        |m| {
            m.tools
                .push(Tool::new("find", "Finds.").parameters(json!({ "type": "string" })))
        },
        "module `notes`: tool `find`: parameters must be a JSON Schema with `\"type\": \"object\"`",
    );
    check(
        |m| {
            m.tools.push(Tool::new("find", "Finds."));
            m.tools.push(Tool::new("find", "Finds again."));
        },
        "module `notes`: tool `find`: is declared twice",
    );
    check(
        |m| {
            m.tools.push(Tool::search_collection(
                "search_notes",
                "Finds notes.",
                "notes",
            ))
        },
        "module `notes`: tool `search_notes`: collection `notes` is not declared",
    );
    let with_collection = |m: &mut ModuleManifest| {
        m.collections
            .push(Collection::new("notes", "notes_items", ["text"]));
    };
    check(
        |m| {
            with_collection(m);
            m.tools.push(Tool::search_collection(
                "search_notes",
                "Finds notes.",
                "notes",
            ));
        },
        "",
    );
    check(
        |m| {
            with_collection(m);
            m.tools.push(
                Tool::search_collection("search_notes", "Finds notes.", "notes").confirm(),
            );
        },
        "module `notes`: tool `search_notes`: a collection tool only reads: it cannot ask to `confirm`",
    );
    let err = validate_manifest(
        &{
            let mut m = valid();
            m.tools.push(Tool::new("x", ""));
            m
        },
        &semver::Version::new(0, 1, 0),
    )
    .unwrap_err();
    assert_eq!(err.field(), "tools");
}
