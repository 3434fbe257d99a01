//! Personal API tokens through the real host: made once and shown once, stored
//! hashed, accepted as `Authorization: Bearer` by the host's and modules' APIs with
//! the account's rights, read-only when asked, refused once expired, revoked or
//! disabled, and exempt from the cross-site rule that cookies keep.

use gantry_server::accounts::Role;
use serde_json::{json, Value};

use crate::{
    fixtures::forge,
    support::{sign_in_people, TestApp},
};

/// `method path` with only a bearer token (no cookies), and an `Origin` of another
/// site, as a script on a CI machine would send it (plus the Origin a browser
/// would add, to show the cross-site rule does not apply).
async fn with_token(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(token)
        .header("origin", "https://ci.example");
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_token_acts_as_its_account_until_revoked() {
    let dir = tempfile::tempdir().unwrap();
    forge(dir.path(), "forge");
    let app = TestApp::builder().drop_in_dir(dir.path()).spawn().await;
    let people = sign_in_people(&app, &[("root", Role::Admin), ("alice", Role::User)]).await;
    let (root, alice) = (&people["root"], &people["alice"]);

    let secret = make(
        &app,
        alice,
        json!({ "name": "CI deploy", "expires_in_days": 30 }),
    )
    .await;
    assert!(
        secret.starts_with("gantry_") && secret.len() > 40,
        "{secret}"
    );

    // Listed without the token; the database keeps only a hash.
    let (_, list) = app.call(alice, "GET", "/api/me/tokens", None).await;
    assert_eq!(list[0]["name"], "CI deploy");
    assert!(list[0]["last_used_at"].is_null());
    assert!(!list.to_string().contains(&secret));
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].contains(&secret[7..]),
        "the token is stored hashed"
    );

    // As Alice, on the host's API and a module's, from another site: no cookie
    // means no cross-site risk, so no 403.
    let (code, me) = with_token(&app, &secret, "GET", "/api/me", None).await;
    assert_eq!(
        (code, me["username"].as_str()),
        (200, Some("alice")),
        "{me}"
    );
    let (code, conversation) = with_token(
        &app,
        &secret,
        "POST",
        "/api/chat/conversations",
        Some(json!({})),
    )
    .await;
    assert_eq!(code, 201, "{conversation}");
    let (code, _) = with_token(&app, &secret, "GET", "/api/modules/forge/bundle.js", None).await;
    assert_eq!(code, 200);
    // With Alice's rights, not more.
    let (code, err) = with_token(&app, &secret, "GET", "/api/admin/users", None).await;
    assert_eq!(code, 403, "{err}");
    let (_, list) = app.call(alice, "GET", "/api/me/tokens", None).await;
    assert!(
        list[0]["last_used_at"].as_i64().unwrap() > 0,
        "each use is noted"
    );

    // Revoked: refused at once, in the ApiError shape.
    let id = list[0]["id"].as_str().unwrap();
    let (code, _) = app
        .call(alice, "DELETE", &format!("/api/me/tokens/{id}"), None)
        .await;
    assert_eq!(code, 204);
    let (code, err) = with_token(&app, &secret, "GET", "/api/me", None).await;
    assert_eq!(code, 401, "{err}");
    assert_eq!(err["error"]["code"], "invalid_token");
    let (code, _) = with_token(&app, "gantry_not-a-token", "GET", "/api/me", None).await;
    assert_eq!(code, 401);

    // Made and revoked are in the audit trail, never with the token.
    let actions = app.audit_actions(root, "token.").await;
    assert_eq!(actions, ["token.revoked", "token.created"]);
    let (_, audit) = app
        .call(root, "GET", "/api/admin/audit?action=token.", None)
        .await;
    assert!(!audit.to_string().contains(&secret));
}

/// Makes a token as the user of `client`; returns it.
async fn make(app: &TestApp, client: &reqwest::Client, body: Value) -> String {
    let (code, made) = app.call(client, "POST", "/api/me/tokens", Some(body)).await;
    assert_eq!(code, 201, "{made}");
    made["secret"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn read_only_expired_and_disabled_tokens_are_refused() {
    let app = TestApp::builder().spawn().await;
    let people = sign_in_people(&app, &[("root", Role::Admin), ("bob", Role::User)]).await;
    let (root, bob) = (&people["root"], &people["bob"]);
    let reader = make(&app, bob, json!({ "name": "dashboard", "read_only": true })).await;
    let (code, _) = with_token(&app, &reader, "GET", "/api/chat/conversations", None).await;
    assert_eq!(code, 200);
    let (code, err) = with_token(
        &app,
        &reader,
        "POST",
        "/api/chat/conversations",
        Some(json!({})),
    )
    .await;
    assert_eq!(code, 403, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("read-only"),
        "{err}"
    );

    // Bad requests for a token name the field.
    for (body, field) in [
        (json!({ "name": " " }), "name"),
        (
            json!({ "name": "x", "expires_in_days": 0 }),
            "expires_in_days",
        ),
    ] {
        let (code, err) = app.call(bob, "POST", "/api/me/tokens", Some(body)).await;
        assert_eq!(
            (code, err["error"]["field"].as_str()),
            (400, Some(field)),
            "{err}"
        );
    }

    // Past its expiry (moved into the past here), a token is refused.
    let expiring = make(&app, bob, json!({ "name": "soon", "expires_in_days": 1 })).await;
    sqlx::query("UPDATE api_tokens SET expires_at = 1 WHERE name = 'soon'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let (code, _) = with_token(&app, &expiring, "GET", "/api/me", None).await;
    assert_eq!(code, 401);

    // A disabled account's tokens stop working; another user's token id is a 404.
    let writer = make(&app, bob, json!({ "name": "script" })).await;
    let (_, users) = app.call(root, "GET", "/api/admin/users", None).await;
    let bob_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "bob")
        .unwrap()["id"]
        .clone();
    let (code, _) = app
        .call(
            root,
            "PATCH",
            &format!("/api/admin/users/{}", bob_id.as_str().unwrap()),
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(code, 200);
    let (code, _) = with_token(&app, &writer, "GET", "/api/me", None).await;
    assert_eq!(code, 401);
    let (_, tokens) = app.call(root, "GET", "/api/me/tokens", None).await;
    assert_eq!(tokens, json!([]), "root sees only root's tokens");
    let (code, _) = app
        .call(root, "DELETE", "/api/me/tokens/anything", None)
        .await;
    assert_eq!(code, 404);

    // Cookies keep the cross-site rule: a cross-site POST with a session is refused.
    let res = root
        .post(app.url("/api/chat/conversations"))
        .header("origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
}

#[tokio::test]
async fn a_token_cannot_make_tokens_or_change_the_password_and_a_new_password_revokes_it() {
    let app = TestApp::builder().spawn().await;
    let people = sign_in_people(&app, &[("carol", Role::User)]).await;
    let carol = &people["carol"];
    let secret = make(&app, carol, json!({ "name": "nightly" })).await;

    // What would let a stolen token outlive itself is refused.
    for (method, path, body) in [
        ("POST", "/api/me/tokens", json!({ "name": "forever" })),
        ("GET", "/api/me/tokens", json!(null)),
        (
            "POST",
            "/api/me/password",
            json!({ "current_password": crate::support::PASSWORD, "new_password": "a brand new password" }),
        ),
    ] {
        let body = (!body.is_null()).then_some(body);
        let (code, err) = with_token(&app, &secret, method, path, body).await;
        assert_eq!(code, 403, "{method} {path}: {err}");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("sign in"),
            "{err}"
        );
    }
    let (_, tokens) = app.call(carol, "GET", "/api/me/tokens", None).await;
    assert_eq!(tokens.as_array().unwrap().len(), 1);

    // A new password (signed in) revokes the account's tokens.
    let (code, changed) = app
        .call(carol, "POST", "/api/me/password", Some(json!({ "current_password": crate::support::PASSWORD, "new_password": "a brand new password" })))
        .await;
    assert!(code < 300, "{changed}");
    let (code, _) = with_token(&app, &secret, "GET", "/api/me", None).await;
    assert_eq!(code, 401);
}
