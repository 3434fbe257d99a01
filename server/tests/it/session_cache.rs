//! The session cache: a signed-out, demoted, disabled, renamed or password-changed
//! account is seen at once on the instance that made the change, on other
//! instances within the bound, and on PostgreSQL through NOTIFY; so is a revoked
//! API token, which is cached beside the sessions.

use std::time::{Duration, Instant};

use gantry_server::accounts::{self, session_cache::FRESH_FOR, SessionCache};
use reqwest::{header, StatusCode};
use serde_json::json;

use crate::support::{browser, on_postgres, sign_in_people, TestApp, PASSWORD};

/// Believed for an hour: only forgetting can make a change seen.
fn remembering() -> SessionCache {
    SessionCache::fresh_for(Duration::from_secs(3600))
}

/// Signs `username` in on a browser of its own; returns its `Cookie` header.
async fn session_of(app: &TestApp, username: &str, password: &str) -> String {
    let res = browser()
        .post(app.url("/api/auth/login"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .find(|pair| pair.starts_with("gantry_session="))
        .unwrap_or_else(|| panic!("{username} signs in"))
        .to_owned()
}

/// `GET path` with `cookie`: its status and body.
async fn get_with(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let res = reqwest::Client::new()
        .get(app.url(path))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn every_account_change_is_seen_at_once_on_the_instance_that_made_it() {
    let app = TestApp::builder().sessions(remembering()).spawn().await;
    let people = sign_in_people(&app, &[("ada", accounts::Role::Admin)]).await;
    let ada = &people["ada"];
    let bob_id = accounts::create_user(&app.db, "bob", "Bob", PASSWORD, accounts::Role::User)
        .await
        .unwrap();
    let change = |body: serde_json::Value| {
        ada.patch(app.url(&format!("/api/admin/users/{bob_id}")))
            .json(&body)
            .send()
    };

    // Signing out.
    let bob = session_of(&app, "bob", PASSWORD).await;
    assert_eq!(get_with(&app, &bob, "/api/me").await.0, 200);
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/api/auth/logout"))
        .header(header::COOKIE, &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(get_with(&app, &bob, "/api/me").await.0, 401, "signed out");

    // A new role: the account signs in afresh.
    let bob = session_of(&app, "bob", PASSWORD).await;
    assert_eq!(get_with(&app, &bob, "/api/admin/users").await.0, 403);
    assert_eq!(
        change(json!({"is_admin": true})).await.unwrap().status(),
        200
    );
    assert_eq!(get_with(&app, &bob, "/api/me").await.0, 401, "promoted");
    let bob = session_of(&app, "bob", PASSWORD).await;
    assert_eq!(get_with(&app, &bob, "/api/admin/users").await.0, 200);
    assert_eq!(
        change(json!({"is_admin": false})).await.unwrap().status(),
        200
    );
    assert_eq!(
        get_with(&app, &bob, "/api/admin/users").await.0,
        401,
        "demoted"
    );

    // Disabled.
    let bob = session_of(&app, "bob", PASSWORD).await;
    assert_eq!(get_with(&app, &bob, "/api/me").await.0, 200);
    assert_eq!(
        change(json!({"disabled": true})).await.unwrap().status(),
        200
    );
    assert_eq!(get_with(&app, &bob, "/api/me").await.0, 401, "disabled");
    assert_eq!(
        change(json!({"disabled": false})).await.unwrap().status(),
        200
    );

    // A new name shows on the next page.
    let bob = session_of(&app, "bob", PASSWORD).await;
    assert!(get_with(&app, &bob, "/").await.1.contains("\"Bob\""));
    let res = reqwest::Client::new()
        .put(app.url("/api/me/profile"))
        .header(header::COOKIE, &bob)
        .json(&json!({"display_name": "Robert"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, page) = get_with(&app, &bob, "/").await;
    assert_eq!(status, 200);
    assert!(page.contains("\"Robert\"") && !page.contains("\"Bob\""));

    // A new password ends the account's other sessions.
    let elsewhere = session_of(&app, "bob", PASSWORD).await;
    assert_eq!(get_with(&app, &elsewhere, "/api/me").await.0, 200);
    let res = reqwest::Client::new()
        .post(app.url("/api/me/password"))
        .header(header::COOKIE, &bob)
        .json(&json!({"current_password": PASSWORD, "new_password": "a new long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        get_with(&app, &elsewhere, "/api/me").await.0,
        401,
        "password changed"
    );
}

/// Waits up to `within` for `cookie` to be refused on `app`; how long it took.
async fn refused_within(app: &TestApp, cookie: &str, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        if get_with(app, cookie, "/api/me").await.0 == 401 {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn another_instance_sees_a_sign_out_within_the_bound() {
    let first = TestApp::spawn().await;
    let second = TestApp::builder()
        .database(&first.database_url)
        .data_dir(first.data_dir.path())
        .spawn()
        .await;
    accounts::create_user(&first.db, "bob", "Bob", PASSWORD, accounts::Role::User)
        .await
        .unwrap();
    let bob = session_of(&first, "bob", PASSWORD).await;
    assert_eq!(get_with(&second, &bob, "/api/me").await.0, 200);
    let res = browser()
        .post(first.url("/api/auth/logout"))
        .header(header::COOKIE, &bob)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        refused_within(&second, &bob, FRESH_FOR + Duration::from_secs(1))
            .await
            .is_some(),
        "still let in after {FRESH_FOR:?}"
    );
}

#[tokio::test]
async fn on_postgres_other_instances_are_told_of_a_change() {
    if !on_postgres() {
        return;
    }
    let first = TestApp::spawn().await;
    // The second remembers for an hour: only the notification can make it forget.
    let second = TestApp::builder()
        .database(&first.database_url)
        .data_dir(first.data_dir.path())
        .sessions(remembering())
        .spawn()
        .await;
    let bob_id = accounts::create_user(&first.db, "bob", "Bob", PASSWORD, accounts::Role::User)
        .await
        .unwrap();
    let people = sign_in_people(&first, &[("ada", accounts::Role::Admin)]).await;
    let bob = session_of(&first, "bob", PASSWORD).await;
    assert_eq!(get_with(&second, &bob, "/api/me").await.0, 200);
    let res = people["ada"]
        .patch(first.url(&format!("/api/admin/users/{bob_id}")))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        refused_within(&second, &bob, Duration::from_secs(10))
            .await
            .is_some(),
        "the second instance was not told"
    );
}

/// `GET /api/me` with only the bearer `token`: its status.
async fn with_token(app: &TestApp, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(app.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_revoked_api_token_is_refused_at_once_here_and_on_postgres_soon_elsewhere() {
    // Both remember for an hour: only forgetting can make the revocation seen.
    let first = TestApp::builder().sessions(remembering()).spawn().await;
    let second = if on_postgres() {
        let second = TestApp::builder()
            .database(&first.database_url)
            .data_dir(first.data_dir.path())
            .sessions(remembering())
            .spawn()
            .await;
        Some(second)
    } else {
        None
    };
    let people = sign_in_people(&first, &[("ada", accounts::Role::User)]).await;
    let ada = &people["ada"];
    let (code, made) = first
        .call(
            ada,
            "POST",
            "/api/me/tokens",
            Some(json!({"name": "script"})),
        )
        .await;
    assert_eq!(code, 201, "{made}");
    let (secret, id) = (
        made["secret"].as_str().unwrap(),
        made["token"]["id"].as_str().unwrap(),
    );
    // Looked up once, then remembered on each instance.
    for _ in 0..2 {
        assert_eq!(with_token(&first, secret).await, 200);
        if let Some(second) = &second {
            assert_eq!(with_token(second, secret).await, 200);
        }
    }
    let (code, _) = first
        .call(ada, "DELETE", &format!("/api/me/tokens/{id}"), None)
        .await;
    assert_eq!(code, 204);
    assert_eq!(with_token(&first, secret).await, 401);
    if let Some(second) = &second {
        let started = Instant::now();
        while with_token(second, secret).await != 401 {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the second instance was not told"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
