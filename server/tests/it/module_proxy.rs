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
            "hop": header("x-hop"),
            "forwarded_for": header("x-forwarded-for"),
        }))
    }
    async fn sets_cookie() -> axum::response::Response {
        use axum::response::IntoResponse;
        (
            [
                ("set-cookie", "gantry_session=stolen; Path=/"),
                ("x-sidecar", "yes"),
            ],
            "hello",
        )
            .into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/base/cookie", any(sets_cookie))
        .route(
            "/base/slow",
            any(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                "too late"
            }),
        )
        .fallback(any(echo));
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
            "user_id": "dev-user", "admin": "false", "cookie": null, "hop": null,
            "forwarded_for": null
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

/// Sends `head` (a raw request, to bypass a client's own path clean-up) and reads
/// the whole answer.
async fn raw_request(app: &TestApp, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_sidecar_is_reached_only_below_its_base_and_sets_no_cookies() {
    let sidecar = spawn_sidecar().await;
    let dir = tempfile::tempdir().unwrap();
    drop_in(
        dir.path(),
        "py",
        &format!("name = \"py\"\nversion = \"0.1.0\"\n[backend]\nproxy = \"{sidecar}/base\"\n"),
        &[],
    );
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::User)
        .spawn()
        .await;
    for path in ["%2e%2e/secret", "%2E%2e/%2e%2e/etc", "a/..%2fsecret", "./x"] {
        let answer = raw_request(
            &app,
            &format!(
                "GET /api/modules/py/{path} HTTP/1.1\r\nHost: gantry\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{path}: {answer}");
        assert!(
            !answer.contains("\"path\""),
            "{path} reached the sidecar: {answer}"
        );
    }
    // Headers the Connection header names are the connection's, not the sidecar's.
    let answer = raw_request(
        &app,
        "GET /api/modules/py/ok HTTP/1.1\r\nHost: gantry\r\nConnection: close, x-hop\r\nx-hop: secret\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"path\":\"/base/ok\""), "{answer}");
    assert!(
        answer.contains("\"hop\":null") && answer.contains("\"forwarded_for\":null"),
        "{answer}"
    );
    // A sidecar's Set-Cookie never reaches the browser; its other headers do.
    let res = app.get("/api/modules/py/cookie").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("set-cookie").is_none());
    assert_eq!(res.headers()["x-sidecar"], "yes");
}

#[tokio::test]
async fn a_slow_sidecar_is_given_up_on_with_a_504_naming_the_module() {
    let sidecar = spawn_sidecar().await;
    let dir = tempfile::tempdir().unwrap();
    drop_in(
        dir.path(),
        "sloth",
        &format!("name = \"sloth\"\nversion = \"0.1.0\"\n[backend]\nproxy = \"{sidecar}/base\"\n"),
        &[],
    );
    let app = TestApp::builder()
        .drop_in_dir(dir.path())
        .dev_user(DevUser::Admin)
        .sidecar_timeout(std::time::Duration::from_secs(1))
        .spawn()
        .await;
    let (status, body) = app.get_json("/api/modules/sloth/slow").await;
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["error"]["code"], "module_backend_timeout");
    assert_eq!(body["error"]["module"], "sloth");
    // Its other routes, and the host, go on.
    let (status, _) = app.get_json("/api/modules/sloth/echo").await;
    assert_eq!(status, 200);
    assert_eq!(app.get("/healthz").await.status(), 200);
}
