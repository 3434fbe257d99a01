//! The audit trail: who did what, to what, when and from where.
//!
//! The host records its own security-relevant actions (sign-ins, account changes,
//! module failures, migrations); modules append theirs through [`AuditLog`] (server
//! feature), and every entry a module writes carries the module's name.

use serde::{Deserialize, Serialize};

/// One recorded action.
///
/// ```
/// let e = gantry_sdk::AuditEntry { id: 1, at_unix: 0, actor: "admin".into(), action: "user.created".into(),
///     target: "ada".into(), address: Some("127.0.0.1".into()), module: None, detail: None };
/// assert!(e.module.is_none()); // the host's own
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditEntry {
    #[cfg_attr(test, ts(type = "number"))]
    pub id: i64,
    /// Seconds since the Unix epoch.
    #[cfg_attr(test, ts(type = "number"))]
    pub at_unix: i64,
    /// The username who acted, `system` for the host itself, or the name tried at a
    /// failed sign-in.
    pub actor: String,
    /// What happened, as `noun.verb`: `login.succeeded`, `user.created`, …
    pub action: String,
    /// What it happened to (a username, a module, a migration); may be empty.
    pub target: String,
    /// The client's IP address, for actions made over HTTP.
    pub address: Option<String>,
    /// The module that wrote the entry; `None` for the host's own.
    pub module: Option<String>,
    /// More about it, in words. Never a password or a token.
    pub detail: Option<String>,
}

/// Which entries to read, newest first. Empty filters match everything.
///
/// ```
/// let q = gantry_sdk::AuditQuery { action: Some("login.".into()), ..Default::default() };
/// assert_eq!(q.page, 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(default)]
pub struct AuditQuery {
    /// Exact actor.
    pub actor: Option<String>,
    /// An action, or its start (`login.` matches every sign-in action).
    pub action: Option<String>,
    /// Exact module name; `host` for the host's own entries.
    pub module: Option<String>,
    /// Entries at or after this time (Unix seconds).
    #[cfg_attr(test, ts(type = "number | null"))]
    pub since_unix: Option<i64>,
    /// Entries before this time (Unix seconds).
    #[cfg_attr(test, ts(type = "number | null"))]
    pub until_unix: Option<i64>,
    /// The page, from 0.
    pub page: u32,
    /// Entries per page: 1 to 200, 50 when 0.
    pub per_page: u32,
}

impl AuditQuery {
    /// The page size this query asks for, within bounds.
    ///
    /// ```
    /// let q = gantry_sdk::AuditQuery::default();
    /// assert_eq!(q.page_size(), 50);
    /// ```
    pub fn page_size(&self) -> u32 {
        match self.per_page {
            0 => 50,
            n => n.min(200),
        }
    }
}

/// A page of entries and how many match in all.
///
/// ```
/// let p = gantry_sdk::AuditPage { entries: vec![], total: 0, page: 0, per_page: 50 };
/// assert!(p.entries.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    #[cfg_attr(test, ts(type = "number"))]
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

#[cfg(feature = "server")]
pub use server::{AuditEvent, AuditLog, AuditSink, ClientAddress};

#[cfg(feature = "server")]
mod server {
    use std::{future::Future, pin::Pin, sync::Arc};

    use axum::{extract::FromRequestParts, http::request::Parts};

    use super::{AuditPage, AuditQuery};
    use crate::{BoxError, CurrentUser};

    /// A future the audit sink returns.
    type SinkFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send + 'a>>;

    /// An action to record.
    ///
    /// ```
    /// let event = gantry_sdk::AuditEvent::new("task.dispatched").target("project alpha").detail("priority high");
    /// assert_eq!(event.action, "task.dispatched");
    /// ```
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct AuditEvent {
        /// What happened, as `noun.verb`.
        pub action: String,
        /// What it happened to.
        pub target: String,
        /// The user who acted (their id); `None` for the module itself.
        pub actor_id: Option<String>,
        /// Shown when the actor's id is no account (a development user).
        pub actor_name: Option<String>,
        /// The client's address.
        pub address: Option<String>,
        /// More about it. Never a password or a token.
        pub detail: Option<String>,
    }

    impl AuditEvent {
        /// An event with this action and nothing else.
        ///
        /// ```
        /// assert!(gantry_sdk::AuditEvent::new("note.deleted").actor_id.is_none());
        /// ```
        pub fn new(action: impl Into<String>) -> Self {
            Self {
                action: action.into(),
                ..Self::default()
            }
        }

        /// What the action was done to.
        ///
        /// ```
        /// assert_eq!(gantry_sdk::AuditEvent::new("note.deleted").target("n1").target, "n1");
        /// ```
        pub fn target(mut self, target: impl Into<String>) -> Self {
            self.target = target.into();
            self
        }

        /// Who did it.
        ///
        /// ```
        /// let user = gantry_sdk::CurrentUser { id: "u1".into(), name: "Ada".into(), is_admin: false };
        /// assert_eq!(gantry_sdk::AuditEvent::new("note.deleted").by(&user).actor_id.as_deref(), Some("u1"));
        /// ```
        pub fn by(mut self, user: &CurrentUser) -> Self {
            self.actor_id = Some(user.id.clone());
            self.actor_name = Some(user.name.clone());
            self
        }

        /// From where (see [`ClientAddress`]).
        ///
        /// ```
        /// let e = gantry_sdk::AuditEvent::new("x.y").address(Some("10.0.0.1".to_owned()));
        /// assert_eq!(e.address.as_deref(), Some("10.0.0.1"));
        /// ```
        pub fn address(mut self, address: Option<String>) -> Self {
            self.address = address;
            self
        }

        /// A few words more.
        ///
        /// ```
        /// assert!(gantry_sdk::AuditEvent::new("x.y").detail("why").detail.is_some());
        /// ```
        pub fn detail(mut self, detail: impl Into<String>) -> Self {
            self.detail = Some(detail.into());
            self
        }
    }

    /// Where audit entries go: the host implements it over its database.
    pub trait AuditSink: Send + Sync {
        /// Records `event`, written by `module` (`None` for the host).
        fn append<'a>(&'a self, module: Option<&'a str>, event: AuditEvent) -> SinkFuture<'a, ()>;
        /// Reads entries, newest first.
        fn query(&self, query: AuditQuery) -> SinkFuture<'_, AuditPage>;
    }

    /// A module's handle on the audit trail (in [`crate::ModuleContext`]): what it
    /// records carries its name, and it reads back its own entries.
    ///
    /// ```no_run
    /// use gantry_sdk::{prelude::*, AuditEvent, ClientAddress};
    ///
    /// async fn delete_note(
    ///     State(ctx): State<ModuleContext>,
    ///     user: CurrentUser,
    ///     ClientAddress(address): ClientAddress,
    ///     Path(id): Path<String>,
    /// ) -> Result<(), ApiError> {
    ///     // … delete it, then:
    ///     ctx.audit
    ///         .record(AuditEvent::new("note.deleted").target(id).by(&user).address(address))
    ///         .await
    ///         .map_err(ApiError::internal)
    /// }
    /// ```
    #[derive(Clone)]
    pub struct AuditLog {
        module: Arc<str>,
        sink: Arc<dyn AuditSink>,
    }

    impl std::fmt::Debug for AuditLog {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("AuditLog")
                .field("module", &self.module)
                .finish_non_exhaustive()
        }
    }

    impl AuditLog {
        /// The handle of `module` writing to `sink` (the host builds it).
        pub fn new(module: impl Into<Arc<str>>, sink: Arc<dyn AuditSink>) -> Self {
            Self {
                module: module.into(),
                sink,
            }
        }

        /// Appends `event` under the module's name.
        pub async fn record(&self, event: AuditEvent) -> Result<(), BoxError> {
            self.sink.append(Some(&self.module), event).await
        }

        /// Reads the module's own entries, newest first (`query.module` is ignored).
        pub async fn entries(&self, mut query: AuditQuery) -> Result<AuditPage, BoxError> {
            query.module = Some(self.module.to_string());
            self.sink.query(query).await
        }
    }

    /// The client's IP address as the host saw it (`None` when unknown).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ClientAddress(pub Option<String>);

    impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
        type Rejection = std::convert::Infallible;

        async fn from_request_parts(
            parts: &mut Parts,
            _state: &S,
        ) -> Result<Self, Self::Rejection> {
            Ok(parts
                .extensions
                .get::<ClientAddress>()
                .cloned()
                .unwrap_or(ClientAddress(None)))
        }
    }
}
