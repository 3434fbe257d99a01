//! One streamed answer: a task that owns the request to the model server and the
//! writes to the database, feeding the client's event stream through a bounded
//! channel. When the client goes away (the Stop button, a closed tab) the stream is
//! dropped, its guard cancels the task, the request to the model server is closed
//! at once and the partial answer is stored as `stopped`.
//!
//! When the conversation offers module tools and the model calls some, each call is
//! shown to the client (`tool_call` events), run (after the user's OK for a
//! `confirm` tool), and its result given back to the model, which then goes on;
//! at most [`tools::MAX_ROUNDS`] rounds.

use std::{
    convert::Infallible,
    time::{Duration, Instant},
};

use app::chat_api::{
    ChatMessage, StreamDelta, StreamDone, StreamToolCall, ToolCall, ToolCallStatus, Usage,
};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use gantry_sdk::ApiError;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::{
    error::{ChatError, ModelServerError},
    messages::{self, Outcome, Status},
    model_client::{ModelClient, ModelServer, Piece, WireFunction, WireMessage, WireToolCall},
    tools::{self, Toolbox},
};
use crate::db::Db;

/// How often the growing answer is saved while it streams.
const SAVE_EVERY: Duration = Duration::from_millis(1000);
/// Events buffered between the task and a slow client.
const CHANNEL_EVENTS: usize = 64;
/// Tool calls the model may make in one request; more are ignored.
const MAX_CALLS_A_ROUND: usize = 16;

/// Everything the task needs to write one answer.
pub struct AnswerJob {
    pub db: Db,
    pub client: ModelClient,
    pub server: ModelServer,
    /// The model's name on the server.
    pub model_name: String,
    pub history: Vec<WireMessage>,
    pub temperature: Option<f64>,
    pub conversation_id: String,
    /// The stored assistant message (status `streaming`) the answer goes into.
    pub message_id: String,
    /// The module tools the model may call.
    pub tools: Toolbox,
    /// Counts the answer as in flight until the job is done.
    pub in_flight: super::AnswerInFlight,
}

/// What the task tells the client.
enum AnswerEvent {
    Delta(String),
    ToolCall(ToolCall),
    Done(ChatMessage),
    Failed {
        error: ApiError,
        message: Option<ChatMessage>,
    },
}

impl AnswerEvent {
    fn into_sse(self) -> Event {
        let json = |v: serde_json::Value| Event::default().data(v.to_string());
        match self {
            AnswerEvent::Delta(content) => {
                json(serde_json::json!(StreamDelta { content })).event("delta")
            }
            AnswerEvent::ToolCall(call) => {
                json(serde_json::json!(StreamToolCall { call })).event("tool_call")
            }
            AnswerEvent::Done(message) => {
                json(serde_json::json!(StreamDone { message })).event("done")
            }
            AnswerEvent::Failed { error, message } => {
                let mut body = error.to_json();
                if let Some(message) = message {
                    body["message"] = serde_json::json!(message);
                }
                json(body).event("error")
            }
        }
    }
}

/// Starts the task and answers with its events: `delta`s, then `done` or `error`.
pub fn stream(job: AnswerJob) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (tx, rx) = mpsc::channel(CHANNEL_EVENTS);
    let cancel = CancellationToken::new();
    let guard = cancel.clone().drop_guard();
    tokio::spawn(run(job, tx, cancel));
    let events = ReceiverStream::new(rx).map(move |event: AnswerEvent| {
        // Lives as long as the response: dropping the stream cancels the task.
        let _ = &guard;
        Ok(event.into_sse())
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

/// How the loop over the model's pieces ended.
enum End {
    Complete,
    Stopped,
    /// The conversation was deleted while the answer was being written.
    Gone,
    Failed(ModelServerError),
}

async fn run(job: AnswerJob, tx: mpsc::Sender<AnswerEvent>, cancel: CancellationToken) {
    let started = Instant::now();
    let mut content = String::new();
    let mut usage: Option<Usage> = None;
    let mut calls = Vec::new();
    let end = tokio::select! {
        () = cancel.cancelled() => End::Stopped,
        end = rounds(&job, &tx, &mut content, &mut usage, &mut calls) => end,
    };
    for call in &mut calls {
        // A stop cut it short.
        if matches!(
            call.status,
            ToolCallStatus::Running | ToolCallStatus::AwaitingConfirmation
        ) {
            call.status = ToolCallStatus::Failed;
            call.error = Some("the answer was stopped before the tool answered".into());
        }
    }
    if !calls.is_empty() {
        if let Err(err) = messages::set_tool_calls(&job.db.pool, &job.message_id, &calls).await {
            tracing::warn!("cannot store an answer's tool calls: {err}");
        }
    }
    let (status, error) = match &end {
        End::Complete => (Status::Complete, None),
        End::Stopped | End::Gone => (Status::Stopped, None),
        End::Failed(err) => (Status::Failed, Some(err.to_string())),
    };
    let outcome = Outcome {
        content: &content,
        status,
        error: error.as_deref(),
        usage,
        duration_ms: started.elapsed().as_millis() as i64,
    };
    let stored = match messages::finish(&job.db, &job.message_id, &outcome).await {
        Ok(true) => messages::get(&job.db, &job.message_id).await.ok(),
        Ok(false) => None,
        Err(err) => {
            tracing::error!("cannot store an answer: {err}");
            None
        }
    };
    let event = match (end, stored) {
        (End::Stopped, _) => return,
        (End::Complete, Some(message)) => AnswerEvent::Done(message),
        (End::Failed(err), message) => AnswerEvent::Failed {
            error: err.into(),
            message,
        },
        (End::Complete, None) | (End::Gone, _) => AnswerEvent::Failed {
            error: ChatError::ConversationNotFound(job.conversation_id.clone()).into(),
            message: None,
        },
    };
    let _ = tx.send(event).await;
}

/// How one request to the model ended.
enum Round {
    /// The answer is complete, or the stream ended otherwise.
    End(End),
    /// The model called tools: their ids (the server's), names and arguments.
    Calls(Vec<WireToolCall>),
}

/// The answer, in rounds: each request's text goes into `content`; tools the model
/// calls are run (recorded in `calls`) and their results sent back in the next.
async fn rounds(
    job: &AnswerJob,
    tx: &mpsc::Sender<AnswerEvent>,
    content: &mut String,
    usage: &mut Option<Usage>,
    calls: &mut Vec<ToolCall>,
) -> End {
    let mut history = job.history.clone();
    let offered = job.tools.wire();
    let offer = (!offered.is_empty()).then_some(&offered[..]);
    for round in 0..=tools::MAX_ROUNDS {
        // The last request may not call tools: the model answers in words.
        let last = round == tools::MAX_ROUNDS;
        let before = content.len();
        let mut reported = None;
        let outcome = pump(job, &history, (offer, last), tx, content, &mut reported).await;
        if let Some(reported) = reported {
            *usage = Some(added(*usage, reported));
        }
        let wanted = match outcome {
            Round::End(end) => return end,
            Round::Calls(_) if last => return End::Complete,
            Round::Calls(wanted) => wanted,
        };
        history.push(WireMessage {
            tool_calls: wanted.clone(),
            ..WireMessage::text("assistant", &content[before..])
        });
        for wire in wanted {
            let call = job
                .tools
                .start(&wire.function.name, &wire.function.arguments);
            // Kept from the start, so a stop while it runs still leaves its trace.
            calls.push(call);
            let call = calls.last_mut().expect("just pushed");
            if let End::Stopped = call_tool(job, tx, content, call).await {
                return End::Stopped;
            }
            history.push(WireMessage {
                tool_call_id: Some(wire.id),
                ..WireMessage::text("tool", tools::result_for_model(call))
            });
        }
    }
    End::Complete
}

/// One tool call from start to result (after the user's OK if it asks first), each
/// change shown to the client; `Stopped` when the client went away.
async fn call_tool(
    job: &AnswerJob,
    tx: &mpsc::Sender<AnswerEvent>,
    content: &str,
    call: &mut ToolCall,
) -> End {
    // The answer stays this instance's while the user thinks and the tool runs.
    let lease = messages::lease_until(&job.server)
        + (tools::CONFIRM_TIMEOUT + job.tools.time_limit()).as_secs() as i64;
    if let Err(err) = messages::save_progress(&job.db, &job.message_id, content, lease).await {
        tracing::warn!("cannot extend an answer's lease: {err}");
    }
    // Listening before the user is asked, so their answer cannot come too early.
    let waiting = if call.status == ToolCallStatus::AwaitingConfirmation {
        job.tools.ask(call).await
    } else {
        None
    };
    if tx.send(AnswerEvent::ToolCall(call.clone())).await.is_err() {
        return End::Stopped;
    }
    if let Some(waiting) = waiting {
        job.tools.confirm(waiting, call).await;
        if call.status == ToolCallStatus::Running
            && tx.send(AnswerEvent::ToolCall(call.clone())).await.is_err()
        {
            return End::Stopped;
        }
    }
    if call.status == ToolCallStatus::Running {
        job.tools.run(call).await;
    }
    if tx.send(AnswerEvent::ToolCall(call.clone())).await.is_err() {
        return End::Stopped;
    }
    End::Complete
}

/// Reads one answer of the model to `history` (with the tools `offer`ed, which it
/// may not call when `last`) into `content`, forwarding each piece and saving the
/// text every [`SAVE_EVERY`]; `usage` is the last count the server reported.
async fn pump(
    job: &AnswerJob,
    history: &[WireMessage],
    (offer, last): (Option<&[serde_json::Value]>, bool),
    tx: &mpsc::Sender<AnswerEvent>,
    content: &mut String,
    usage: &mut Option<Usage>,
) -> Round {
    let tools = offer.map(|tools| (tools, !last));
    let mut answer = match job
        .client
        .stream_answer(
            &job.server,
            &job.model_name,
            history,
            job.temperature,
            tools,
        )
        .await
    {
        Ok(answer) => answer,
        Err(err) => return Round::End(End::Failed(err)),
    };
    let mut wanted: Vec<WireToolCall> = Vec::new();
    let mut saved_at = Instant::now();
    loop {
        match answer.next_piece().await {
            Ok(Some(Piece::Text(text))) => {
                content.push_str(&text);
                if tx.send(AnswerEvent::Delta(text)).await.is_err() {
                    return Round::End(End::Stopped);
                }
                if saved_at.elapsed() >= SAVE_EVERY {
                    saved_at = Instant::now();
                    match messages::save_progress(
                        &job.db,
                        &job.message_id,
                        content,
                        messages::lease_until(&job.server),
                    )
                    .await
                    {
                        Ok(true) => {}
                        // The conversation was deleted: nobody will read the rest.
                        Ok(false) => return Round::End(End::Gone),
                        Err(err) => tracing::warn!("cannot save an answer's progress: {err}"),
                    }
                }
            }
            Ok(Some(Piece::Usage(reported))) => *usage = Some(reported),
            // A server's index is not trusted to size anything.
            Ok(Some(Piece::ToolCall(delta))) if delta.index < MAX_CALLS_A_ROUND => {
                if wanted.len() <= delta.index {
                    wanted.resize(delta.index + 1, WireToolCall::default());
                }
                let call = &mut wanted[delta.index];
                call.kind = "function";
                if let Some(id) = delta.id {
                    call.id = id;
                }
                let WireFunction { name, arguments } = &mut call.function;
                name.extend(delta.function.name);
                arguments.extend(delta.function.arguments);
            }
            Ok(Some(Piece::ToolCall(_))) => {}
            Ok(Some(Piece::Done)) => {
                // Slots the server skipped are dropped; a call without an id gets one.
                wanted.retain(|call| !call.function.name.is_empty());
                for (i, call) in wanted.iter_mut().enumerate() {
                    if call.id.is_empty() {
                        call.id = format!("call_{i}");
                    }
                }
                return if wanted.is_empty() {
                    Round::End(End::Complete)
                } else {
                    Round::Calls(wanted)
                };
            }
            Ok(None) => {
                return Round::End(End::Failed(ModelServerError::Cut {
                    connection: job.server.name.clone(),
                }))
            }
            Err(err) => return Round::End(End::Failed(err)),
        }
    }
}

/// Token counts of several requests, summed.
fn added(before: Option<Usage>, more: Usage) -> Usage {
    match before {
        Some(before) => Usage {
            prompt_tokens: before.prompt_tokens + more.prompt_tokens,
            completion_tokens: before.completion_tokens + more.completion_tokens,
        },
        None => more,
    }
}
