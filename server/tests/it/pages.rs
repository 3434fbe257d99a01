use gantry_server::auth::DevUser;

use crate::{fixtures::notes, support::TestApp};

/// Positions of `needles` in `haystack`, panicking on a missing one.
fn positions(haystack: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| {
            haystack
                .find(n)
                .unwrap_or_else(|| panic!("`{n}` not in page"))
        })
        .collect()
}

/// The JSON in the `<script>` element `id` of `html`.
fn script_json<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let start = format!(r#"<script type="application/json" id="{id}">"#);
    let rest = &html[html.find(&start)? + start.len()..];
    Some(&rest[..rest.find("</script>")?])
}

#[tokio::test]
async fn the_shell_renders_core_nav_in_order() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let found = positions(
        &html,
        &[
            r#"data-nav-id="chat""#,
            r#"data-nav-id="knowledge""#,
            r#"data-nav-id="settings""#,
            r#"data-nav-id="admin""#,
        ],
    );
    assert!(found.is_sorted(), "nav entries out of order: {found:?}");
    assert!(html.contains(r#"href="/settings""#));
    assert!(html.contains("<title>Chat · Gantry</title>"));
    // The hydration bootstrap that loads the WASM bundle.
    assert!(html.contains("/pkg/gantry.js"));
}

#[tokio::test]
async fn every_core_page_renders() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    for (path, page) in [
        ("/", "chat"),
        ("/knowledge", "knowledge"),
        ("/knowledge/some-collection", "knowledge"),
        ("/settings", "settings"),
        ("/admin", "admin"),
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!(r#"data-page="{page}""#)), "{path}");
    }
}

#[tokio::test]
async fn unknown_paths_are_404_pages() {
    let app = TestApp::builder().dev_user(DevUser::User).spawn().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"data-page="not-found""#));
    // Still the whole shell, so the visitor can navigate away.
    assert!(html.contains(r#"data-nav-id="chat""#));
}

#[tokio::test]
async fn the_theme_cookie_is_rendered_server_side() {
    let app = TestApp::builder().dev_user(DevUser::User).spawn().await;
    let html = reqwest::Client::new()
        .get(format!("{}/settings", app.base_url))
        .header("cookie", "gantry_theme=dark")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-theme="dark""#));
    // `<!>` separates static and reactive text in server-rendered HTML.
    assert!(html.replace("<!>", "").contains("Theme: Dark"));
}

#[tokio::test]
async fn built_assets_are_served_from_the_site_root() {
    let app = TestApp::builder().dev_user(DevUser::User).spawn().await;
    let pkg = app.data_dir.path().join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("gantry.css"), "body { color: red }").unwrap();
    let res = app.get("/pkg/gantry.css").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "body { color: red }");
    // Nothing outside the site root.
    assert_eq!(app.get("/pkg/../../gantry.db").await.status(), 404);
}

#[tokio::test]
async fn admin_is_hidden_from_and_refused_to_other_users() {
    let app = TestApp::builder().dev_user(DevUser::User).spawn().await;
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains(r#"data-nav-id="settings""#));
    assert!(!html.contains(r#"data-nav-id="admin""#));
    assert!(script_json(&html, "gantry-bootstrap").is_some());
    assert!(!html.contains("gantry-admin-overview"));
    let res = app.get("/admin").await;
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"data-page="forbidden""#) && !html.contains(r#"data-page="admin""#));
}

#[tokio::test]
async fn module_pages_and_entries_are_rendered_on_the_server() {
    let app = TestApp::builder()
        .module(notes())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let html = app.get("/").await.text().await.unwrap();
    // Chat 10, Knowledge 15, Notes 30, Settings 40, Admin 50.
    let found = positions(
        &html,
        &[
            r#"data-nav-id="chat""#,
            r#"data-nav-id="knowledge""#,
            r#"data-nav-id="notes" data-module="notes""#,
            r#"data-nav-id="settings""#,
            r#"data-nav-id="admin""#,
        ],
    );
    assert!(found.is_sorted(), "{found:?}");
    // The data the browser hydrates from is in the page; an administrator's overview
    // apart from it (only the Admin page reads it).
    let bootstrap: serde_json::Value =
        serde_json::from_str(script_json(&html, "gantry-bootstrap").unwrap()).unwrap();
    assert_eq!(bootstrap["user"]["id"], "dev-admin");
    assert!(bootstrap.get("admin").is_none(), "{bootstrap}");
    let overview: serde_json::Value =
        serde_json::from_str(script_json(&html, "gantry-admin-overview").unwrap()).unwrap();
    assert_eq!(overview["modules"][0]["name"], "notes");
    assert!(overview["system"]["version"].is_string());

    let res = app.get("/notes").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"data-page="module" data-module="notes""#));
    assert!(
        html.contains(r#"data-component="AllNotes""#),
        "first tab by default"
    );
    let tabs = positions(&html, &[r#"href="/notes/all""#, r#"href="/notes/trash""#]);
    assert!(tabs.is_sorted());
    assert!(
        !html.contains(r#"href="/notes/prefs""#),
        "settings-section tab is not on the page"
    );

    let html = app.get("/notes/trash").await.text().await.unwrap();
    assert!(html.contains(r#"data-component="Trash""#));
    assert!(html.contains("<title>Trash · Notes · Gantry</title>"));
    assert_eq!(app.get("/notes/nope").await.status(), 404);
}

#[tokio::test]
async fn admin_only_tabs_are_not_pages_for_other_users() {
    let app = TestApp::builder()
        .module(notes())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    assert_eq!(app.get("/notes/all").await.status(), 200);
    let res = app.get("/notes/trash").await;
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("/notes/trash\""));
}

#[tokio::test]
async fn admin_is_a_tab_page_of_the_hosts_and_the_modules_tabs() {
    let dir = tempfile::tempdir().unwrap();
    crate::fixtures::drop_in(
        dir.path(),
        "board",
        "name = \"board\"\nversion = \"0.1.0\"\nfrontend_bundle = \"i.js\"\n\
         [[tabs]]\nid = \"dashboard\"\nlabel = \"Board\"\nfrontend_component = \"Board\"\norder = 25\nsection = \"admin\"\n",
        &[("i.js", "")],
    );
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let html = app.get("/admin/modules").await.text().await.unwrap();
    let tabs = positions(
        &html,
        &[
            r#"href="/admin/users""#,
            r#"href="/admin/modules""#,
            r#"href="/admin/board/dashboard""#,
            r#"href="/admin/audit""#,
            r#"href="/admin/system""#,
        ],
    );
    assert!(tabs.is_sorted(), "{tabs:?}");
    // The Modules tab lists every module with its state, and what may be done to it.
    assert!(
        html.contains(r#"<tr data-module="notes" data-state="running">"#),
        "{html}"
    );
    assert!(html.contains(r#"data-action="Disable""#), "{html}");
    // With its API, pages and tabs, and each migration's state.
    // (Text in a view may be followed by a hydration marker, `<!>`.)
    assert!(html.contains("<code>/api/modules/notes/*"), "{html}");
    assert!(html.contains("1 items (applied)"), "{html}");

    let html = app
        .get("/admin/board/dashboard")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"data-component="Board""#));
    let html = app.get("/admin/system").await.text().await.unwrap();
    assert!(html.contains("sqlite") && html.contains(" MiB"));
    assert!(html.contains("tables by SQLite (an authorizer"), "{html}");
    assert_eq!(app.get("/admin/board/nope").await.status(), 404);
    let res = app.get("/admin/ghost/dashboard").await;
    assert_eq!(res.status(), 404);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains(r#"data-state="module-unavailable""#));

    let user = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    assert_eq!(user.get("/admin/board/dashboard").await.status(), 403);
    // The module's only tab is an Admin tab, so its API and bundle are admin-only too.
    assert_eq!(user.get("/api/modules/board/bundle.js").await.status(), 403);
    let (_, listed) = user.get_json("/api/modules").await;
    assert_eq!(listed, serde_json::json!([]));
}

#[tokio::test]
async fn settings_shows_module_settings_tabs_to_users() {
    let app = TestApp::builder()
        .module(notes())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let html = app.get("/settings").await.text().await.unwrap();
    assert!(html.contains(r#"href="/settings/appearance""#));
    assert!(html.contains(r#"href="/settings/notes/prefs""#));
    let res = app.get("/settings/notes/prefs").await;
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains(r#"data-component="Prefs""#));
}

#[tokio::test]
async fn pages_carry_security_headers_with_the_scripts_nonce() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let res = app.get("/").await;
    let headers = res.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("'wasm-unsafe-eval'") && policy.contains("frame-ancestors 'none'"));
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap()
        .to_owned();
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!(r#"<script type="module" nonce="{nonce}">"#)),
        "{policy}"
    );
    // A fresh nonce each time.
    let again = app.get("/").await.headers()["content-security-policy"].clone();
    assert!(!again.to_str().unwrap().contains(&nonce));
}

#[tokio::test]
async fn cross_site_state_changing_requests_are_refused() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let res = app
        .client
        .post(app.url("/api/auth/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "cross_site_request");
    let host = app.base_url.trim_start_matches("http://").to_owned();
    let res = app
        .client
        .post(app.url("/api/auth/logout"))
        .header("origin", format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 403);
}
