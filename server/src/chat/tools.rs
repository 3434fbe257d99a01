//! Module tools in Chat: the tools a conversation offers its model (those the user
//! chose and may still call), and running a call the model makes, through the same
//! path as the user's own `POST /api/modules/<name>/tools/<tool>` (so the host's
//! checks and the module's own auth apply, and the module's audit entries name the
//! user), within a time limit, after the user's OK for a `confirm` tool.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use app::chat_api::{ToolCall, ToolCallStatus};
use axum::{body::Body, extract::Request, http::header};
use futures::StreamExt;
use gantry_sdk::{ClientAddress, CurrentUser, Tool};
use serde_json::{json, Value};

use super::{
    confirmations::{Confirmations, Waiting},
    error::ChatError,
};
use crate::{
    accounts::random_hex,
    db::Db,
    modules::{dispatch, ModuleRegistry},
};

/// Rounds of tool calls in one answer; in the request after the last the model may
/// call none (`tool_choice: "none"`), so it has to answer in words.
pub const MAX_ROUNDS: usize = 5;
/// How long a `confirm` tool waits for the user.
pub const CONFIRM_TIMEOUT: Duration = Duration::from_secs(300);
/// The most of a tool's answer passed to the model and kept with the message.
const MAX_RESULT_CHARS: usize = 16 * 1024;
/// The most tools one conversation may offer.
const MAX_TOOLS: usize = 32;
/// Between the module's and the tool's name in the function name the model sees
/// (module names have no `_`, so the first `__` splits them).
const SEPARATOR: &str = "__";

/// A tool offered to the model.
#[derive(Clone, Debug)]
struct Offered {
    module: String,
    tool: Tool,
}

impl Offered {
    fn function_name(&self) -> String {
        format!("{}{SEPARATOR}{}", self.module, self.tool.name)
    }
}

/// The tools of one answer and what running them needs.
#[derive(Clone)]
pub struct Toolbox {
    registry: Arc<ModuleRegistry>,
    db: Db,
    user: CurrentUser,
    /// The address the user's turn came from, for the modules' audit entries.
    address: ClientAddress,
    offered: Vec<Offered>,
    confirmations: Confirmations,
}

/// `(module, tool)` of each tool `user` may call now.
fn usable(registry: &ModuleRegistry, user: &CurrentUser) -> Vec<Offered> {
    registry
        .infos_for(user)
        .into_iter()
        .flat_map(|info| {
            let module = info.name;
            info.tools.into_iter().map(move |tool| Offered {
                module: module.clone(),
                tool,
            })
        })
        .collect()
}

/// Refused unless each of `chosen` (`<module>/<tool>`) that is not `already` chosen
/// is a tool `user` may call (one chosen before and gone since is kept, unused, so
/// the rest of the choice can still change).
pub fn check_choice(
    registry: &ModuleRegistry,
    user: &CurrentUser,
    chosen: &[String],
    already: &[String],
) -> Result<(), ChatError> {
    if chosen.len() > MAX_TOOLS {
        return Err(ChatError::invalid(
            "tools",
            format!("may name at most {MAX_TOOLS} tools"),
        ));
    }
    let usable = usable(registry, user);
    for id in chosen.iter().filter(|id| !already.contains(id)) {
        let known = usable
            .iter()
            .any(|o| format!("{}/{}", o.module, o.tool.name) == *id);
        if !known {
            return Err(ChatError::invalid(
                "tools",
                format!("names `{id}`, which is not a tool you may use"),
            ));
        }
    }
    Ok(())
}

impl Toolbox {
    /// The tools of `chosen` (`<module>/<tool>`) that `user` (at `address`) may
    /// still call (a module turned off since, or a right lost, drops its tools).
    pub fn new(
        (registry, db): (Arc<ModuleRegistry>, Db),
        (user, address): (CurrentUser, ClientAddress),
        chosen: &[String],
        confirmations: Confirmations,
    ) -> Self {
        let offered = if chosen.is_empty() {
            Vec::new()
        } else {
            usable(&registry, &user)
                .into_iter()
                .filter(|o| chosen.contains(&format!("{}/{}", o.module, o.tool.name)))
                .collect()
        };
        Self {
            registry,
            db,
            user,
            address,
            offered,
            confirmations,
        }
    }

    /// The tools as the chat API takes them.
    pub fn wire(&self) -> Vec<Value> {
        self.offered
            .iter()
            .map(|o| {
                json!({
                    "type": "function",
                    "function": {
                        "name": o.function_name(),
                        "description": o.tool.description,
                        "parameters": o.tool.schema(),
                    }
                })
            })
            .collect()
    }

    /// A call of `function` with `arguments` (the model's JSON text) as it starts:
    /// refused at once when no such tool is offered or the arguments are not JSON.
    pub fn start(&self, function: &str, arguments: &str) -> ToolCall {
        let offered = self.offered.iter().find(|o| o.function_name() == function);
        let (module, tool) = match (offered, function.split_once(SEPARATOR)) {
            (Some(o), _) => (o.module.clone(), o.tool.name.clone()),
            (None, Some((m, t))) => (m.to_owned(), t.to_owned()),
            (None, None) => (String::new(), function.to_owned()),
        };
        let parsed = if arguments.trim().is_empty() {
            Ok(json!({}))
        } else {
            serde_json::from_str::<Value>(arguments)
        };
        let mut call = ToolCall {
            id: random_hex(8),
            module,
            tool,
            arguments: parsed
                .as_ref()
                .map_or_else(|_| Value::String(arguments.to_owned()), Clone::clone),
            status: ToolCallStatus::Running,
            confirm: offered.is_some_and(|o| o.tool.confirm),
            result: None,
            error: None,
            duration_ms: None,
        };
        if offered.is_none() {
            call.status = ToolCallStatus::Failed;
            call.error = Some(format!(
                "no tool `{function}` is offered in this conversation"
            ));
        } else if let Err(err) = parsed {
            call.status = ToolCallStatus::Failed;
            call.error = Some(format!("the arguments are not JSON ({err})"));
        } else if call.confirm {
            call.status = ToolCallStatus::AwaitingConfirmation;
        }
        call
    }

    /// Starts waiting for the user's answer to `call` (awaiting confirmation), before
    /// the user is asked, so an answer cannot come too early. When the question
    /// cannot be stored, the call is declined with why.
    pub async fn ask(&self, call: &mut ToolCall) -> Option<Waiting> {
        match self
            .confirmations
            .ask(&self.db, &call.id, &self.user.id)
            .await
        {
            Ok(waiting) => Some(waiting),
            Err(err) => {
                tracing::error!("cannot ask about tool call {}: {err}", call.id);
                call.status = ToolCallStatus::Declined;
                call.error = Some("the user could not be asked (database error)".into());
                None
            }
        }
    }

    /// The user's answer to `call`: running, or declined.
    pub async fn confirm(&self, waiting: Waiting, call: &mut ToolCall) {
        match waiting.answer(CONFIRM_TIMEOUT).await {
            Ok(Some(true)) => call.status = ToolCallStatus::Running,
            Ok(Some(false)) => {
                call.status = ToolCallStatus::Declined;
                call.error = Some("the user declined to run it".into());
            }
            Ok(None) => {
                call.status = ToolCallStatus::Declined;
                call.error = Some(format!(
                    "the user did not answer within {} minutes",
                    CONFIRM_TIMEOUT.as_secs() / 60
                ));
            }
            Err(err) => {
                tracing::error!("cannot read the answer about tool call {}: {err}", call.id);
                call.status = ToolCallStatus::Declined;
                call.error = Some("the user's answer could not be read (database error)".into());
            }
        }
    }

    /// How long a tool may take (`ModuleRegistry::sidecar_timeout`).
    pub fn time_limit(&self) -> Duration {
        self.registry.sidecar_timeout
    }

    /// Runs `call` (running) as the user, within the time a module's backend has
    /// to answer (`ModuleRegistry::sidecar_timeout`, 30 s): done with the tool's
    /// answer, or failed with why.
    pub async fn run(&self, call: &mut ToolCall) {
        let started = Instant::now();
        let limit = self.time_limit();
        let outcome = tokio::time::timeout(limit, self.send(call)).await;
        call.duration_ms = Some(started.elapsed().as_millis() as i64);
        match outcome {
            Ok(Ok(result)) => {
                call.status = ToolCallStatus::Done;
                call.result = Some(bounded(result));
            }
            Ok(Err(error)) => {
                call.status = ToolCallStatus::Failed;
                call.error = Some(error);
            }
            Err(_) => {
                call.status = ToolCallStatus::Failed;
                call.error = Some(format!(
                    "tool `{}/{}` did not answer within {} s",
                    call.module,
                    call.tool,
                    limit.as_secs_f64()
                ));
            }
        }
    }

    /// The call through the module API's own path, as the user.
    async fn send(&self, call: &ToolCall) -> Result<Value, String> {
        let rest = format!("tools/{}", call.tool);
        let mut request = Request::builder()
            .method("POST")
            .uri(format!("/api/modules/{}/{rest}", call.module))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(call.arguments.to_string()))
            .map_err(|err| err.to_string())?;
        request.extensions_mut().insert(self.user.clone());
        request.extensions_mut().insert(self.address.clone());
        let response =
            match dispatch::serve_api(&self.registry, &self.db, &call.module, &rest, request).await
            {
                Ok(response) => response,
                Err(err) => return Err(err.message().to_owned()),
            };
        let status = response.status();
        // A long answer is kept cut, never refused: the tool has run.
        let mut bytes = Vec::new();
        let mut body = response.into_body().into_data_stream();
        while let Some(chunk) = body.next().await {
            let chunk =
                chunk.map_err(|err| format!("tool `{}/{}`: {err}", call.module, call.tool))?;
            bytes.extend_from_slice(&chunk);
            if bytes.len() > 4 * MAX_RESULT_CHARS {
                break;
            }
        }
        let body = serde_json::from_slice::<Value>(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        if status.is_success() {
            Ok(body)
        } else {
            Err(body["error"]["message"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    format!("tool `{}/{}` answered {status}", call.module, call.tool)
                }))
        }
    }
}

/// `result`, cut to [`MAX_RESULT_CHARS`] of JSON text (then kept as that text).
fn bounded(result: Value) -> Value {
    let text = result.to_string();
    if text.chars().count() <= MAX_RESULT_CHARS {
        return result;
    }
    let cut: String = text.chars().take(MAX_RESULT_CHARS).collect();
    Value::String(format!("{cut}… (cut: the tool answered more)"))
}

/// What the model reads back of a finished call.
pub fn result_for_model(call: &ToolCall) -> String {
    match (&call.result, &call.error) {
        (Some(result), _) => result.to_string(),
        (None, Some(error)) => json!({ "error": error }).to_string(),
        (None, None) => json!({ "error": "the tool did not run" }).to_string(),
    }
}
