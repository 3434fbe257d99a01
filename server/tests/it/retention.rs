//! Retention: expired sessions and audit entries past the retention period are
//! deleted by the running server.

use std::time::Duration;

use gantry_server::accounts::{self, Role};

use crate::support::TestApp;

#[tokio::test]
async fn expired_sessions_and_old_audit_entries_are_deleted() {
    let data = tempfile::tempdir().unwrap();
    let first = TestApp::builder().data_dir(data.path()).spawn().await;
    let id = accounts::create_user(&first.db, "alice", "Alice", "a long password", Role::User)
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for (hash, last_seen) in [("idle", now - 8 * 86_400), ("fresh", now - 60)] {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)")
            .bind(hash)
            .bind(&id)
            .bind(last_seen)
            .execute(&first.db.pool)
            .await
            .unwrap();
    }
    for (action, at) in [
        ("test.ancient", now - 400 * 86_400),
        ("test.recent", now - 86_400),
    ] {
        sqlx::query("INSERT INTO audit_log (at, actor, action) VALUES ($1, 'system', $2)")
            .bind(at)
            .bind(action)
            .execute(&first.db.pool)
            .await
            .unwrap();
    }
    first.shutdown().await.unwrap();

    let app = TestApp::builder().data_dir(data.path()).spawn().await;
    let count = |sql: &'static str| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let mut pruned = false;
    for _ in 0..100 {
        if count("SELECT COUNT(*) FROM audit_log WHERE action = 'test.ancient'").await == 0 {
            pruned = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(pruned, "the 400-day-old entry is deleted at start-up");
    assert_eq!(
        count("SELECT COUNT(*) FROM audit_log WHERE action = 'test.recent'").await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM sessions WHERE token_hash = 'idle'").await,
        0
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM sessions WHERE token_hash = 'fresh'").await,
        1
    );
}
