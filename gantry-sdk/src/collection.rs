//! Declared data routes ("collections"): a module names one of its tables and the
//! text columns to expose, and the host serves create, read, update, delete and
//! search over it at `/api/modules/<name>/collections/<collection>`. A drop-in module
//! gets an API without a backend of its own.

use serde::{Deserialize, Serialize};

/// Who may write to a collection. Reading needs only the right to see the module.
///
/// ```
/// assert_eq!(gantry_sdk::CollectionAccess::default(), gantry_sdk::CollectionAccess::Admin);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum CollectionAccess {
    /// Administrators only (the default).
    #[default]
    Admin,
    /// Any signed-in user who may see the module.
    User,
}

/// A table served by the host as a JSON collection.
///
/// The table must have an integer primary key `id` (`INTEGER PRIMARY KEY
/// AUTOINCREMENT` on SQLite, `BIGSERIAL PRIMARY KEY` on PostgreSQL), integer
/// `created_at` and `updated_at` columns (Unix seconds, set by the host), and one
/// text column per field.
///
/// ```
/// let c = gantry_sdk::Collection::new("templates", "forge_templates", ["name", "body"]);
/// assert_eq!(c.write, gantry_sdk::CollectionAccess::Admin);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Collection {
    /// Its name in URLs: lowercase letters, digits, `-` or `_`.
    pub name: String,
    /// The module's table behind it (named `<module>_…`).
    pub table: String,
    /// The text columns a client reads and writes.
    pub fields: Vec<String>,
    /// Fields that may not be missing or blank.
    #[serde(default)]
    pub required: Vec<String>,
    /// Fields `?q=` searches (every word must appear in one of them).
    #[serde(default)]
    pub search: Vec<String>,
    /// Who may create, update and delete.
    #[serde(default)]
    pub write: CollectionAccess,
}

impl Collection {
    /// A collection of `fields` in `table`, writable by administrators.
    ///
    /// ```
    /// let c = gantry_sdk::Collection::new("notes", "notes_items", ["body"]);
    /// assert_eq!(c.fields, ["body"]);
    /// ```
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        table: impl Into<String>,
        fields: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            name: name.into(),
            table: table.into(),
            fields: fields.into_iter().map(Into::into).collect(),
            required: Vec::new(),
            search: Vec::new(),
            write: CollectionAccess::Admin,
        }
    }

    /// The problem with this declaration for module `module`, if any.
    ///
    /// ```
    /// let mut c = gantry_sdk::Collection::new("t", "forge_t", ["name"]);
    /// assert_eq!(c.problem("forge"), None);
    /// c.table = "users".into();
    /// assert_eq!(c.problem("forge").unwrap(), "table `users` must start with `forge_`");
    /// ```
    pub fn problem(&self, module: &str) -> Option<String> {
        let prefix = format!("{}_", module.replace('-', "_"));
        let is_name = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        if !is_name(&self.name.replace('-', "_")) {
            return Some(format!(
                "name `{}` must be lowercase letters, digits, `-` or `_`",
                self.name
            ));
        }
        if !is_name(&self.table) || !self.table.starts_with(&prefix) {
            return Some(format!("table `{}` must start with `{prefix}`", self.table));
        }
        if self.fields.is_empty() {
            return Some("fields is empty".into());
        }
        for (i, field) in self.fields.iter().enumerate() {
            if !is_name(field) {
                return Some(format!(
                    "field `{field}` must be lowercase letters, digits or `_`"
                ));
            }
            if matches!(field.as_str(), "id" | "created_at" | "updated_at") {
                return Some(format!(
                    "field `{field}` is kept by the host; leave it out of fields"
                ));
            }
            if self.fields[..i].contains(field) {
                return Some(format!("field `{field}` is listed twice"));
            }
        }
        for (list, names) in [("required", &self.required), ("search", &self.search)] {
            if let Some(unknown) = names.iter().find(|n| !self.fields.contains(n)) {
                return Some(format!(
                    "{list} names `{unknown}`, which is not one of its fields"
                ));
            }
        }
        None
    }
}
