//! Accounts over the API: the setup link, sign-in limits, the user's own profile and
//! password, and the administrators' Users API, each with its audit entries.

use app::account::{Profile, UserAccount};
use gantry_server::accounts::{
    self, AdminSetup, Role, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS,
};
use reqwest::{header, redirect::Policy, Client};
use serde_json::{json, Value};

use crate::support::{browser, location, TestApp};

const PASSWORD: &str = "correct horse battery";

async fn log_in(app: &TestApp, client: &Client, username: &str, password: &str) -> String {
    let res = client
        .post(app.url("/api/auth/login"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    location(&res).to_owned()
}

/// A server with the administrator `root` and the user `alice`, and a client signed
/// in as `root`.
async fn app_with_accounts() -> (TestApp, Client) {
    let app = TestApp::spawn().await;
    accounts::create_user(&app.db, "root", "Root", PASSWORD, Role::Admin)
        .await
        .unwrap();
    accounts::create_user(&app.db, "alice", "Alice", PASSWORD, Role::User)
        .await
        .unwrap();
    let admin = browser();
    assert_eq!(log_in(&app, &admin, "root", PASSWORD).await, "/");
    (app, admin)
}

/// The audit entries with `action`, oldest first, as (actor, target, detail).
async fn audited(app: &TestApp, action: &str) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as("SELECT actor, target, detail FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

async fn users(app: &TestApp, client: &Client) -> Vec<UserAccount> {
    client
        .get(app.url("/api/admin/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_setup_link_creates_the_first_administrator_once() {
    let app = TestApp::spawn().await;
    let AdminSetup::SetupToken(token) = accounts::ensure_admin(&app.db, None).await.unwrap() else {
        panic!("no setup token without an administrator");
    };
    // The page is open to signed-out visitors.
    let client = browser();
    let page = client
        .get(app.url(&format!("/setup?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains(r#"action="/api/auth/setup""#));

    let form = |token: &str, again: &str| {
        vec![
            ("token", token.to_owned()),
            ("username", "ops".to_owned()),
            ("display_name", "Ops".to_owned()),
            ("password", PASSWORD.to_owned()),
            ("password_again", again.to_owned()),
        ]
    };
    let post = |form: Vec<(&'static str, String)>| {
        let client = client.clone();
        let url = app.url("/api/auth/setup");
        async move { client.post(url).form(&form).send().await.unwrap() }
    };
    let res = post(form("wrong-token", PASSWORD)).await;
    assert_eq!(location(&res), "/setup?token=wrong-token&error=token");
    // A refused password does not use the link up.
    let mut short = form(&token, "short");
    short[3].1 = "short".into();
    let res = post(short).await;
    assert!(
        location(&res).ends_with("&error=password"),
        "{}",
        location(&res)
    );
    let res = post(form(&token, "something else")).await;
    assert!(location(&res).ends_with("&error=mismatch"));
    let res = post(form(&token, PASSWORD)).await;
    assert_eq!(location(&res), "/admin");
    assert!(res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("HttpOnly"));
    assert_eq!(
        client.get(app.url("/admin")).send().await.unwrap().status(),
        200
    );

    // Used up: the same link does not make a second administrator.
    let other = browser();
    let res = other
        .post(app.url("/api/auth/setup"))
        .form(&form(&token, PASSWORD))
        .send()
        .await
        .unwrap();
    assert!(location(&res).ends_with("&error=token"));
    assert_eq!(
        accounts::ensure_admin(&app.db, None).await.unwrap(),
        AdminSetup::Exists
    );
    assert_eq!(
        audited(&app, "user.created").await,
        [(
            "ops".into(),
            "ops".into(),
            Some("first administrator, through the setup link".into())
        )]
    );
    // The wrong token before there was an administrator; once there is one, the
    // link is refused at once and nothing is recorded.
    assert_eq!(audited(&app, "setup.refused").await.len(), 1);
}

#[tokio::test]
async fn a_new_start_replaces_the_setup_token() {
    let app = TestApp::spawn().await;
    let first = accounts::ensure_admin(&app.db, None).await.unwrap();
    let second = accounts::ensure_admin(&app.db, None).await.unwrap();
    let (AdminSetup::SetupToken(first), AdminSetup::SetupToken(second)) = (first, second) else {
        panic!("setup tokens expected");
    };
    assert_ne!(first, second);
    let client = browser();
    let res = client
        .post(app.url("/api/auth/setup"))
        .form(&[
            ("token", first.as_str()),
            ("username", "ops"),
            ("display_name", "Ops"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        location(&res).ends_with("&error=token"),
        "the old link is dead"
    );
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_account() {
    let (app, _) = app_with_accounts().await;
    let client = browser();
    for _ in 0..MAX_FAILURES_PER_ACCOUNT {
        let to = log_in(&app, &client, "alice", "wrong password").await;
        assert!(to.starts_with("/login?error=credentials"), "{to}");
    }
    // Locked now, even with the right password, with a clear message.
    let to = log_in(&app, &client, "alice", PASSWORD).await;
    assert_eq!(to, "/login?error=rate_limited&retry=15&next=/");
    let html = client
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Too many failed sign-ins. Try again in 15 minutes."),
        "{html}"
    );
    // Other accounts are not locked out by Alice's.
    assert_eq!(log_in(&app, &browser(), "root", PASSWORD).await, "/");
    let limited = audited(&app, "login.rate_limited").await;
    assert_eq!(limited.len(), 1);
    assert_eq!(limited[0].1, "alice");
    assert!(limited[0]
        .2
        .as_deref()
        .unwrap()
        .contains("for this account"));
    assert_eq!(audited(&app, "login.failed").await.len(), 5);
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_address() {
    let (app, _) = app_with_accounts().await;
    let client = browser();
    // Many names, one address: guessing across accounts is limited too.
    for i in 0..MAX_FAILURES_PER_ADDRESS {
        log_in(&app, &client, &format!("guess{i}"), "wrong password").await;
    }
    let to = log_in(&app, &client, "alice", PASSWORD).await;
    assert!(to.starts_with("/login?error=rate_limited"), "{to}");
    let limited = audited(&app, "login.rate_limited").await;
    assert!(limited[0]
        .2
        .as_deref()
        .unwrap()
        .contains("from this address"));
    let address: Option<String> =
        sqlx::query_scalar("SELECT address FROM audit_log WHERE action = 'login.failed' LIMIT 1")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(address.as_deref(), Some("127.0.0.1"));
    // More refused attempts, each under a new name: one entry a minute for the
    // address, not one per made-up name.
    for i in 0..10 {
        log_in(&app, &client, &format!("flood{i}"), "x").await;
    }
    assert_eq!(audited(&app, "login.rate_limited").await.len(), 1);
}

#[tokio::test]
async fn wrong_current_passwords_count_toward_the_sign_in_limit() {
    let (app, _) = app_with_accounts().await;
    let alice = browser();
    log_in(&app, &alice, "alice", PASSWORD).await;
    for _ in 0..MAX_FAILURES_PER_ACCOUNT {
        let res = alice
            .post(app.url("/api/me/password"))
            .header("origin", &app.base_url)
            .json(&json!({"current_password": "a wrong guess", "new_password": "another long password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
    }
    // Guessing through the password form locks the account like guessing at sign-in.
    let to = log_in(&app, &browser(), "alice", PASSWORD).await;
    assert!(to.starts_with("/login?error=rate_limited"), "{to}");
    let res = alice
        .post(app.url("/api/me/password"))
        .header("origin", &app.base_url)
        .json(&json!({"current_password": PASSWORD, "new_password": "another long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn sign_in_floods_cannot_grow_the_audit_trail() {
    let (app, _) = app_with_accounts().await;
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    // A name longer than any account's is refused before any work.
    let to = log_in(&app, &browser(), &"x".repeat(100_000), "wrong password").await;
    assert!(to.starts_with("/login?error=credentials"), "{to}");
    // Setting up again once an administrator exists is refused at once.
    for _ in 0..5 {
        let res = browser()
            .post(app.url("/api/auth/setup"))
            .form(&[
                ("token", "guess"),
                ("username", "mallory"),
                ("display_name", "Mallory"),
                ("password", "a long password"),
                ("password_again", "a long password"),
            ])
            .send()
            .await
            .unwrap();
        assert!(crate::support::location(&res).contains("error=token"));
    }
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(after, before, "nothing was written to the audit trail");
    // What is written is capped.
    log_in(&app, &browser(), &"y".repeat(64), "wrong password").await;
    let longest: i64 = sqlx::query_scalar("SELECT MAX(LENGTH(target)) FROM audit_log")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(longest <= 200, "{longest}");
}

#[tokio::test]
async fn a_success_clears_the_account_s_earlier_failures() {
    let (app, _) = app_with_accounts().await;
    let client = browser();
    for _ in 0..MAX_FAILURES_PER_ACCOUNT - 1 {
        log_in(&app, &client, "alice", "wrong password").await;
    }
    assert_eq!(log_in(&app, &client, "alice", PASSWORD).await, "/");
    let to = log_in(&app, &browser(), "alice", "wrong password").await;
    assert!(to.starts_with("/login?error=credentials"), "{to}");
}

#[tokio::test]
async fn users_edit_their_profile_theme_and_password() {
    let (app, _) = app_with_accounts().await;
    let alice = browser();
    log_in(&app, &alice, "alice", PASSWORD).await;
    let profile: Profile = alice
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile.username, "alice");
    assert!(!profile.is_admin && profile.theme.is_none());

    let res = alice
        .put(app.url("/api/me/profile"))
        .json(&json!({ "display_name": "  " }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "display_name");
    let profile: Profile = alice
        .put(app.url("/api/me/profile"))
        .json(&json!({ "display_name": "Alice Liddell" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile.display_name, "Alice Liddell");
    // The header shows the new name.
    let html = alice
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Alice Liddell"));

    let res = alice
        .put(app.url("/api/me/theme"))
        .json(&json!({ "theme": "purple" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = alice
        .put(app.url("/api/me/theme"))
        .json(&json!({ "theme": "dark" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    // Stored with the account: a new browser gets it at sign-in.
    let elsewhere = Client::builder().redirect(Policy::none()).build().unwrap();
    let res = elsewhere
        .post(app.url("/api/auth/login"))
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookies: Vec<_> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("gantry_theme=dark;")),
        "{cookies:?}"
    );

    // A password change needs the current password …
    let res = alice
        .post(app.url("/api/me/password"))
        .json(
            &json!({ "current_password": "not it at all", "new_password": "a new secret phrase" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "current_password");
    // … ends every other session, and gives this browser a fresh one.
    let other = browser();
    log_in(&app, &other, "alice", PASSWORD).await;
    let res = alice
        .post(app.url("/api/me/password"))
        .json(&json!({ "current_password": PASSWORD, "new_password": "a new secret phrase" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("gantry_session="));
    assert_eq!(
        alice.get(app.url("/api/me")).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        other.get(app.url("/api/me")).send().await.unwrap().status(),
        401
    );
    assert!(log_in(&app, &browser(), "alice", PASSWORD)
        .await
        .contains("error=credentials"));
    assert_eq!(
        log_in(&app, &browser(), "alice", "a new secret phrase").await,
        "/"
    );

    assert_eq!(audited(&app, "profile.updated").await.len(), 1);
    assert_eq!(
        audited(&app, "settings.changed").await,
        [("alice".into(), "alice".into(), Some("theme dark".into()))]
    );
    assert_eq!(audited(&app, "password.change_refused").await.len(), 1);
    assert_eq!(audited(&app, "password.changed").await.len(), 1);
    // Nothing in the trail holds a password.
    let details: Vec<Option<String>> = sqlx::query_scalar("SELECT detail FROM audit_log")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert!(details
        .iter()
        .flatten()
        .all(|d| !d.contains(PASSWORD) && !d.contains("secret")));
}

#[tokio::test]
async fn administrators_manage_accounts() {
    let (app, admin) = app_with_accounts().await;
    let res = admin
        .post(app.url("/api/admin/users"))
        .json(
            &json!({ "username": "bob", "display_name": "Bob", "password": "bob's long password" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let bob: UserAccount = res.json().await.unwrap();
    assert!(!bob.is_admin && !bob.disabled && bob.last_login_at.is_none());
    let res = admin
        .post(app.url("/api/admin/users"))
        .json(
            &json!({ "username": "bob", "display_name": "Bob 2", "password": "another long one" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let res = admin
        .post(app.url("/api/admin/users"))
        .json(&json!({ "username": "no spaces", "display_name": "X", "password": "long enough password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let names: Vec<_> = users(&app, &admin)
        .await
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["alice", "bob", "root"]);

    // Bob signs in; promoting him ends that session, so his new rights take a new one.
    let bob_browser = browser();
    assert_eq!(
        log_in(&app, &bob_browser, "bob", "bob's long password").await,
        "/"
    );
    assert_eq!(
        bob_browser
            .get(app.url("/api/admin/users"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let patch = |id: &str, body: Value| {
        admin
            .patch(app.url(&format!("/api/admin/users/{id}")))
            .json(&body)
            .send()
    };
    let updated: UserAccount = patch(&bob.id, json!({ "is_admin": true }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(updated.is_admin);
    assert_eq!(
        bob_browser
            .get(app.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    log_in(&app, &bob_browser, "bob", "bob's long password").await;
    assert_eq!(
        bob_browser
            .get(app.url("/api/admin/users"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // A reset password replaces the old one; disabling refuses sign-in.
    let res = patch(&bob.id, json!({ "password": "short" }))
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        patch(&bob.id, json!({ "password": "reset by root ok" }))
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(log_in(&app, &browser(), "bob", "bob's long password")
        .await
        .contains("error=credentials"));
    assert_eq!(
        log_in(&app, &browser(), "bob", "reset by root ok").await,
        "/"
    );
    let disabled: UserAccount = patch(&bob.id, json!({ "disabled": true }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(disabled.disabled);
    assert!(log_in(&app, &browser(), "bob", "reset by root ok")
        .await
        .contains("error=disabled"));

    // The last enabled administrator stays.
    let root = users(&app, &admin)
        .await
        .into_iter()
        .find(|u| u.username == "root")
        .unwrap();
    let res = patch(&root.id, json!({ "is_admin": false })).await.unwrap();
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "last_admin");
    assert_eq!(
        patch(&root.id, json!({ "disabled": true }))
            .await
            .unwrap()
            .status(),
        409
    );
    assert_eq!(
        patch("nobody", json!({ "disabled": true }))
            .await
            .unwrap()
            .status(),
        404
    );

    // Users and anonymous callers are refused by the server, not just the page.
    let alice = browser();
    log_in(&app, &alice, "alice", PASSWORD).await;
    for res in [
        alice.get(app.url("/api/admin/users")).send().await.unwrap(),
        alice
            .post(app.url("/api/admin/users"))
            .json(&json!({ "username": "eve", "display_name": "Eve", "password": "long enough password" }))
            .send()
            .await
            .unwrap(),
        alice
            .patch(app.url(&format!("/api/admin/users/{}", bob.id)))
            .json(&json!({ "disabled": false }))
            .send()
            .await
            .unwrap(),
        alice.get(app.url("/api/admin/audit")).send().await.unwrap(),
    ] {
        assert_eq!(res.status(), 403);
    }
    assert_eq!(
        browser()
            .get(app.url("/api/admin/users"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let actions = |rows: Vec<(String, String, Option<String>)>| {
        rows.into_iter()
            .map(|(actor, target, _)| (actor, target))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        actions(audited(&app, "user.created").await),
        [("root".into(), "bob".into())]
    );
    assert_eq!(
        audited(&app, "user.role_changed").await,
        [("root".into(), "bob".into(), Some("now admin".into()))]
    );
    assert_eq!(actions(audited(&app, "user.password_reset").await).len(), 1);
    assert_eq!(
        actions(audited(&app, "user.disabled").await),
        [("root".into(), "bob".into())]
    );
}

#[tokio::test]
async fn the_audit_trail_is_filtered_and_paged() {
    let (app, admin) = app_with_accounts().await;
    for _ in 0..3 {
        log_in(&app, &browser(), "alice", "wrong password").await;
    }
    log_in(&app, &browser(), "alice", PASSWORD).await;
    let page = |query: &str| {
        let url = app.url(&format!("/api/admin/audit{query}"));
        let admin = admin.clone();
        async move {
            let res = admin.get(url).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let all = page("").await;
    let newest = &all["entries"][0];
    assert_eq!(newest["action"], "login.succeeded");
    assert_eq!(newest["actor"], "alice");
    assert_eq!(newest["address"], "127.0.0.1");
    assert!(newest["module"].is_null());

    let logins = page("?action=login.&actor=alice").await;
    assert_eq!(logins["total"], 4);
    let failed = page("?action=login.failed&per_page=2").await;
    assert_eq!(failed["total"], 3);
    assert_eq!(failed["entries"].as_array().unwrap().len(), 2);
    let second = page("?action=login.failed&per_page=2&page=1").await;
    assert_eq!(second["entries"].as_array().unwrap().len(), 1);
    assert_ne!(failed["entries"][0]["id"], second["entries"][0]["id"]);
    // `_` and `%` are not wildcards.
    assert_eq!(page("?action=login_").await["total"], 0);
    let future = page("?since_unix=99999999999").await;
    assert_eq!(future["total"], 0);
    let host_only = page("?module=host&action=migration.").await;
    assert!(host_only["total"].as_u64().unwrap() >= 3, "{host_only}");
    // A malformed filter is a clear 400, not a 500.
    let res = admin
        .get(app.url("/api/admin/audit?page=minus-one"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn sessions_expire_when_idle_or_old_and_sign_outs_are_audited() {
    let (app, _) = app_with_accounts().await;
    let alice = browser();
    log_in(&app, &alice, "alice", PASSWORD).await;
    assert_eq!(
        alice.get(app.url("/api/me")).send().await.unwrap().status(),
        200
    );
    // Unused for longer than the idle timeout: gone. (The database decides; the
    // session cache's second is skipped.)
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - $1")
        .bind(accounts::IDLE_TIMEOUT_SECS + 5)
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.sessions.clear();
    assert_eq!(
        alice.get(app.url("/api/me")).send().await.unwrap().status(),
        401
    );

    // Used every day, but older than the absolute limit: gone too.
    let (app, _) = app_with_accounts().await;
    let alice = browser();
    log_in(&app, &alice, "alice", PASSWORD).await;
    let age = |secs: i64| {
        let (db, sessions) = (app.db.clone(), app.sessions.clone());
        async move {
            sqlx::query("UPDATE sessions SET created_at = created_at - $1")
                .bind(secs)
                .execute(&db.pool)
                .await
                .unwrap();
            sessions.clear();
        }
    };
    age(accounts::ABSOLUTE_TIMEOUT_SECS - 60).await;
    assert_eq!(
        alice.get(app.url("/api/me")).send().await.unwrap().status(),
        200
    );
    age(120).await;
    let res = alice.get(app.url("/settings")).send().await.unwrap();
    assert_eq!(location(&res), "/login?next=/settings");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 1, "only root's session is left");

    let bob = browser();
    log_in(&app, &bob, "alice", PASSWORD).await;
    bob.post(app.url("/api/auth/logout")).send().await.unwrap();
    assert_eq!(
        audited(&app, "logout").await,
        [("alice".into(), "alice".into(), None)]
    );
}

#[tokio::test]
async fn an_administrator_unlocks_a_locked_account_from_the_api_or_the_command_line() {
    let (app, admin) = app_with_accounts().await;
    accounts::create_user(&app.db, "carol", "Carol", PASSWORD, Role::User)
        .await
        .unwrap();
    let lock_alice = || async {
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            log_in(&app, &browser(), "alice", "wrong password").await;
        }
        let to = log_in(&app, &browser(), "alice", PASSWORD).await;
        assert!(to.contains("error=rate_limited"), "{to}");
    };
    lock_alice().await;
    let alice = users(&app, &admin)
        .await
        .into_iter()
        .find(|u| u.username == "alice")
        .unwrap();
    assert!(alice.sign_in_locked);
    let unlock = format!("/api/admin/users/{}/unlock", alice.id);
    // Refused by the server to users.
    let carol = browser();
    assert_eq!(log_in(&app, &carol, "carol", PASSWORD).await, "/");
    let res = carol.post(app.url(&unlock)).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(log_in(&app, &browser(), "alice", PASSWORD)
        .await
        .contains("error=rate_limited"));
    // An administrator unlocks: Alice signs in at once.
    let res = admin.post(app.url(&unlock)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let unlocked: UserAccount = res.json().await.unwrap();
    assert!(!unlocked.sign_in_locked);
    assert_eq!(log_in(&app, &browser(), "alice", PASSWORD).await, "/");
    let entries = audited(&app, "login.unlocked").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].0.as_str(), entries[0].1.as_str()),
        ("root", "alice")
    );

    // The command line does the same.
    lock_alice().await;
    let account = accounts::unlock_username(&app.db, "alice").await.unwrap();
    assert!(!account.sign_in_locked);
    assert_eq!(log_in(&app, &browser(), "alice", PASSWORD).await, "/");
    let entries = audited(&app, "login.unlocked").await;
    assert_eq!(entries[1].2.as_deref(), Some("from the command line"));
    assert!(matches!(
        accounts::unlock_username(&app.db, "nobody").await,
        Err(accounts::AccountError::NotFound(_))
    ));
    let res = admin
        .post(app.url("/api/admin/users/nobody/unlock"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn failed_sign_ins_say_why_and_a_disabled_accounts_count_toward_the_limit() {
    let (app, admin) = app_with_accounts().await;
    log_in(&app, &browser(), "nobody", PASSWORD).await;
    log_in(&app, &browser(), "alice", "wrong password").await;
    let alice = users(&app, &admin)
        .await
        .into_iter()
        .find(|u| u.username == "alice")
        .unwrap();
    let res = admin
        .patch(app.url(&format!("/api/admin/users/{}", alice.id)))
        .json(&json!({ "disabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The right password of a disabled account: refused, and counted.
    for _ in 1..MAX_FAILURES_PER_ACCOUNT {
        let to = log_in(&app, &browser(), "alice", PASSWORD).await;
        assert!(to.contains("error=disabled"), "{to}");
    }
    let to = log_in(&app, &browser(), "alice", PASSWORD).await;
    assert!(to.contains("error=rate_limited"), "{to}");
    let failed = audited(&app, "login.failed").await;
    let details: Vec<(&str, &str)> = failed
        .iter()
        .map(|(_, target, detail)| (target.as_str(), detail.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(details[0], ("nobody", "no such account"));
    assert_eq!(details[1], ("alice", "wrong password"));
    assert!(details[2..]
        .iter()
        .all(|d| *d == ("alice", "account disabled")));
    assert_eq!(details.len() as i64, 1 + MAX_FAILURES_PER_ACCOUNT);
}
