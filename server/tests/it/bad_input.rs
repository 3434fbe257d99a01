//! Bad input gets the `ApiError` JSON shape from every route, host and module alike:
//! malformed JSON, a wrong content type or shape, a body over the limit, a bad
//! query, a method a route does not take, a module router's own refusals.

use gantry_server::auth::DevUser;
use serde_json::Value;

use crate::{
    fixtures::{notes, overlord},
    support::TestApp,
};

/// `method path` with `body` as `content_type`: the status, and the body as JSON
/// (the test fails when it is not JSON).
async fn send_raw(
    app: &TestApp,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut req = app
        .client
        .request(method.parse().unwrap(), app.url(path))
        .header("origin", &app.base_url)
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|_| {
        panic!("{method} {path}: HTTP {status} answered with no JSON: {text:?}")
    });
    assert!(
        json["error"]["code"].is_string() && json["error"]["message"].is_string(),
        "{method} {path}: {json}"
    );
    (status, json, headers)
}

#[tokio::test]
async fn malformed_bodies_get_json_errors_from_host_routes() {
    let app = TestApp::builder().dev_user(DevUser::Admin).spawn().await;
    let (_, conv) = app.send_json("POST", "/api/chat/conversations", None).await;
    let path = format!(
        "/api/chat/conversations/{}/messages",
        conv["id"].as_str().unwrap()
    );
    let json = Some("application/json");
    for (content_type, body, status, code) in [
        (json, b"{\"content\":".to_vec(), 400, "bad_request"),
        (
            None,
            b"{\"content\": \"hi\"}".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (json, b"{\"content\": 5}".to_vec(), 422, "invalid_body"),
        (json, vec![b' '; 3 * 1024 * 1024], 413, "payload_too_large"),
    ] {
        let (got, body, _) = send_raw(&app, "POST", &path, content_type, body).await;
        assert_eq!(
            (got, body["error"]["code"].as_str().unwrap()),
            (status, code),
            "{body}"
        );
    }
    let (status, body, _) =
        send_raw(&app, "PATCH", "/api/admin/users/x", json, b"{,}".to_vec()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );
    let (status, body, _) =
        send_raw(&app, "GET", "/api/admin/audit?page=lots", None, Vec::new()).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("page"),
        "{body}"
    );
}

#[tokio::test]
async fn refusals_of_the_router_and_of_modules_are_json_too() {
    let assets = tempfile::tempdir().unwrap();
    let app = TestApp::builder()
        .module(notes())
        .module(overlord(assets.path()))
        .dev_user(DevUser::Admin)
        .spawn()
        .await;
    let overlord = app.module_status("overlord").await;
    assert_eq!(overlord["state"], "running", "{overlord:#}");
    // A method the route does not take: 405, with its Allow header kept.
    let (status, body, headers) = send_raw(
        &app,
        "PUT",
        "/api/me",
        Some("application/json"),
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
    assert!(headers.contains_key("allow"));
    // A module router's own 404 (an empty body) and 405.
    let (status, body, _) =
        send_raw(&app, "GET", "/api/modules/notes/nowhere", None, Vec::new()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, _, _) =
        send_raw(&app, "DELETE", "/api/modules/notes/hello", None, Vec::new()).await;
    assert_eq!(status, 405);
    // The Overlord's handlers take the SDK's Json: a malformed body is refused in words.
    let (status, body, _) = send_raw(
        &app,
        "POST",
        "/api/modules/overlord/projects",
        Some("application/json"),
        b"{\"name\":".to_vec(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("request body"),
        "{body}"
    );
}
