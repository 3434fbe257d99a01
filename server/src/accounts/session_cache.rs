//! Who a session belongs to, remembered for a moment so that most requests ask the
//! database nothing.
//!
//! The invariants (ARCHITECTURE.md repeats them):
//! - On the instance that signs a session out or changes an account (role, disabled,
//!   password, name), the next request sees the change: the account functions
//!   forget the account here once their transaction has committed, and a lookup that
//!   began before that cannot store what it read (each forgetting starts a new
//!   generation; a lookup stores only within the generation it began in).
//! - Anywhere else (another instance, `gantry` commands in another process), an
//!   entry is believed for at most its freshness, [`FRESH_FOR`] by default: the bound.
//! - On PostgreSQL, triggers on `users` and `sessions` notify `gantry_sessions` of
//!   every change with the account's id, and each instance forgets that account when
//!   told, usually within milliseconds; a lost listening connection empties the cache.
//!
//! API tokens are kept the same way (by their hash, apart from sessions), with
//! whether they are read-only and when they expire; revoking one forgets its
//! account here, and on PostgreSQL a trigger tells the other instances.
//!
//! Only found sessions and tokens are kept: an unknown one always asks the database.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use gantry_sdk::CurrentUser;

use crate::notifications::{Heard, Subscription};

/// How long a looked-up session is believed without asking the database again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);
/// The PostgreSQL channel the triggers of migration 0011 notify.
pub const CHANNEL: &str = "gantry_sessions";
/// Beyond this many sessions, the cache starts again empty.
const MAX_ENTRIES: usize = 100_000;

/// The cache of one instance; clones share it.
#[derive(Clone, Debug)]
pub struct SessionCache {
    inner: Arc<RwLock<Inner>>,
    fresh_for: Duration,
}

#[derive(Debug, Default)]
struct Inner {
    /// By the token's SHA-256, as the database keys sessions.
    entries: HashMap<String, Entry>,
    generation: u64,
}

#[derive(Debug)]
struct Entry {
    user: CurrentUser,
    /// For an API token: whether it is read-only, and when it expires.
    token: Option<TokenFacts>,
    looked_up: Instant,
}

/// What the cache keeps of an API token besides its account.
#[derive(Clone, Copy, Debug)]
pub struct TokenFacts {
    pub read_only: bool,
    /// Seconds since the Unix epoch.
    pub expires_at: Option<i64>,
}

/// API tokens are kept under their hash with this prefix, so that neither kind of
/// secret is ever taken for the other.
const TOKEN_KEY: &str = "token:";

/// Where a lookup began, for [`SessionCache::keep`].
#[derive(Clone, Copy, Debug)]
pub struct Generation(u64);

impl Default for SessionCache {
    fn default() -> Self {
        Self::fresh_for(FRESH_FOR)
    }
}

impl SessionCache {
    /// A cache that believes an entry for `fresh_for` (zero: never).
    pub fn fresh_for(fresh_for: Duration) -> Self {
        Self {
            inner: Arc::default(),
            fresh_for,
        }
    }

    /// The user of the session whose token hashes to `token_hash`, if looked up
    /// recently enough.
    pub fn get(&self, token_hash: &str) -> Option<CurrentUser> {
        self.fresh(token_hash, |entry| entry.user.clone())
    }

    /// The account and facts of the API token whose secret hashes to `hash`, if
    /// looked up recently enough.
    pub fn get_token(&self, hash: &str) -> Option<(CurrentUser, TokenFacts)> {
        self.fresh(&format!("{TOKEN_KEY}{hash}"), |entry| {
            entry.token.map(|facts| (entry.user.clone(), facts))
        })
        .flatten()
    }

    fn fresh<T>(&self, key: &str, read: impl FnOnce(&Entry) -> T) -> Option<T> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner
            .entries
            .get(key)
            .filter(|entry| entry.looked_up.elapsed() < self.fresh_for)
            .map(read)
    }

    /// The generation a lookup in the database begins in.
    pub fn generation(&self) -> Generation {
        Generation(
            self.inner
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .generation,
        )
    }

    /// Keeps what a lookup begun in `generation` found, unless something was
    /// forgotten since (then what it read may already be out of date).
    pub fn keep(&self, token_hash: &str, user: &CurrentUser, generation: Generation) {
        self.store(token_hash.to_owned(), user, None, generation);
    }

    /// Keeps what a lookup of an API token begun in `generation` found, as
    /// [`SessionCache::keep`] does.
    pub fn keep_token(
        &self,
        hash: &str,
        user: &CurrentUser,
        facts: TokenFacts,
        generation: Generation,
    ) {
        self.store(format!("{TOKEN_KEY}{hash}"), user, Some(facts), generation);
    }

    fn store(
        &self,
        key: String,
        user: &CurrentUser,
        token: Option<TokenFacts>,
        generation: Generation,
    ) {
        if self.fresh_for.is_zero() {
            return;
        }
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if inner.generation != generation.0 {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
        }
        inner.entries.insert(
            key,
            Entry {
                user: user.clone(),
                token,
                looked_up: Instant::now(),
            },
        );
    }

    /// Forgets every session and API token of the account `user_id`.
    pub fn forget_account(&self, user_id: &str) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.generation += 1;
        inner.entries.retain(|_, entry| entry.user.id != user_id);
    }

    /// Forgets the session whose token hashes to `token_hash`.
    pub fn forget_session(&self, token_hash: &str) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.generation += 1;
        inner.entries.remove(token_hash);
    }

    /// Forgets everything.
    pub fn clear(&self) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        inner.generation += 1;
        inner.entries.clear();
    }
}

/// Forgets each account heard of on [`CHANNEL`] (on PostgreSQL), and everything
/// when something may have been missed, until nothing more is heard.
pub async fn follow_changes(mut heard: Subscription, cache: SessionCache) {
    while let Some(heard) = heard.next().await {
        match heard {
            Heard::Said(account) => cache.forget_account(&account),
            // Changes made before listening began, or while it was lost, were not
            // heard (while it is lost, entries are believed for their freshness at
            // most).
            Heard::Listening | Heard::MaybeMissed => cache.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone(id: &str) -> CurrentUser {
        CurrentUser {
            id: id.into(),
            name: id.into(),
            is_admin: false,
        }
    }

    #[test]
    fn a_lookup_from_before_a_change_is_not_kept() {
        let cache = SessionCache::default();
        let before = cache.generation();
        cache.forget_account("ann");
        cache.keep("t1", &someone("ann"), before);
        assert!(cache.get("t1").is_none());
        cache.keep("t1", &someone("ann"), cache.generation());
        assert_eq!(cache.get("t1").unwrap().id, "ann");
    }

    #[test]
    fn forgetting_an_account_forgets_its_sessions_only() {
        let cache = SessionCache::default();
        for (token, id) in [("t1", "ann"), ("t2", "ann"), ("t3", "bob")] {
            cache.keep(token, &someone(id), cache.generation());
        }
        cache.forget_account("ann");
        assert!(cache.get("t1").is_none() && cache.get("t2").is_none());
        assert!(cache.get("t3").is_some());
        cache.forget_session("t3");
        assert!(cache.get("t3").is_none());
    }

    #[test]
    fn entries_go_stale() {
        let cache = SessionCache::fresh_for(Duration::from_millis(20));
        cache.keep("t1", &someone("ann"), cache.generation());
        assert!(cache.get("t1").is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(cache.get("t1").is_none());
        let never = SessionCache::fresh_for(Duration::ZERO);
        never.keep("t1", &someone("ann"), never.generation());
        assert!(never.get("t1").is_none());
    }
}
