//! Tools: things a module lets Chat's model do. A tool is declared in the manifest
//! (`[[tools]]`, [`crate::ModuleBuilder::tool`]) with a JSON Schema for its
//! arguments, and called as `POST /api/modules/<name>/tools/<tool>` with the
//! arguments as the JSON body. The host checks the arguments against the schema and
//! the caller's rights, then hands the request to the module's own router or
//! sidecar (or, for a tool over a declared collection, searches it itself), so a
//! model acting for a user can do exactly what that user could do by calling the API.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Longest tool name: with the module's name and `__` it must fit the 64
/// characters model servers allow for a function's name.
pub const MAX_TOOL_NAME: usize = 22;

/// A tool a module offers Chat's model.
///
/// ```
/// use gantry_sdk::Tool;
/// use serde_json::json;
///
/// let tool = Tool::new("add_note", "Adds a note to the user's list.")
///     .parameters(json!({
///         "type": "object",
///         "properties": { "text": { "type": "string" } },
///         "required": ["text"],
///     }))
///     .confirm();
/// assert!(tool.confirm);
/// assert_eq!(tool.schema()["required"][0], "text");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// Its name: lowercase letters, digits and `_`, starting with a letter, at most
    /// [`MAX_TOOL_NAME`] characters. The URL is `…/tools/<name>`.
    pub name: String,
    /// What it does and when to use it, for the model (and the user, who sees it in
    /// Chat's tool list).
    pub description: String,
    /// A JSON Schema (`"type": "object"`) the arguments must match; no arguments when
    /// left out. Not for collection tools, whose one argument is `query`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional, type = "Record<string, unknown>"))]
    pub parameters: Option<Value>,
    /// Only administrators may call it (and only their conversations offer it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requires_admin: bool,
    /// It changes something: Chat asks the user before each call.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub confirm: bool,
    /// A declared collection the host searches for this tool (read-only, with the
    /// collection's read rule): the module needs no code for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub collection: Option<String>,
}

impl Tool {
    /// A tool `name` taking no arguments.
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            parameters: None,
            requires_admin: false,
            confirm: false,
            collection: None,
        }
    }

    /// A read-only search of the module's collection `collection`, served by the host.
    ///
    /// ```
    /// let tool = gantry_sdk::Tool::search_collection("search_recipes", "Finds recipes.", "recipes");
    /// assert_eq!(tool.schema()["required"][0], "query");
    /// ```
    pub fn search_collection(
        name: impl Into<String>,
        description: impl Into<String>,
        collection: impl Into<String>,
    ) -> Self {
        Self {
            collection: Some(collection.into()),
            ..Self::new(name, description)
        }
    }

    /// The JSON Schema of its arguments.
    pub fn parameters(mut self, schema: Value) -> Self {
        self.parameters = Some(schema);
        self
    }

    /// Only for administrators.
    pub fn admin_only(mut self) -> Self {
        self.requires_admin = true;
        self
    }

    /// Asks the user before each call.
    pub fn confirm(mut self) -> Self {
        self.confirm = true;
        self
    }

    /// The schema the arguments are checked against: the declared one, the host's
    /// `{ query }` for a collection tool, or an object with no properties.
    pub fn schema(&self) -> Value {
        if self.collection.is_some() {
            return json!({
                "type": "object",
                "properties": {
                    "query": { "type": "string", "description": "Words to look for." }
                },
                "required": ["query"],
                "additionalProperties": false,
            });
        }
        self.parameters
            .clone()
            .unwrap_or_else(|| json!({ "type": "object", "properties": {} }))
    }

    /// What is wrong with the declaration on its own, if anything (the schema's
    /// shape only; the host checks it as JSON Schema too).
    pub(crate) fn problem(&self, collections: &[crate::Collection]) -> Option<String> {
        let name_ok = self.name.len() <= MAX_TOOL_NAME
            && self.name.starts_with(|c: char| c.is_ascii_lowercase())
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            return Some(format!(
                "name must be lowercase letters, digits and `_`, starting with a letter, at most {MAX_TOOL_NAME} characters"
            ));
        }
        if self.description.trim().is_empty() {
            return Some("description is empty (the model chooses tools by it)".into());
        }
        if let Some(collection) = &self.collection {
            if self.parameters.is_some() {
                return Some(
                    "a collection tool takes `query` alone: leave `parameters` out".into(),
                );
            }
            if self.confirm {
                return Some("a collection tool only reads: it cannot ask to `confirm`".into());
            }
            if !collections.iter().any(|c| &c.name == collection) {
                return Some(format!("collection `{collection}` is not declared"));
            }
        }
        if let Some(schema) = &self.parameters {
            if schema.get("type").and_then(Value::as_str) != Some("object") {
                return Some("parameters must be a JSON Schema with `\"type\": \"object\"`".into());
            }
        }
        None
    }
}
