//! Accounts and sessions: the login form, the session cookie, logout, disabling,
//! first-run administrator, and pages behind the login.

use gantry_server::accounts::{self, AdminSetup, Role};
use reqwest::{header, redirect::Policy, Client, StatusCode};
use sqlx::Row;

use crate::support::{browser, location, TestApp};

const PASSWORD: &str = "correct horse battery";

async fn app_with_alice() -> TestApp {
    let app = TestApp::spawn().await;
    accounts::create_user(&app.db, "alice", "Alice", PASSWORD, Role::User)
        .await
        .unwrap();
    app
}

async fn log_in(app: &TestApp, client: &Client, password: &str, next: &str) -> reqwest::Response {
    client
        .post(app.url("/api/auth/login"))
        .form(&[
            ("username", "alice"),
            ("password", password),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn signed_out_pages_go_to_the_login_page() {
    let app = app_with_alice().await;
    let client = browser();
    let res = client.get(app.url("/settings?tab=1")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login?next=/settings%3Ftab%3D1");
    let res = client
        .get(app.url("/login?next=/settings"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"action="/api/auth/login""#));
    assert!(html.contains(r#"name="next" value="/settings""#));
    assert!(
        !html.contains(r#"data-nav-id="chat""#),
        "no sidebar before signing in"
    );
    // Health checks and APIs do not redirect.
    assert_eq!(
        client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client
            .get(app.url("/api/modules"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn logging_in_sets_an_httponly_session_cookie() {
    let app = app_with_alice().await;
    let client = browser();
    let res = log_in(&app, &client, PASSWORD, "/settings").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/settings");
    let cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("gantry_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP here");
    let token = cookie["gantry_session=".len()..].split(';').next().unwrap();

    let html = client
        .get(app.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Alice") && html.contains(r#"data-page="settings""#));
    assert_eq!(
        client
            .get(app.url("/api/modules"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Not an admin.
    assert_eq!(
        client.get(app.url("/admin")).send().await.unwrap().status(),
        403
    );

    // The database holds neither the password nor the token.
    let hash: String = sqlx::query("SELECT password_hash FROM users WHERE username = 'alice'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .get(0);
    assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD));
    let stored: String = sqlx::query("SELECT token_hash FROM sessions")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .get(0);
    assert_ne!(stored, token);

    // Signing in again from the same browser ends the session it came with.
    log_in(&app, &client, PASSWORD, "/").await;
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 1, "the old session is gone");
    let old = reqwest::Client::new()
        .get(app.url("/api/me"))
        .header(header::COOKIE, format!("gantry_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401);
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_are_refused() {
    let app = app_with_alice().await;
    let client = browser();
    let res = log_in(&app, &client, "not the password", "/settings").await;
    assert_eq!(location(&res), "/login?error=credentials&next=/settings");
    assert!(res.headers().get(header::SET_COOKIE).is_none());
    let res = client
        .post(app.url("/api/auth/login"))
        .form(&[("username", "mallory"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?error=credentials&next=/");
    let html = client
        .get(app.url("/login?error=credentials"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Wrong username or password."));
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = app_with_alice().await;
    let client = browser();
    let res = log_in(&app, &client, PASSWORD, "/").await;
    let cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    let session = cookie.split(';').next().unwrap().to_owned();

    let res = client
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login");
    assert!(res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    // The old token no longer works, even if someone kept it.
    let res = Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .get(app.url("/"))
        .header(header::COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_logins() {
    let app = app_with_alice().await;
    let client = browser();
    log_in(&app, &client, PASSWORD, "/").await;
    assert_eq!(client.get(app.url("/")).send().await.unwrap().status(), 200);
    let id: String = sqlx::query("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
        .get(0);
    let update = app::account::UserUpdate {
        disabled: Some(true),
        ..Default::default()
    };
    accounts::update_user(
        &app.db,
        &app.sessions,
        &id,
        &update,
        &accounts::Acting::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        client.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let res = log_in(&app, &client, PASSWORD, "/").await;
    assert_eq!(location(&res), "/login?error=disabled&next=/");
}

#[tokio::test]
async fn next_never_leaves_the_site_and_https_cookies_are_secure() {
    let app = app_with_alice().await;
    let client = browser();
    let res = log_in(&app, &client, PASSWORD, "https://evil.example/").await;
    assert_eq!(location(&res), "/");
    let res = client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("username", "alice"),
            ("password", PASSWORD),
            ("next", "//evil.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/");
    assert!(res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("; Secure"));
}

#[tokio::test]
async fn the_first_administrator_comes_from_the_admin_password() {
    let app = TestApp::spawn().await;
    assert!(matches!(
        accounts::ensure_admin(&app.db, Some("short")).await,
        Err(accounts::AccountError::WeakPassword)
    ));
    assert_eq!(
        accounts::ensure_admin(&app.db, Some(PASSWORD))
            .await
            .unwrap(),
        AdminSetup::Created
    );
    // Only once: a second start changes nothing.
    assert_eq!(
        accounts::ensure_admin(&app.db, Some("another password"))
            .await
            .unwrap(),
        AdminSetup::Exists
    );
    let client = browser();
    client
        .post(app.url("/api/auth/login"))
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let res = client.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(r#"data-page="admin""#));
}

#[tokio::test]
async fn behind_tls_cookies_are_secure_and_hsts_is_sent() {
    let app = TestApp::builder().secure_cookies().spawn().await;
    accounts::create_user(&app.db, "alice", "Alice", PASSWORD, Role::User)
        .await
        .unwrap();
    // No X-Forwarded-Proto from this proxy: the setting decides.
    let res = log_in(&app, &browser(), PASSWORD, "/").await;
    let cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    // Without the setting, plain HTTP gets neither.
    let plain = app_with_alice().await;
    let res = log_in(&plain, &browser(), PASSWORD, "/").await;
    assert!(res.headers().get("strict-transport-security").is_none());
}
