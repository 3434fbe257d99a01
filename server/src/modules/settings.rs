//! Modules' declared settings on the host: kept, checked, served and handed to the
//! module.
//!
//! Plain values live in the module storage table under scopes the storage API cannot
//! name (`#settings` for instance-wide ones, `#settings:<user id>` for a user's), so
//! only this checked path writes them; secrets live in `secrets` (encrypted at rest)
//! as `module:<name>:<key>` or `module:<name>:<key>:user:<id>`, and no API returns
//! them. `GET|PUT /api/modules/<name>/settings/{instance,user}` serves them; modules
//! read them through [`gantry_sdk::ModuleContext::settings`], which this implements.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError, RwLock},
};

use axum::{
    extract::{FromRequest, Request},
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
};
use gantry_sdk::{
    ApiError, AuditEvent, CurrentUser, Setting, SettingScope, SettingType, SettingsFuture,
    SettingsSource, SettingsUpdate, SettingsView,
};
use serde_json::Value;
use tokio::sync::watch;

use super::registry::ModuleEntry;
use crate::{
    accounts::now,
    db::Db,
    notifications::{Heard, Subscription},
    secrets::{SecretError, Secrets},
};

/// Why settings could not be read or saved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("module `{module}` has no {scope} setting `{key}`")]
    Unknown {
        module: String,
        scope: &'static str,
        key: String,
    },
    #[error("module `{module}`: setting `{key}` {why}")]
    Invalid {
        module: String,
        key: String,
        why: String,
    },
    #[error("module `{module}`: setting `{key}` is required")]
    Required { module: String, key: String },
    #[error("module `{module}`: instance-wide settings are set by administrators")]
    AdminsOnly { module: String },
    #[error("module `{module}`: settings: {source}")]
    Secret { module: String, source: SecretError },
    #[error("module `{module}`: settings: {source}")]
    Database { module: String, source: sqlx::Error },
}

impl From<SettingsError> for ApiError {
    fn from(err: SettingsError) -> Self {
        let message = err.to_string();
        match err {
            SettingsError::Unknown { module, key, .. }
            | SettingsError::Invalid { module, key, .. }
            | SettingsError::Required { module, key } => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_setting", message)
                    .with_field(key)
                    .with_module(module)
            }
            SettingsError::AdminsOnly { module } => {
                ApiError::forbidden(message).with_module(module)
            }
            SettingsError::Secret { module, .. } | SettingsError::Database { module, .. } => {
                tracing::error!("{message}");
                ApiError::internal(format!("module `{module}`: the settings could not be kept"))
                    .with_module(module)
            }
        }
    }
}

/// The host's settings: the database, the instance's key, each running module's
/// declarations and a change counter per module.
pub struct HostSettings {
    db: Db,
    secrets: Secrets,
    declared: RwLock<HashMap<String, Vec<Setting>>>,
    changes: Mutex<HashMap<String, watch::Sender<u64>>>,
    /// This instance's name in its notifications, so it does not hear its own saves
    /// twice.
    instance: String,
}

impl HostSettings {
    /// Settings kept in `db`, secrets sealed with `secrets`.
    pub fn new(db: Db, secrets: Secrets) -> Self {
        Self {
            db,
            secrets,
            declared: RwLock::default(),
            changes: Mutex::default(),
            instance: crate::accounts::random_hex(8),
        }
    }

    /// Records `module`'s declarations (when it starts).
    pub fn declare(&self, module: &str, settings: &[Setting]) {
        self.declared
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(module.to_owned(), settings.to_vec());
    }

    fn fields(&self, module: &str, scope: SettingScope) -> Vec<Setting> {
        self.declared
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(module)
            .map(|all| all.iter().filter(|s| s.scope == scope).cloned().collect())
            .unwrap_or_default()
    }

    fn sender(&self, module: &str) -> watch::Sender<u64> {
        self.changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(module.to_owned())
            .or_insert_with(|| watch::channel(0).0)
            .clone()
    }

    /// One scope of `module`'s settings: the view the API answers (secrets only as
    /// set or not), and with `reveal` the secrets' values among the values.
    pub async fn read(
        &self,
        module: &str,
        user: Option<&str>,
        reveal: bool,
    ) -> Result<SettingsView, SettingsError> {
        let fields = self.fields(module, scope_of(user));
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT key, value FROM module_storage WHERE module = $1 AND scope = $2",
        )
        .bind(module)
        .bind(storage_scope(user))
        .fetch_all(&self.db.pool)
        .await
        .map_err(|source| database(module, source))?;
        let saved: HashMap<String, Value> = rows
            .into_iter()
            .filter_map(|(k, v)| Some((k, serde_json::from_str(&v).ok()?)))
            .collect();
        let mut view = SettingsView {
            fields: fields.clone(),
            ..SettingsView::default()
        };
        for field in &fields {
            if field.kind == SettingType::Secret {
                let name = secret_name(module, &field.key, user);
                if reveal {
                    let value = self
                        .secrets
                        .get(&self.db, &name)
                        .await
                        .map_err(|source| secret(module, source))?;
                    view.values
                        .insert(field.key.clone(), value.map_or(Value::Null, Value::String));
                } else {
                    let set = Secrets::is_set(&self.db, &name)
                        .await
                        .map_err(|source| secret(module, source))?;
                    view.secrets.insert(field.key.clone(), set);
                }
                continue;
            }
            let value = saved
                .get(&field.key)
                .cloned()
                .or_else(|| field.default.clone())
                .unwrap_or(Value::Null);
            view.values.insert(field.key.clone(), value);
        }
        Ok(view)
    }

    /// Checks every value of `update` against `module`'s declarations for the scope,
    /// then keeps them; nothing is kept when one is refused. Returns the keys saved.
    pub async fn save(
        &self,
        module: &str,
        user: Option<&str>,
        update: &SettingsUpdate,
    ) -> Result<Vec<String>, SettingsError> {
        let scope = scope_of(user);
        let fields = self.fields(module, scope);
        let update = &normalized(update);
        for (key, value) in &update.values {
            let Some(field) = fields.iter().find(|f| &f.key == key) else {
                return Err(SettingsError::Unknown {
                    module: module.to_owned(),
                    scope: match scope {
                        SettingScope::Instance => "instance-wide",
                        SettingScope::User => "per-user",
                    },
                    key: key.clone(),
                });
            };
            let invalid = |why: String| SettingsError::Invalid {
                module: module.to_owned(),
                key: key.clone(),
                why,
            };
            match value {
                Value::Null => {}
                Value::String(s) if field.kind == SettingType::Secret && s.is_empty() => {
                    return Err(invalid(
                        "is empty: leave it out to keep the saved secret, or send null to remove it"
                            .into(),
                    ));
                }
                value => field.check(value).map_err(invalid)?,
            }
        }
        let before = self.read(module, user, false).await?;
        for field in fields.iter().filter(|f| f.required) {
            let after = match update.values.get(&field.key) {
                Some(Value::String(s)) if s.is_empty() => false,
                Some(value) => !value.is_null() || field.default.is_some(),
                None if field.kind == SettingType::Secret => {
                    before.secrets.get(&field.key).copied().unwrap_or(false)
                }
                None => before.values.get(&field.key).is_some_and(|v| !v.is_null()),
            };
            if !after {
                return Err(SettingsError::Required {
                    module: module.to_owned(),
                    key: field.key.clone(),
                });
            }
        }
        let is_secret = |key: &str| {
            fields
                .iter()
                .any(|f| f.key == key && f.kind == SettingType::Secret)
        };
        let mut tx = self
            .db
            .begin_write()
            .await
            .map_err(|source| database(module, source))?;
        for (key, value) in update.values.iter().filter(|(k, _)| !is_secret(k)) {
            let statement = if value.is_null() {
                sqlx::query(
                    "DELETE FROM module_storage WHERE module = $1 AND scope = $2 AND key = $3",
                )
                .bind(module)
                .bind(storage_scope(user))
                .bind(key.as_str())
            } else {
                sqlx::query(
                    "INSERT INTO module_storage (module, scope, key, value, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (module, scope, key) \
                     DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                )
                .bind(module)
                .bind(storage_scope(user))
                .bind(key.as_str())
                .bind(value.to_string())
                .bind(now())
            };
            statement
                .execute(&mut *tx)
                .await
                .map_err(|source| database(module, source))?;
        }
        tx.commit()
            .await
            .map_err(|source| database(module, source))?;
        // Secrets are written once the transaction has let go of SQLite's write lock.
        for (key, value) in update.values.iter().filter(|(k, _)| is_secret(k)) {
            let name = secret_name(module, key, user);
            match value.as_str() {
                Some(secret_value) => self.secrets.put(&self.db, &name, secret_value).await,
                None => Secrets::delete(&self.db, &name).await,
            }
            .map_err(|source| secret(module, source))?;
        }
        self.heard(module);
        if self.db.kind == crate::db::DbKind::Postgres {
            // The module on every other instance hears of it too (`follow_saves`).
            let told = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(SAVES_CHANNEL)
                .bind(format!("{} {module}", self.instance))
                .execute(&self.db.pool)
                .await;
            if let Err(err) = told {
                tracing::warn!(module = %module, "cannot tell other instances of a settings save: {err}");
            }
        }
        Ok(update.values.keys().cloned().collect())
    }

    /// Tells `module`'s code that its settings were saved.
    fn heard(&self, module: &str) {
        self.sender(module).send_modify(|n| *n += 1);
    }
}

/// The PostgreSQL channel on which an instance says which module's settings it saved
/// (`<instance> <module>`).
pub const SAVES_CHANNEL: &str = "gantry_settings";

/// Tells the module on this instance of each save heard on [`SAVES_CHANNEL`] (on
/// PostgreSQL) that another instance made, and every module when saves may have
/// been missed, until nothing more is heard.
pub async fn follow_saves(settings: Arc<HostSettings>, mut heard: Subscription) {
    while let Some(heard) = heard.next().await {
        match heard {
            Heard::Said(said) => match said.split_once(' ') {
                Some((instance, _)) if instance == settings.instance => {}
                Some((_, module)) => settings.heard(module),
                None => {}
            },
            Heard::Listening => {}
            Heard::MaybeMissed => {
                let modules: Vec<String> = settings
                    .declared
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .keys()
                    .cloned()
                    .collect();
                for module in modules {
                    settings.heard(&module);
                }
            }
        }
    }
}

impl SettingsSource for HostSettings {
    fn values<'a>(&'a self, module: &'a str, user: Option<&'a str>) -> SettingsFuture<'a> {
        Box::pin(async move {
            let view = self.read(module, user, true).await?;
            Ok(view.values)
        })
    }

    fn changes(&self, module: &str) -> watch::Receiver<u64> {
        self.sender(module).subscribe()
    }
}

/// `GET|PUT /api/modules/<name>/settings/{instance,user}`: `rest` is what follows
/// `settings/`. Instance-wide settings are read by whoever may see the module (the
/// secrets' state by administrators only) and saved by administrators (audited by
/// key, never by value); a user reads and saves their own.
pub async fn serve(
    entry: &ModuleEntry,
    settings: &HostSettings,
    user: &CurrentUser,
    rest: &str,
    request: Request,
) -> Result<Response, ApiError> {
    let module = entry.name.as_str();
    let owner = match rest {
        "instance" => None,
        "user" => Some(user.id.as_str()),
        other => {
            return Err(ApiError::not_found(format!(
                "module `{module}` has no settings `{other}`: they are `instance` or `user`"
            ))
            .with_module(module))
        }
    };
    match *request.method() {
        Method::GET => {
            let mut view = settings.read(module, owner, false).await?;
            if owner.is_none() && !user.is_admin {
                view.secrets.clear();
            }
            Ok(axum::Json(view).into_response())
        }
        Method::PUT => {
            if owner.is_none() && !user.is_admin {
                return Err(SettingsError::AdminsOnly {
                    module: module.to_owned(),
                }
                .into());
            }
            let gantry_sdk::Json(update) =
                gantry_sdk::Json::<SettingsUpdate>::from_request(request, &()).await?;
            let keys = settings.save(module, owner, &update).await?;
            if owner.is_none() && !keys.is_empty() {
                crate::audit::note(
                    &settings.db,
                    AuditEvent::new("module.settings_saved")
                        .by(user)
                        .target(module)
                        .detail(format!("keys: {}", keys.join(", "))),
                )
                .await;
            }
            Ok(axum::Json(settings.read(module, owner, false).await?).into_response())
        }
        _ => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("module `{module}`: its settings take GET and PUT"),
        )
        .with_module(module)),
    }
}

/// `update` with whole numbers written as integers (`30.0` as `30`), so a module
/// may read them as integers whatever the client sent.
fn normalized(update: &SettingsUpdate) -> SettingsUpdate {
    let mut update = update.clone();
    for value in update.values.values_mut() {
        if let Some(n) = value
            .as_f64()
            .filter(|n| n.fract() == 0.0 && n.abs() < 9e15)
        {
            if !value.is_i64() && !value.is_u64() {
                *value = Value::from(n as i64);
            }
        }
    }
    update
}

fn scope_of(user: Option<&str>) -> SettingScope {
    match user {
        None => SettingScope::Instance,
        Some(_) => SettingScope::User,
    }
}

fn storage_scope(user: Option<&str>) -> String {
    match user {
        None => "#settings".to_owned(),
        Some(id) => format!("#settings:{id}"),
    }
}

fn secret_name(module: &str, key: &str, user: Option<&str>) -> String {
    match user {
        None => format!("module:{module}:{key}"),
        Some(id) => format!("module:{module}:{key}:user:{id}"),
    }
}

fn database(module: &str, source: sqlx::Error) -> SettingsError {
    SettingsError::Database {
        module: module.to_owned(),
        source,
    }
}

fn secret(module: &str, source: SecretError) -> SettingsError {
    SettingsError::Secret {
        module: module.to_owned(),
        source,
    }
}
