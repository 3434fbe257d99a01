//! Talking to OpenAI-compatible model servers: `GET {base}/models`, streamed
//! `POST {base}/chat/completions` and `POST {base}/embeddings`, with the errors in
//! words.

use std::{pin::Pin, time::Duration};

use eventsource_stream::Eventsource;
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};

use super::error::ModelServerError;
use app::chat_api::Usage;

/// How long connecting to a model server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long listing a server's models may take.
const LIST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one batch of embeddings may take.
const EMBED_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection with its API key, ready to be called.
#[derive(Clone, Debug)]
pub struct ModelServer {
    pub id: String,
    pub name: String,
    pub base_url: String,
    pub api_key: Option<String>,
    pub context_tokens: i64,
    pub timeout_secs: i64,
}

impl ModelServer {
    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url.trim_end_matches('/'))
    }

    /// How long the server may stay silent before an answer is given up on.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1) as u64)
    }
}

/// One message as the chat API takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WireMessage {
    pub role: String,
    pub content: String,
    /// The tools an assistant message asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<WireToolCall>,
    /// The call a `tool` message answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl WireMessage {
    /// A message of text.
    pub fn text(role: &str, content: impl Into<String>) -> Self {
        Self {
            role: role.to_owned(),
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }
}

/// A tool call as the chat API writes it: `{"id", "type": "function", "function":
/// {"name", "arguments"}}`, the arguments a JSON text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WireToolCall {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: WireFunction,
}

/// The function part of a [`WireToolCall`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WireFunction {
    pub name: String,
    pub arguments: String,
}

#[derive(Serialize)]
struct CompletionRequest<'a> {
    model: &'a str,
    messages: &'a [WireMessage],
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
    /// The tools offered (`[{"type": "function", "function": {…}}]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    tools: Option<&'a [serde_json::Value]>,
    /// `"none"` when the model may not call the tools offered this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<&'static str>,
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

#[derive(Deserialize)]
struct ModelList {
    data: Vec<ModelEntry>,
}

#[derive(Deserialize)]
struct ModelEntry {
    id: String,
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<WireError>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Delta,
}

#[derive(Default, Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Vec<ToolCallDelta>,
}

/// A piece of a tool call the model is writing: the first piece of each call has
/// its id and name, the following ones more of its arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ToolCallDelta {
    /// Which call of the answer (from 0).
    #[serde(default)]
    pub index: usize,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub function: FunctionDelta,
}

/// The function part of a [`ToolCallDelta`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct FunctionDelta {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub arguments: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: WireError,
}

#[derive(Deserialize)]
struct WireError {
    #[serde(default)]
    message: String,
}

/// What the model server sent next.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text of the answer.
    Text(String),
    /// Token counts (with `stream_options.include_usage`).
    Usage(Usage),
    /// Part of a tool call.
    ToolCall(ToolCallDelta),
    /// `[DONE]`: the answer is complete.
    Done,
}

type EventStream = Pin<
    Box<
        dyn Stream<
                Item = Result<
                    eventsource_stream::Event,
                    eventsource_stream::EventStreamError<reqwest::Error>,
                >,
            > + Send,
    >,
>;

/// An answer being streamed; dropping it closes the request to the server.
pub struct AnswerStream {
    events: EventStream,
    connection: String,
    idle: Duration,
    /// Tool call pieces of the last event not handed out yet.
    calls: std::collections::VecDeque<ToolCallDelta>,
}

impl AnswerStream {
    fn next_call(&mut self) -> Option<Piece> {
        self.calls.pop_front().map(Piece::ToolCall)
    }

    /// The next piece, or `None` when the stream ended without `[DONE]`. Gives up
    /// after the connection's idle timeout without anything.
    pub async fn next_piece(&mut self) -> Result<Option<Piece>, ModelServerError> {
        if let Some(call) = self.next_call() {
            return Ok(Some(call));
        }
        loop {
            let event = match tokio::time::timeout(self.idle, self.events.next()).await {
                Err(_) => {
                    return Err(ModelServerError::Timeout {
                        connection: self.connection.clone(),
                        secs: self.idle.as_secs(),
                    })
                }
                Ok(None) => return Ok(None),
                Ok(Some(Err(err))) => {
                    return Err(ModelServerError::Invalid {
                        connection: self.connection.clone(),
                        reason: err.to_string(),
                    })
                }
                Ok(Some(Ok(event))) => event,
            };
            let data = event.data.trim();
            if data.is_empty() {
                continue;
            }
            if data == "[DONE]" {
                return Ok(Some(Piece::Done));
            }
            let chunk: Chunk =
                serde_json::from_str(data).map_err(|err| ModelServerError::Invalid {
                    connection: self.connection.clone(),
                    reason: err.to_string(),
                })?;
            if let Some(error) = chunk.error {
                return Err(ModelServerError::InStream {
                    connection: self.connection.clone(),
                    message: error.message,
                });
            }
            let mut text = String::new();
            for choice in chunk.choices {
                text.extend(choice.delta.content);
                self.calls.extend(choice.delta.tool_calls);
            }
            if !text.is_empty() {
                return Ok(Some(Piece::Text(text)));
            }
            if let Some(call) = self.next_call() {
                return Ok(Some(call));
            }
            if let Some(usage) = chunk.usage {
                return Ok(Some(Piece::Usage(usage)));
            }
        }
    }
}

/// One pooled HTTP client for every model server.
#[derive(Clone, Debug)]
pub struct ModelClient {
    http: reqwest::Client,
}

impl Default for ModelClient {
    fn default() -> Self {
        Self::new()
    }
}

impl ModelClient {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            // A model server has no business sending Gantry elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client's settings are valid");
        Self { http }
    }

    fn request(
        &self,
        server: &ModelServer,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let req = self.http.request(method, server.url(path));
        match &server.api_key {
            Some(key) => req.bearer_auth(key),
            None => req,
        }
    }

    /// The ids of the server's models.
    pub async fn list_models(&self, server: &ModelServer) -> Result<Vec<String>, ModelServerError> {
        let res = self
            .request(server, reqwest::Method::GET, "models")
            .timeout(LIST_TIMEOUT)
            .send()
            .await
            .map_err(|err| send_error(server, &err, LIST_TIMEOUT))?;
        let res = check_status(server, res, None).await?;
        let list: ModelList = res.json().await.map_err(|err| ModelServerError::Invalid {
            connection: server.name.clone(),
            reason: format!("its model list: {err}"),
        })?;
        Ok(list.data.into_iter().map(|m| m.id).collect())
    }

    /// Starts a streamed answer of `model` to `messages`, offering `tools` when
    /// there are any (with whether the model may call them now). Asks for token
    /// usage, and asks again without when the server refuses that option.
    pub async fn stream_answer(
        &self,
        server: &ModelServer,
        model: &str,
        messages: &[WireMessage],
        temperature: Option<f64>,
        tools: Option<(&[serde_json::Value], bool)>,
    ) -> Result<AnswerStream, ModelServerError> {
        let tools = tools.filter(|(offered, _)| !offered.is_empty());
        let mut with_usage = true;
        loop {
            let body = CompletionRequest {
                model,
                messages,
                stream: true,
                temperature,
                stream_options: with_usage.then_some(StreamOptions {
                    include_usage: true,
                }),
                tools: tools.map(|(offered, _)| offered),
                tool_choice: tools.and_then(|(_, may_call)| (!may_call).then_some("none")),
            };
            let sent = tokio::time::timeout(
                server.idle_timeout(),
                self.request(server, reqwest::Method::POST, "chat/completions")
                    .json(&body)
                    .send(),
            )
            .await
            .map_err(|_| ModelServerError::Timeout {
                connection: server.name.clone(),
                secs: server.idle_timeout().as_secs(),
            })?
            .map_err(|err| send_error(server, &err, server.idle_timeout()))?;
            match check_status(server, sent, Some(model)).await {
                Ok(res) => {
                    return Ok(AnswerStream {
                        events: Box::pin(res.bytes_stream().eventsource()),
                        connection: server.name.clone(),
                        idle: server.idle_timeout(),
                        calls: Default::default(),
                    })
                }
                Err(ModelServerError::Status {
                    status: 400,
                    message,
                    ..
                }) if with_usage && message.contains("stream_options") => with_usage = false,
                Err(ModelServerError::Status {
                    connection,
                    status: 400,
                    message,
                }) if tools.is_some() => {
                    return Err(ModelServerError::Status {
                        connection,
                        status: 400,
                        message: format!(
                            "{message} (with tools offered: this model may not support tool calls; turn Tools off for this conversation)"
                        ),
                    })
                }
                Err(err) => return Err(err),
            }
        }
    }
}

#[derive(Serialize)]
struct EmbeddingRequest<'a> {
    model: &'a str,
    input: &'a [String],
}

#[derive(Deserialize)]
struct EmbeddingList {
    data: Vec<EmbeddingItem>,
}

#[derive(Deserialize)]
struct EmbeddingItem {
    index: usize,
    embedding: Vec<f32>,
}

impl ModelClient {
    /// The embeddings of `inputs` by `model`, in the same order.
    pub async fn embed(
        &self,
        server: &ModelServer,
        model: &str,
        inputs: &[String],
    ) -> Result<Vec<Vec<f32>>, ModelServerError> {
        let res = self
            .request(server, reqwest::Method::POST, "embeddings")
            .timeout(EMBED_TIMEOUT)
            .json(&EmbeddingRequest {
                model,
                input: inputs,
            })
            .send()
            .await
            .map_err(|err| send_error(server, &err, EMBED_TIMEOUT))?;
        let res = check_status(server, res, Some(model)).await?;
        let invalid = |reason: String| ModelServerError::Invalid {
            connection: server.name.clone(),
            reason,
        };
        let mut list: EmbeddingList = res
            .json()
            .await
            .map_err(|err| invalid(format!("its embeddings: {err}")))?;
        list.data.sort_by_key(|item| item.index);
        if list.data.len() != inputs.len()
            || list
                .data
                .iter()
                .enumerate()
                .any(|(i, item)| item.index != i)
        {
            return Err(invalid(format!(
                "{} embeddings for {} inputs",
                list.data.len(),
                inputs.len()
            )));
        }
        Ok(list.data.into_iter().map(|item| item.embedding).collect())
    }
}

/// The error of a request that got no answer, in words.
fn send_error(server: &ModelServer, err: &reqwest::Error, timeout: Duration) -> ModelServerError {
    if err.is_timeout() {
        return ModelServerError::Timeout {
            connection: server.name.clone(),
            secs: timeout.as_secs(),
        };
    }
    // The innermost cause says it best ("Connection refused (os error 111)").
    let mut reason = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        reason = cause.to_string();
        source = cause.source();
    }
    ModelServerError::Unreachable {
        connection: server.name.clone(),
        url: server.base_url.clone(),
        reason,
    }
}

/// `res` when it succeeded, else its error in words.
async fn check_status(
    server: &ModelServer,
    res: reqwest::Response,
    model: Option<&str>,
) -> Result<reqwest::Response, ModelServerError> {
    let status = res.status();
    if status.is_success() {
        return Ok(res);
    }
    let connection = server.name.clone();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        return Err(ModelServerError::Unauthorized {
            connection,
            status: status.as_u16(),
        });
    }
    let text = res.text().await.unwrap_or_default();
    let message = serde_json::from_str::<ErrorBody>(&text)
        .map(|body| body.error.message)
        .unwrap_or_else(|_| text.chars().take(300).collect());
    if let (Some(model), reqwest::StatusCode::NOT_FOUND) = (model, status) {
        return Err(ModelServerError::UnknownModel {
            connection,
            model: model.to_owned(),
        });
    }
    Err(ModelServerError::Status {
        connection,
        status: status.as_u16(),
        message,
    })
}
