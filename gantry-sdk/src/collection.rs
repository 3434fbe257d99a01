//! Declared data routes ("collections"): a module names one of its tables and the
//! columns to expose, and the host serves create, read, update, delete, search,
//! sorting and filtering over it at `/api/modules/<name>/collections/<collection>`,
//! with a rule per action and, when asked, rows owned by the user who created them.
//! A drop-in module gets an API without a backend of its own.

use serde::{Deserialize, Serialize};

/// Who may do one thing (read, create, update or delete) to a collection's items.
/// Anything at all needs the right to see the module.
///
/// ```
/// assert_eq!(gantry_sdk::CollectionAccess::default(), gantry_sdk::CollectionAccess::Admin);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum CollectionAccess {
    /// Administrators only (the default for changes).
    #[default]
    Admin,
    /// Any signed-in user who may see the module.
    User,
    /// The item's owner (the user who created it) and administrators; needs
    /// `owner = true`. For reads, users see only their own items.
    Owner,
}

/// The type of a field's values, checked on every write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// A string (column `TEXT`).
    #[default]
    Text,
    /// A whole number (`INTEGER` on SQLite, `BIGINT` on PostgreSQL).
    Integer,
    /// A number (`REAL` / `DOUBLE PRECISION`).
    Number,
    /// `true` or `false` (`INTEGER` 0/1 on SQLite, `BOOLEAN` on PostgreSQL).
    Boolean,
    /// Unix seconds (`INTEGER` / `BIGINT`).
    Timestamp,
    /// An `http://` or `https://` address (`TEXT`).
    Url,
    /// One of the field's `values` (`TEXT`).
    OneOf,
}

/// A field with more than a name: its type, whether its values are unique, and the
/// allowed values of a `one_of` field.
///
/// ```
/// use gantry_sdk::{FieldType, TypedField};
/// let f = TypedField::new("status", FieldType::OneOf).values(["open", "done"]);
/// assert_eq!(f.values, ["open", "done"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct TypedField {
    /// The column's name.
    pub name: String,
    /// Its values' type (text when left out).
    #[serde(default, rename = "type")]
    pub kind: FieldType,
    /// Whether no two items may hold the same value. The module's migration must
    /// declare the `UNIQUE` constraint too; a clash is a 409 naming the field.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// The values a `one_of` field may hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

impl TypedField {
    /// A field `name` of type `kind`.
    pub fn new(name: impl Into<String>, kind: FieldType) -> Self {
        Self {
            name: name.into(),
            kind,
            unique: false,
            values: Vec::new(),
        }
    }

    /// The same field, its values unique.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// The same field, holding one of `values` (for [`FieldType::OneOf`]).
    pub fn values<S: Into<String>>(mut self, values: impl IntoIterator<Item = S>) -> Self {
        self.values = values.into_iter().map(Into::into).collect();
        self
    }
}

/// One field of a collection: a name alone (a text field), or a [`TypedField`].
/// In a manifest: `fields = ["title", { name = "done", type = "boolean" }]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(untagged)]
pub enum CollectionField {
    /// A text field.
    Text(String),
    /// A field with a type and options.
    Typed(TypedField),
}

impl CollectionField {
    /// The column's name.
    pub fn name(&self) -> &str {
        match self {
            CollectionField::Text(name) => name,
            CollectionField::Typed(field) => &field.name,
        }
    }

    /// Its values' type.
    pub fn kind(&self) -> FieldType {
        match self {
            CollectionField::Text(_) => FieldType::Text,
            CollectionField::Typed(field) => field.kind,
        }
    }

    /// Whether its values are unique.
    pub fn is_unique(&self) -> bool {
        matches!(self, CollectionField::Typed(f) if f.unique)
    }

    /// The values a `one_of` field may hold (empty for any other).
    pub fn allowed_values(&self) -> &[String] {
        match self {
            CollectionField::Text(_) => &[],
            CollectionField::Typed(field) => &field.values,
        }
    }
}

impl From<&str> for CollectionField {
    fn from(name: &str) -> Self {
        CollectionField::Text(name.to_owned())
    }
}

impl From<String> for CollectionField {
    fn from(name: String) -> Self {
        CollectionField::Text(name)
    }
}

impl From<TypedField> for CollectionField {
    fn from(field: TypedField) -> Self {
        CollectionField::Typed(field)
    }
}

/// Who may do what to a collection, once defaults are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CollectionRights {
    /// Listing and reading items.
    pub read: CollectionAccess,
    /// Adding items.
    pub create: CollectionAccess,
    /// Changing items.
    pub update: CollectionAccess,
    /// Deleting items.
    pub delete: CollectionAccess,
}

/// A table served by the host as a JSON collection.
///
/// The table must have an integer primary key `id` (`INTEGER PRIMARY KEY
/// AUTOINCREMENT` on SQLite, `BIGSERIAL PRIMARY KEY` on PostgreSQL), integer
/// `created_at` and `updated_at` columns (Unix seconds, set by the host), a text
/// `owner_id` column when `owner` is on (set by the host to the creating user's id),
/// and one column per field.
///
/// ```
/// use gantry_sdk::{Collection, CollectionAccess};
/// let c = Collection::new("templates", "forge_templates", ["name", "body"]);
/// assert_eq!(c.rights().read, CollectionAccess::User);
/// assert_eq!(c.rights().delete, CollectionAccess::Admin);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Collection {
    /// Its name in URLs: lowercase letters, digits, `-` or `_`.
    pub name: String,
    /// The module's table behind it (named `<module>_…`).
    pub table: String,
    /// The columns a client reads and writes.
    pub fields: Vec<CollectionField>,
    /// Fields that may not be missing or blank.
    #[serde(default)]
    pub required: Vec<String>,
    /// Text fields `?q=` searches (every word must appear in one of them).
    #[serde(default)]
    pub search: Vec<String>,
    /// Whether items record the user who created them (column `owner_id`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub owner: bool,
    /// Who may create, update and delete, unless `create`, `update` or `delete`
    /// says otherwise.
    #[serde(default)]
    pub write: CollectionAccess,
    /// Who may list and read items (any user who may see the module when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub read: Option<CollectionAccess>,
    /// Who may add items (`write` when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub create: Option<CollectionAccess>,
    /// Who may change items (`write` when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub update: Option<CollectionAccess>,
    /// Who may delete items (`write` when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub delete: Option<CollectionAccess>,
}

impl Collection {
    /// A collection of `fields` in `table`, readable by users, changed by
    /// administrators.
    ///
    /// ```
    /// use gantry_sdk::{Collection, CollectionField, FieldType, TypedField};
    /// let c = Collection::new("notes", "notes_items", [CollectionField::from("body"), TypedField::new("pinned", FieldType::Boolean).into()]);
    /// assert_eq!(c.fields[1].name(), "pinned");
    /// ```
    pub fn new<F: Into<CollectionField>>(
        name: impl Into<String>,
        table: impl Into<String>,
        fields: impl IntoIterator<Item = F>,
    ) -> Self {
        Self {
            name: name.into(),
            table: table.into(),
            fields: fields.into_iter().map(Into::into).collect(),
            required: Vec::new(),
            search: Vec::new(),
            owner: false,
            write: CollectionAccess::Admin,
            read: None,
            create: None,
            update: None,
            delete: None,
        }
    }

    /// The rule of each action, with the defaults applied.
    pub fn rights(&self) -> CollectionRights {
        CollectionRights {
            read: self.read.unwrap_or(CollectionAccess::User),
            create: self.create.unwrap_or(self.write),
            update: self.update.unwrap_or(self.write),
            delete: self.delete.unwrap_or(self.write),
        }
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&CollectionField> {
        self.fields.iter().find(|f| f.name() == name)
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
                // PostgreSQL cuts longer names to 63 bytes.
                && s.len() <= 63
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
            let name = field.name();
            if !is_name(name) {
                return Some(format!(
                    "field `{name}` must be lowercase letters, digits or `_`"
                ));
            }
            if KEPT_BY_HOST.contains(&name) {
                return Some(format!(
                    "field `{name}` is kept by the host; leave it out of fields"
                ));
            }
            if self.fields[..i].iter().any(|f| f.name() == name) {
                return Some(format!("field `{name}` is listed twice"));
            }
            match (field.kind(), field.allowed_values().is_empty()) {
                (FieldType::OneOf, true) => {
                    return Some(format!("field `{name}` is one_of but lists no values"))
                }
                (FieldType::OneOf, false) | (_, true) => {}
                (_, false) => {
                    return Some(format!(
                        "field `{name}` lists values but is not of type one_of"
                    ))
                }
            }
        }
        for (list, names) in [("required", &self.required), ("search", &self.search)] {
            if let Some(unknown) = names.iter().find(|n| self.field(n).is_none()) {
                return Some(format!(
                    "{list} names `{unknown}`, which is not one of its fields"
                ));
            }
        }
        if let Some(typed) = self.search.iter().find(|n| {
            !matches!(
                self.field(n).map(CollectionField::kind),
                Some(FieldType::Text | FieldType::Url | FieldType::OneOf)
            )
        }) {
            return Some(format!("search names `{typed}`, which is not a text field"));
        }
        let rights = self.rights();
        if rights.create == CollectionAccess::Owner {
            return Some("create cannot be `owner`: a new item has no owner yet".into());
        }
        let owner_rule =
            [rights.read, rights.update, rights.delete].contains(&CollectionAccess::Owner);
        if owner_rule && !self.owner {
            return Some("a rule is `owner` but items have no owner (set `owner = true`)".into());
        }
        None
    }
}

/// Columns the host sets, which no field may name and no body may hold.
pub const KEPT_BY_HOST: &[&str] = &["id", "created_at", "updated_at", "owner_id", "owner"];

#[cfg(test)]
mod tests {
    use super::*;

    fn tasks() -> Collection {
        let mut c = Collection::new(
            "tasks",
            "todo_tasks",
            [
                CollectionField::from("title"),
                TypedField::new("done", FieldType::Boolean).into(),
            ],
        );
        c.owner = true;
        c
    }

    #[test]
    fn rules_default_to_user_reads_and_write_for_changes() {
        let mut c = tasks();
        c.write = CollectionAccess::User;
        c.delete = Some(CollectionAccess::Owner);
        let r = c.rights();
        assert_eq!(
            (r.read, r.create, r.update, r.delete),
            (
                CollectionAccess::User,
                CollectionAccess::User,
                CollectionAccess::User,
                CollectionAccess::Owner
            )
        );
        assert_eq!(c.problem("todo"), None);
    }

    #[test]
    fn declarations_that_cannot_work_are_named() {
        type Change = fn(&mut Collection);
        let cases: [(Change, &str); 6] = [
            (
                |c| c.create = Some(CollectionAccess::Owner),
                "create cannot be `owner`: a new item has no owner yet",
            ),
            (
                |c| {
                    c.owner = false;
                    c.read = Some(CollectionAccess::Owner)
                },
                "a rule is `owner` but items have no owner (set `owner = true`)",
            ),
            (
                |c| {
                    c.fields
                        .push(TypedField::new("kind", FieldType::OneOf).into())
                },
                "field `kind` is one_of but lists no values",
            ),
            (
                |c| {
                    c.fields.push(
                        TypedField::new("n", FieldType::Integer)
                            .values(["1"])
                            .into(),
                    )
                },
                "field `n` lists values but is not of type one_of",
            ),
            (
                |c| c.search.push("done".into()),
                "search names `done`, which is not a text field",
            ),
            (
                |c| c.fields.push("owner_id".into()),
                "field `owner_id` is kept by the host; leave it out of fields",
            ),
        ];
        for (change, problem) in cases {
            let mut c = tasks();
            change(&mut c);
            assert_eq!(c.problem("todo").as_deref(), Some(problem));
        }
    }

    #[test]
    fn fields_read_as_names_or_objects() {
        let c: Collection = serde_json::from_str(
            r#"{"name": "tasks", "table": "todo_tasks", "fields": ["title",
                {"name": "status", "type": "one_of", "values": ["open", "closed"], "unique": true}]}"#,
        )
        .unwrap();
        assert_eq!(c.fields[0], CollectionField::Text("title".into()));
        assert_eq!(c.fields[1].kind(), FieldType::OneOf);
        assert!(c.fields[1].is_unique());
        assert_eq!(c.fields[1].allowed_values(), ["open", "closed"]);
        let typo = serde_json::from_str::<Collection>(
            r#"{"name": "tasks", "table": "todo_tasks", "fields": [{"name": "done", "typ": "boolean"}]}"#,
        );
        assert!(typo.is_err());
    }
}
