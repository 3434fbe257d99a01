//! Serving modules: their routers under their prefix only, bundles and static files.

use gantry_server::auth::DevUser;

use crate::{
    fixtures::{admin_files, failing_admin_only, forge, notes, secrets},
    support::TestApp,
};

async fn admin_app() -> TestApp {
    TestApp::builder()
        .module(notes())
        .dev_user(DevUser::Admin)
        .spawn()
        .await
}

#[tokio::test]
async fn a_module_router_answers_under_its_prefix_only() {
    let app = admin_app().await;
    let res = app.get("/api/modules/notes/hello").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "hello, Admin (development)");
    // Its handlers get the module's context and database.
    let res = app.get("/api/modules/notes/count").await;
    assert_eq!(res.text().await.unwrap(), "notes has 1 notes");

    let (status, body) = app.get_json("/api/modules/notes/nope").await;
    assert_eq!(status, 404);
    assert_eq!(
        body["error"]["message"],
        "module `notes` has no route `/nope`"
    );
    assert_eq!(body["error"]["module"], "notes");
    // Not at the root, nor under /api.
    assert_eq!(app.get("/hello").await.status(), 404);
    let (status, body) = app.get_json("/api/hello").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["message"], "no API at `/api/hello`");
}

#[tokio::test]
async fn unknown_modules_get_a_clear_404() {
    let app = admin_app().await;
    let (status, body) = app.get_json("/api/modules/ghost/hello").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["message"], "no module named `ghost`");
    let (status, body) = app.get_json("/modules/ghost/static/a.css").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["module"], "ghost");
}

#[tokio::test]
async fn require_admin_refuses_other_users() {
    let admin = admin_app().await;
    let res = admin
        .client
        .post(admin.url("/api/modules/notes/purge"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "purged by Admin (development)");

    let user = TestApp::builder()
        .module(notes())
        .module(secrets())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let res = user
        .client
        .post(user.url("/api/modules/notes/purge"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A module whose every entry is admin-only is refused whole: API and bundle.
    let (status, body) = user.get_json("/api/modules/secrets/hello").await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["message"],
        "module `secrets` is for administrators only"
    );
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_host_goes_on() {
    let app = admin_app().await;
    let (status, body) = app.get_json("/api/modules/notes/boom").await;
    assert_eq!(status, 500);
    assert_eq!(body["error"]["module"], "notes");
    assert_eq!(app.get("/api/modules/notes/hello").await.status(), 200);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn bundles_are_javascript_with_etags_and_hash_pinned_caching() {
    let app = admin_app().await;
    let (_, modules) = app.get_json("/api/modules").await;
    let url = modules[0]["frontend_bundle"].as_str().unwrap().to_owned();

    let res = app.get(&url).await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(
        headers["cache-control"],
        "private, max-age=31536000, immutable"
    );
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(res.text().await.unwrap().contains("__GANTRY_MODULES__"));

    // Without the hash, browsers revalidate; an unchanged bundle is a 304.
    let res = app.get("/api/modules/notes/bundle.js").await;
    assert_eq!(res.headers()["cache-control"], "no-cache");
    let res = app
        .client
        .get(app.url("/api/modules/notes/bundle.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    assert!(res.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn static_files_are_served_from_the_modules_folder_only() {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    let app = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let res = app.get("/modules/notes/static/notes.css").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/css");
    assert_eq!(res.text().await.unwrap(), "body { color: green; }\n");
    let res = app.get("/modules/forge/static/logo.svg").await;
    assert_eq!(res.headers()["content-type"], "image/svg+xml");

    // Traversal, plain or encoded, finds nothing outside the static folder.
    for path in [
        "/modules/notes/static/../secret.txt",
        "/modules/notes/static/%2e%2e/secret.txt",
        "/modules/notes/static/..%2fsecret.txt",
        "/modules/forge/static/%2e%2e/gantry-module.toml",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("not reachable") && !body.contains("name ="),
            "{path}: {body}"
        );
    }
    let (status, body) = app.get_json("/modules/notes/static/missing.css").await;
    assert_eq!(status, 404);
    assert_eq!(
        body["error"]["message"],
        "module `notes` has no static file `missing.css`"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_link_in_a_static_folder_never_serves_what_lies_outside() {
    let dir = tempfile::tempdir().unwrap();
    let root = forge(dir.path(), "forge");
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    // Links made after the module was loaded: to the database, and to /etc/passwd.
    let database = app.data_dir.path().join("gantry.db");
    std::os::unix::fs::symlink(&database, root.join("static/db.css")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", root.join("static/passwd.txt")).unwrap();
    std::os::unix::fs::symlink("/etc", root.join("static/etc")).unwrap();
    for path in ["db.css", "passwd.txt", "etc/passwd", "etc/hostname"] {
        let res = app.get(&format!("/modules/forge/static/{path}")).await;
        assert_eq!(res.status(), 404, "{path}");
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("root:") && !body.contains("SQLite"),
            "{path}: {body}"
        );
    }
    assert_eq!(
        app.get("/modules/forge/static/logo.svg").await.status(),
        200
    );

    // Loaded again, the module is refused, naming the link; the host goes on.
    let again = TestApp::builder()
        .module(notes())
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let status = again.module_status("forge").await;
    assert_eq!(status["state"], "invalid", "{status:#}");
    let message = status["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("leads outside the module's folder"),
        "{message}"
    );
    assert_eq!(again.module_status("notes").await["state"], "running");
}

#[tokio::test]
async fn an_admin_only_modules_static_files_are_refused_to_users() {
    let user = TestApp::builder()
        .module(admin_files())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let res = user.get("/modules/vaultfiles/static/notes.css").await;
    assert_eq!(res.status(), 403);
    let body = res.text().await.unwrap();
    assert!(!body.contains("color: green"), "{body}");
    let admin = TestApp::builder()
        .module(admin_files())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let res = admin.get("/modules/vaultfiles/static/notes.css").await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn users_learn_nothing_of_an_admin_only_modules_failure() {
    let user = TestApp::builder()
        .module(failing_admin_only())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let (status, body) = user.get_json("/api/modules/adminfail/hello").await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.to_string().contains("secret key"), "{body}");
    // An administrator is told why it does not run.
    let admin = TestApp::builder()
        .module(failing_admin_only())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let (status, body) = admin.get_json("/api/modules/adminfail/hello").await;
    assert_eq!(status, 503);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("secret key"),
        "{body}"
    );
}
