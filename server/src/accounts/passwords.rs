//! Password hashing (argon2id) off the async threads, behind a bounded pool: at
//! most [`HASHERS`] hashes at once, so a flood of attempts queues here rather than
//! taking every blocking thread, and the server keeps answering everything else.

use argon2::{
    password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier},
    Argon2,
};
use tokio::sync::Semaphore;

use super::AccountError;

/// How many hashes run at once (each takes tens of milliseconds and 19 MiB).
pub const HASHERS: usize = 2;

static POOL: Semaphore = Semaphore::const_new(HASHERS);

/// Runs `work` on a blocking thread once the pool has room.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AccountError> + Send + 'static,
) -> Result<T, AccountError> {
    let _permit = POOL.acquire().await.expect("the pool is never closed");
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| AccountError::Hash(err.to_string()))?
}

/// The argon2id hash of `password` (at least 10 characters).
pub async fn hash(password: &str) -> Result<String, AccountError> {
    if password.chars().count() < 10 {
        return Err(AccountError::WeakPassword);
    }
    let password = password.to_owned();
    hashing(move || {
        Ok(Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|err| AccountError::Hash(err.to_string()))?
            .to_string())
    })
    .await
}

/// Whether `password` is the one `hash` was made from.
pub async fn matches(password: &str, hash: &str) -> Result<bool, AccountError> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    hashing(move || {
        let parsed = PasswordHash::new(&hash).map_err(|err| AccountError::Hash(err.to_string()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
}

/// Spends as long as checking a password would, so that a name with no account
/// answers as slowly as one with an account.
pub async fn as_slow_as_a_check(password: &str) {
    let password = password.to_owned();
    let _ = hashing(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|_| ())
            .map_err(|err| AccountError::Hash(err.to_string()))
    })
    .await;
}
