//! One streamed answer: a task that owns the request to the model server and the
//! writes to the database, feeding the client's event stream through a bounded
//! channel. When the client goes away (the Stop button, a closed tab) the stream is
//! dropped, its guard cancels the task, the request to the model server is closed
//! at once and the partial answer is stored as `stopped`.

use std::{
    convert::Infallible,
    time::{Duration, Instant},
};

use app::chat_api::{ChatMessage, StreamDelta, StreamDone, Usage};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use gantry_sdk::ApiError;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::{
    error::{ChatError, ModelServerError},
    messages::{self, Outcome, Status},
    model_client::{ModelClient, ModelServer, Piece, WireMessage},
};
use crate::db::Db;

/// How often the growing answer is saved while it streams.
const SAVE_EVERY: Duration = Duration::from_millis(1000);
/// Events buffered between the task and a slow client.
const CHANNEL_EVENTS: usize = 64;

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
}

/// What the task tells the client.
enum AnswerEvent {
    Delta(String),
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
    let end = tokio::select! {
        () = cancel.cancelled() => End::Stopped,
        end = pump(&job, &tx, &mut content, &mut usage) => end,
    };
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

/// Reads the model's answer into `content`, forwarding each piece and saving the
/// text every [`SAVE_EVERY`].
async fn pump(
    job: &AnswerJob,
    tx: &mpsc::Sender<AnswerEvent>,
    content: &mut String,
    usage: &mut Option<Usage>,
) -> End {
    let mut answer = match job
        .client
        .stream_answer(&job.server, &job.model_name, &job.history, job.temperature)
        .await
    {
        Ok(answer) => answer,
        Err(err) => return End::Failed(err),
    };
    let mut saved_at = Instant::now();
    loop {
        match answer.next_piece().await {
            Ok(Some(Piece::Text(text))) => {
                content.push_str(&text);
                if tx.send(AnswerEvent::Delta(text)).await.is_err() {
                    return End::Stopped;
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
                        Ok(false) => return End::Gone,
                        Err(err) => tracing::warn!("cannot save an answer's progress: {err}"),
                    }
                }
            }
            Ok(Some(Piece::Usage(reported))) => *usage = Some(reported),
            Ok(Some(Piece::Done)) => return End::Complete,
            Ok(None) => {
                return End::Failed(ModelServerError::Cut {
                    connection: job.server.name.clone(),
                })
            }
            Err(err) => return End::Failed(err),
        }
    }
}
