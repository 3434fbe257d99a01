//! The JSON of the chat APIs (`/api/chat/…`, `/api/models`, `/api/personas`,
//! `/api/admin/llm/…`), shared by the server that answers and the pages that ask.

use serde::{Deserialize, Serialize};

use crate::knowledge_api::Passage;

/// A conversation, as listed and as returned by every change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub title: String,
    pub pinned: bool,
    /// The model id (`<connection>/<model>`); `None`: the persona's or the default.
    pub model: Option<String>,
    pub persona_id: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// What its answers draw on from the Knowledge Vault.
    #[serde(default)]
    pub knowledge: ConversationKnowledge,
    /// The module tools its model may call (`<module>/<tool>`); none: tools are off.
    #[serde(default)]
    pub tools: Vec<String>,
}

/// The collections and single documents a conversation's answers draw on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationKnowledge {
    #[serde(default)]
    pub collection_ids: Vec<String>,
    #[serde(default)]
    pub document_ids: Vec<String>,
}

impl ConversationKnowledge {
    /// Whether nothing is attached.
    pub fn is_empty(&self) -> bool {
        self.collection_ids.is_empty() && self.document_ids.is_empty()
    }
}

/// `POST /api/chat/conversations` (every field optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConversation {
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub persona_id: Option<String>,
    /// What its answers draw on (each must be readable).
    #[serde(default, skip_serializing_if = "ConversationKnowledge::is_empty")]
    pub knowledge: ConversationKnowledge,
    /// The module tools its model may call (`<module>/<tool>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
}

/// `PATCH /api/chat/conversations/{id}`: each field present is changed; `model` and
/// `persona_id` may be set to `null` to go back to the default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub model: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub persona_id: Option<Option<String>>,
    /// Replaces what the conversation draws on (each must be readable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge: Option<ConversationKnowledge>,
    /// Replaces the tools its model may call (`<module>/<tool>`, each one the user
    /// may call); empty turns tools off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
}

/// Token counts reported by the model server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
}

/// A stored message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: String,
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
    pub model: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// `complete`, `streaming`, `stopped` or `failed`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    /// Why an answer failed, in words (never part of `content`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// An assistant answer's Markdown rendered to HTML on the server, with any raw
    /// HTML in it escaped as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// The passages of the user's documents an answer was given; its citation `[n]`
    /// is the n-th.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Passage>,
    /// The module tools the model called while writing an answer, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
}

/// Where a tool call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolCallStatus {
    /// A `confirm` tool waiting for the user's OK.
    AwaitingConfirmation,
    Running,
    Done,
    Failed,
    /// The user said no (or did not answer in time).
    Declined,
}

/// One call of a module tool by the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// Gantry's id of the call (what a confirmation names).
    pub id: String,
    pub module: String,
    pub tool: String,
    /// The arguments the model gave (JSON).
    pub arguments: serde_json::Value,
    pub status: ToolCallStatus,
    /// Whether the tool asks before it runs.
    #[serde(default)]
    pub confirm: bool,
    /// What the tool answered (JSON), when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    /// Why it failed or did not run, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
}

/// The data of a streamed `tool_call` event: a call as it now stands (sent again at
/// each change, same `id`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamToolCall {
    pub call: ToolCall,
}

/// `POST /api/chat/tool-calls/{id}/confirm`: whether the tool may run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolConfirmation {
    pub approve: bool,
}

/// `GET /api/chat/conversations/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub conversation: Conversation,
    pub messages: Vec<ChatMessage>,
}

/// `GET /api/chat/conversations`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationList {
    pub conversations: Vec<Conversation>,
}

/// `POST /api/chat/conversations/{id}/messages`, and the edit of a user message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// `POST /api/chat/conversations/{id}/regenerate`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regenerate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// The data of a streamed `delta` event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamDelta {
    pub content: String,
}

/// The data of the streamed `done` event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamDone {
    pub message: ChatMessage,
}

/// One hit of `GET /api/chat/search`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub conversation_id: String,
    pub conversation_title: String,
    /// Plain text around the match.
    pub message_snippet: String,
    /// `user`, `assistant`, or `title` for a match in the title.
    pub role: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// `GET /api/chat/search`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub results: Vec<SearchResult>,
}

/// A model a user may pick (`GET /api/models`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelChoice {
    /// `<connection>/<model id as the server names it>`.
    pub id: String,
    /// The model id as the server names it.
    pub name: String,
    /// The connection's name.
    pub connection: String,
    /// Whether it is the instance's default model.
    pub default: bool,
}

/// `GET /api/models`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelChoices {
    pub models: Vec<ModelChoice>,
    /// Connections whose models could not be listed just now, and why.
    #[serde(default)]
    pub unavailable: Vec<UnavailableConnection>,
}

/// A connection that did not answer its model list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnavailableConnection {
    pub connection: String,
    /// Why, in words naming the connection.
    pub error: String,
}

/// A persona: a system prompt, temperature and optional model under a name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Persona {
    pub id: String,
    pub name: String,
    pub description: String,
    pub system_prompt: String,
    pub temperature: Option<f64>,
    pub model: Option<String>,
    /// Shared by an administrator with everyone (else the user's own).
    pub shared: bool,
}

/// `POST` and `PUT` of `/api/personas` and `/api/admin/personas`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub system_prompt: String,
    #[serde(default)]
    pub temperature: Option<f64>,
    #[serde(default)]
    pub model: Option<String>,
}

/// `GET /api/personas`: the user's own and the shared ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonaList {
    pub personas: Vec<Persona>,
}

/// A model server connection as administrators see it: the API key is never
/// returned, only whether one is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub api_key_set: bool,
    /// The model's context window in tokens, for trimming long histories.
    pub context_tokens: i64,
    /// Seconds without a token after which an answer is given up on.
    pub timeout_secs: i64,
}

/// `POST /api/admin/llm/connections` and `PATCH …/{id}`. `api_key`: absent keeps the
/// stored key, `""` removes it, any other value replaces it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_tokens: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<i64>,
}

/// A model of a connection as administrators see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminModel {
    /// `<connection>/<model>`.
    pub id: String,
    pub name: String,
    /// Users may pick it.
    pub enabled: bool,
    pub default: bool,
}

/// A connection with its models or the reason they could not be listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionStatus {
    pub connection: Connection,
    pub reachable: bool,
    /// Why the models could not be listed, in words, naming the connection.
    pub error: Option<String>,
    pub models: Vec<AdminModel>,
}

/// `GET /api/admin/llm/connections`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionStatuses {
    pub connections: Vec<ConnectionStatus>,
    pub default_model: Option<String>,
}

/// `PUT /api/admin/llm/models/{id}`: whether users may pick it, and whether it is
/// the default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

/// `Option<Option<T>>` where a present `null` means "clear it".
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}
