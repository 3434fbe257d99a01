//! A module's declared settings as its server code reads them
//! ([`crate::ModuleContext::settings`]): the values saved in the host's forms (or
//! over the API), secrets included and decrypted, defaults where nothing was saved.

use std::{future::Future, pin::Pin, sync::Arc};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::BoxError;

/// What [`SettingsSource::values`] answers: values by key.
pub type SettingsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Map<String, Value>, BoxError>> + Send + 'a>>;

/// Where settings come from: implemented by the host, which keeps them.
pub trait SettingsSource: Send + Sync {
    /// `module`'s instance-wide values (`user` `None`), or one user's own values,
    /// by key: every declared setting of that scope, with its default or `null`
    /// when nothing was saved.
    fn values<'a>(&'a self, module: &'a str, user: Option<&'a str>) -> SettingsFuture<'a>;

    /// A receiver whose value changes each time one of `module`'s settings is saved
    /// on this instance.
    fn changes(&self, module: &str) -> tokio::sync::watch::Receiver<u64>;
}

/// The values of one scope, by key.
///
/// ```
/// let values = gantry_sdk::SettingValues::from(serde_json::json!({"interval_secs": 30}));
/// assert_eq!(values.get::<u64>("interval_secs"), Some(30));
/// assert_eq!(values.get::<u64>("missing"), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettingValues(pub Map<String, Value>);

impl SettingValues {
    /// The value under `key` as a `T`; `None` when it is unset (`null`), missing, or
    /// not a `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.0
            .get(key)
            .filter(|v| !v.is_null())
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }
}

impl From<Value> for SettingValues {
    fn from(value: Value) -> Self {
        match value {
            Value::Object(map) => Self(map),
            _ => Self::default(),
        }
    }
}

/// A module's settings, from [`crate::ModuleContext::settings`].
///
/// ```no_run
/// # async fn demo(ctx: gantry_sdk::ModuleContext) -> Result<(), gantry_sdk::BoxError> {
/// let settings = ctx.settings();
/// let interval: u64 = settings.instance().await?.get("interval_secs").unwrap_or(30);
/// let mut changed = settings.changes();
/// changed.changed().await?; // wakes when an administrator saves the form
/// # let _ = interval;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ModuleSettings {
    module: Arc<str>,
    source: Arc<dyn SettingsSource>,
}

impl std::fmt::Debug for ModuleSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleSettings")
            .field("module", &self.module)
            .finish_non_exhaustive()
    }
}

impl ModuleSettings {
    /// `module`'s settings as `source` keeps them.
    pub fn new(module: Arc<str>, source: Arc<dyn SettingsSource>) -> Self {
        Self { module, source }
    }

    /// The instance-wide values (secrets decrypted).
    pub async fn instance(&self) -> Result<SettingValues, BoxError> {
        Ok(SettingValues(self.source.values(&self.module, None).await?))
    }

    /// The values the user `user_id` saved for themselves (secrets decrypted).
    pub async fn user(&self, user_id: &str) -> Result<SettingValues, BoxError> {
        Ok(SettingValues(
            self.source.values(&self.module, Some(user_id)).await?,
        ))
    }

    /// Changes each time a setting of this module is saved on this instance.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.source.changes(&self.module)
    }
}
