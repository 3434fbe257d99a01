//! Declared module settings: a schema in the manifest that the host renders as a
//! form (Admin → the module's settings for instance-wide ones, Settings for each
//! user's own), checks on the server, stores (secrets encrypted at rest and never
//! returned), and hands to the module (`ModuleContext::settings()` on the server,
//! the component context in the browser, secrets never).

use serde::{Deserialize, Serialize};

/// The kind of a setting's value.
///
/// ```
/// assert_eq!(serde_json::to_string(&gantry_sdk::SettingType::Secret).unwrap(), "\"secret\"");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum SettingType {
    /// Text, optionally matching `pattern`.
    #[default]
    String,
    /// A number between `min` and `max` (each optional).
    Number,
    /// `true` or `false`.
    Bool,
    /// One of `options`.
    Select,
    /// Text that is written, never read back by the browser: encrypted at rest,
    /// never returned by an API, rendered, logged or audited.
    Secret,
}

/// Who sets a setting.
///
/// ```
/// assert_eq!(gantry_sdk::SettingScope::default(), gantry_sdk::SettingScope::Instance);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum SettingScope {
    /// One value for the whole instance, set by administrators (Admin page).
    #[default]
    Instance,
    /// Each user's own value (Settings page).
    User,
}

/// One declared setting (`[[settings]]` in `gantry-module.toml`,
/// `ModuleBuilder::setting` in Rust).
///
/// ```
/// use gantry_sdk::{Setting, SettingType};
/// let s = Setting::new("interval_secs", "Seconds between rounds", SettingType::Number)
///     .default_value(30)
///     .range(Some(1.0), Some(3600.0));
/// assert!(s.check(&serde_json::json!(0)).is_err());
/// assert!(s.check(&serde_json::json!(60)).is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Lowercase letters, digits and `_`, starting with a letter; unique in the module.
    pub key: String,
    /// The form's label.
    pub label: String,
    /// A sentence under the field.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// The kind of value.
    #[serde(rename = "type", default)]
    pub kind: SettingType,
    /// Instance-wide (administrators) or per user.
    #[serde(default)]
    pub scope: SettingScope,
    /// The value until one is saved (never for a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(type = "unknown", optional))]
    pub default: Option<serde_json::Value>,
    /// A value must be saved (or a default given) before the form saves.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// The smallest number allowed (`number`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub min: Option<f64>,
    /// The largest number allowed (`number`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub max: Option<f64>,
    /// A regular expression the whole text must match (`string`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub pattern: Option<String>,
    /// The choices (`select`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl Setting {
    /// An optional instance-wide setting with no default.
    pub fn new(key: impl Into<String>, label: impl Into<String>, kind: SettingType) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            help: String::new(),
            kind,
            scope: SettingScope::Instance,
            default: None,
            required: false,
            min: None,
            max: None,
            pattern: None,
            options: Vec::new(),
        }
    }

    /// The same setting, set by each user for themselves.
    pub fn per_user(mut self) -> Self {
        self.scope = SettingScope::User;
        self
    }

    /// The same setting with `help` under its field.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    /// The same setting with a default value.
    pub fn default_value(mut self, value: impl Into<serde_json::Value>) -> Self {
        self.default = Some(value.into());
        self
    }

    /// The same setting, required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The same number setting between `min` and `max`.
    pub fn range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.min = min;
        self.max = max;
        self
    }

    /// The same text setting, matching `pattern` (a regular expression, whole text).
    pub fn pattern(mut self, pattern: impl Into<String>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// The same select setting with these choices.
    pub fn options<S: Into<String>>(mut self, options: impl IntoIterator<Item = S>) -> Self {
        self.options = options.into_iter().map(Into::into).collect();
        self
    }

    /// Whether `value` fits the setting: the type, the range, the choices, and (with
    /// the `server` feature) the pattern. The reason, in words, when not.
    ///
    /// ```
    /// use gantry_sdk::{Setting, SettingType};
    /// let s = Setting::new("mode", "Mode", SettingType::Select).options(["fast", "safe"]);
    /// assert_eq!(s.check(&serde_json::json!("slow")).unwrap_err(), "must be one of: fast, safe");
    /// ```
    pub fn check(&self, value: &serde_json::Value) -> Result<(), String> {
        use serde_json::Value;
        match (self.kind, value) {
            (SettingType::Bool, Value::Bool(_)) => Ok(()),
            (SettingType::Bool, _) => Err("must be true or false".into()),
            (SettingType::Number, Value::Number(n)) => {
                let n = n.as_f64().unwrap_or(f64::NAN);
                match (self.min, self.max) {
                    (Some(min), _) if n < min => Err(format!("must be at least {min}")),
                    (_, Some(max)) if n > max => Err(format!("must be at most {max}")),
                    _ => Ok(()),
                }
            }
            (SettingType::Number, _) => Err("must be a number".into()),
            (SettingType::Select, Value::String(s)) if self.options.contains(s) => Ok(()),
            (SettingType::Select, _) => Err(format!("must be one of: {}", self.options.join(", "))),
            (SettingType::String | SettingType::Secret, Value::String(s)) => {
                if s.chars().count() > MAX_SETTING_CHARS {
                    return Err(format!("must be at most {MAX_SETTING_CHARS} characters"));
                }
                self.check_pattern(s)
            }
            (SettingType::String | SettingType::Secret, _) => Err("must be text".into()),
        }
    }

    #[cfg(feature = "server")]
    fn check_pattern(&self, text: &str) -> Result<(), String> {
        let Some(pattern) = &self.pattern else {
            return Ok(());
        };
        match regex::Regex::new(&format!("^(?:{pattern})$")) {
            Ok(re) if re.is_match(text) => Ok(()),
            Ok(_) => Err(format!("must match `{pattern}`")),
            Err(_) => Err(format!(
                "the pattern `{pattern}` is not a regular expression"
            )),
        }
    }

    #[cfg(not(feature = "server"))]
    fn check_pattern(&self, _text: &str) -> Result<(), String> {
        Ok(())
    }

    /// What is wrong with the declaration itself, if anything.
    pub(crate) fn problem(&self) -> Option<String> {
        let key_ok = self.key.len() <= 64
            && self.key.starts_with(|c: char| c.is_ascii_lowercase())
            && self
                .key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            return Some("key must be lowercase letters, digits and `_`, starting with a letter, at most 64 characters".into());
        }
        if self.label.trim().is_empty() {
            return Some("label is empty".into());
        }
        if self.kind == SettingType::Select && self.options.is_empty() {
            return Some("a select needs options".into());
        }
        if self.kind == SettingType::Secret && self.default.is_some() {
            return Some("a secret cannot have a default".into());
        }
        if let (Some(min), Some(max)) = (self.min, self.max) {
            if min > max {
                return Some(format!("min {min} is above max {max}"));
            }
        }
        #[cfg(feature = "server")]
        if let Some(pattern) = &self.pattern {
            if regex::Regex::new(pattern).is_err() {
                return Some(format!("pattern `{pattern}` is not a regular expression"));
            }
        }
        if let Some(default) = &self.default {
            if let Err(why) = self.check(default) {
                return Some(format!("default {default} {why}"));
            }
        }
        None
    }
}

/// The longest text a `string` or `secret` setting keeps.
pub const MAX_SETTING_CHARS: usize = 4096;

/// One scope of a module's settings as `GET /api/modules/<name>/settings/{instance,user}`
/// answers: the declarations, the values (secrets never: only whether each is set).
///
/// ```
/// let view: gantry_sdk::SettingsView = serde_json::from_str(
///     r#"{"fields": [], "values": {"interval_secs": 30}, "secrets": {"api_key": true}}"#,
/// ).unwrap();
/// assert_eq!(view.secrets["api_key"], true);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    /// The settings of this scope.
    pub fields: Vec<Setting>,
    /// Every non-secret setting's value: saved, else its default, else `null`.
    pub values: serde_json::Map<String, serde_json::Value>,
    /// Whether each secret is set (for administrators, and for a user's own).
    #[serde(default)]
    pub secrets: std::collections::BTreeMap<String, bool>,
}

/// The body of `PUT /api/modules/<name>/settings/{instance,user}`: the values to
/// change, by key; `null` removes a saved value (or a secret). Keys left out keep
/// their value.
///
/// ```
/// let update: gantry_sdk::SettingsUpdate =
///     serde_json::from_str(r#"{"values": {"api_key": null}}"#).unwrap();
/// assert!(update.values["api_key"].is_null());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsUpdate {
    /// Values by key.
    pub values: serde_json::Map<String, serde_json::Value>,
}
