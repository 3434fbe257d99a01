//! The sidecar escape hatch: a drop-in module's API served by its own process.

use axum::{http::HeaderMap, routing::any, Json, Router};
use gantry_server::auth::DevUser;
use serde_json::{json, Value};

use crate::{fixtures::drop_in, support::TestApp};

/// A sidecar that echoes what reached it.
async fn spawn_sidecar() -> String {
    async fn echo(headers: HeaderMap, uri: axum::http::Uri, body: String) -> Json<Value> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Json(json!({
            "path": uri.path(),
            "query": uri.query(),
            "body": body,
            "module": header("x-gantry-module"),
            "user_id": header("x-gantry-user-id"),
            "admin": header("x-gantry-user-admin"),
            "cookie": header("cookie"),
        }))
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(any(echo));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn the_module_api_is_proxied_with_the_user_after_auth() {
    let sidecar = spawn_sidecar().await;
    let dir = tempfile::tempdir().unwrap();
    drop_in(
        dir.path(),
        "py",
        &format!("name = \"py\"\nversion = \"0.1.0\"\n[backend]\nproxy = \"{sidecar}\"\n"),
        &[],
    );
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    let res = app
        .client
        .post(app.url("/api/modules/py/jobs/7?verbose=1"))
        .header("x-gantry-user-admin", "true")
        .header("cookie", "gantry_session=secret")
        .body("run it")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let seen: Value = res.json().await.unwrap();
    assert_eq!(
        seen,
        json!({
            "path": "/jobs/7", "query": "verbose=1", "body": "run it", "module": "py",
            "user_id": "dev-user", "admin": "false", "cookie": null
        })
    );

    // Auth applies first: anonymous requests never reach the sidecar.
    let anonymous = TestApp::builder().drop_in_dir(dir.path()).spawn().await;
    assert_eq!(anonymous.get("/api/modules/py/jobs").await.status(), 401);
}

#[tokio::test]
async fn an_unreachable_sidecar_is_a_502_naming_the_module() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    drop_in(
        dir.path(),
        "gone",
        &format!("name = \"gone\"\nversion = \"0.1.0\"\n[backend]\nproxy = \"http://127.0.0.1:{port}\"\n"),
        &[],
    );
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let (status, body) = app.get_json("/api/modules/gone/x").await;
    assert_eq!(status, 502);
    assert_eq!(body["error"]["code"], "module_backend_unreachable");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with(&format!(
            "module `gone`: its backend at http://127.0.0.1:{port} did not answer"
        )));
}
