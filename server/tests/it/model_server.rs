//! An OpenAI-compatible model server for the tests (a fake of something outside
//! Gantry): `GET /v1/models` and streamed `POST /v1/chat/completions`, scripted by
//! the model's name. It records every request body and notices when Gantry closes
//! a stream before it ended.
//!
//! Models: `echo` (answers "You said: <last message>" in word pieces, with usage),
//! `slow` (a piece every 100 ms, 600 of them), `cut` (two pieces, then the stream
//! ends without `[DONE]`), `broken` (HTTP 500), `hang` (headers, then nothing),
//! `html` (an answer full of HTML), `no-usage-option` (refuses `stream_options`
//! with a 400, then answers like `echo`), `embed` (`POST /v1/embeddings`: a vector
//! per input, counting its words in 64 buckets where synonyms share one, so texts
//! alike in meaning are near), `tool` (when tools are offered: for each line
//! `CALL <function> <json>` of the last user message, a call of that function with
//! those arguments, or with `LOOP` in it a call of the first tool offered every
//! time; after a tool's result, "Tool said: <result>"; else "No tool needed"; with
//! `tool_choice: "none"` it calls nothing).

use std::{
    convert::Infallible,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};
use tokio_stream::wrappers::ReceiverStream;

pub const MODELS: &[&str] = &[
    "echo",
    "slow",
    "cut",
    "broken",
    "hang",
    "html",
    "no-usage-option",
    "embed",
    "tool",
];

#[derive(Clone, Default)]
struct Shared {
    requests: Arc<Mutex<Vec<Value>>>,
    closed_early: Arc<AtomicUsize>,
    closed_notify: Arc<Notify>,
    api_key: Option<String>,
}

/// A running test model server; stops when dropped.
pub struct FakeModelServer {
    /// The base URL, ending in `/v1`.
    pub url: String,
    shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeModelServer {
    /// A server that needs no API key.
    pub async fn start() -> Self {
        Self::start_with_key(None).await
    }

    /// A server that answers 401 unless `Authorization: Bearer <key>` is sent.
    pub async fn start_with_key(api_key: Option<&str>) -> Self {
        let shared = Shared {
            api_key: api_key.map(str::to_owned),
            ..Shared::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        Self::serve(listener, url, shared)
    }

    /// The same server over https at `https://localhost:<port>/v1`, with `tls`'s
    /// certificate.
    pub async fn start_tls(tls: rustls::ServerConfig) -> Self {
        let shared = Shared::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "https://localhost:{}/v1",
            listener.local_addr().unwrap().port()
        );
        let listener = TlsListener {
            tcp: listener,
            acceptor: tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(tls)),
        };
        Self::serve(listener, url, shared)
    }

    /// Serves the scripted API on `listener` until dropped.
    fn serve<L>(listener: L, url: String, shared: Shared) -> Self
    where
        L: axum::serve::Listener,
        L::Addr: std::fmt::Debug,
    {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router(&shared);
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self {
            url,
            shared,
            stop: Some(stop),
        }
    }

    /// Every chat request body received, oldest first.
    pub fn requests(&self) -> Vec<Value> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// How many streams the client closed before they ended.
    pub fn closed_early(&self) -> usize {
        self.shared.closed_early.load(Ordering::SeqCst)
    }

    /// Waits (at most 10 s) until a client closed a stream early.
    pub async fn wait_closed_early(&self) {
        let wait = async {
            while self.closed_early() == 0 {
                self.shared.closed_notify.notified().await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .expect("Gantry did not close the model server's stream within 10 s");
    }
}

impl Drop for FakeModelServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn router(shared: &Shared) -> Router {
    Router::new()
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(completions))
        .route("/v1/embeddings", post(embeddings))
        .with_state(shared.clone())
}

/// TCP connections with a TLS handshake each (a failed handshake is skipped).
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    match &shared.api_key {
        None => true,
        Some(key) => headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == format!("Bearer {key}")),
    }
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": {"message": "invalid API key"}})),
    )
        .into_response()
}

async fn models(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    if !authorized(&shared, &headers) {
        return unauthorized();
    }
    let data: Vec<Value> = MODELS
        .iter()
        .map(|id| json!({"id": id, "object": "model"}))
        .collect();
    Json(json!({"object": "list", "data": data})).into_response()
}

fn chunk(content: &str) -> Bytes {
    let chunk =
        json!({"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]});
    Bytes::from(format!("data: {chunk}\n\n"))
}

fn usage_chunk(prompt: i64, completion: i64) -> Bytes {
    let chunk = json!({"choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}});
    Bytes::from(format!("data: {chunk}\n\n"))
}

/// The pieces of tool call `index`: its id and name, then its arguments in two.
fn tool_call_chunks(index: usize, name: &str, arguments: &str) -> Vec<Bytes> {
    let piece = |call: Value| {
        let chunk = json!({"choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": null}]});
        Bytes::from(format!("data: {chunk}\n\n"))
    };
    let half = arguments
        .char_indices()
        .map(|(i, _)| i)
        .nth(arguments.chars().count() / 2)
        .unwrap_or(arguments.len());
    vec![
        piece(
            json!({"index": index, "id": format!("call_{index}"), "type": "function",
                     "function": {"name": name, "arguments": ""}}),
        ),
        piece(json!({"index": index, "function": {"arguments": &arguments[..half]}})),
        piece(json!({"index": index, "function": {"arguments": &arguments[half..]}})),
    ]
}

/// The `tool` model's answer to `body`.
fn tool_answer(body: &Value) -> Vec<Bytes> {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let question = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default();
    let last = messages.last().cloned().unwrap_or_default();
    // `tool_choice: "none"`: the tools are there to read, not to call.
    let may_call = body["tool_choice"] != "none";
    let offered: Vec<&str> = body["tools"]
        .as_array()
        .filter(|_| may_call)
        .map(|tools| {
            tools
                .iter()
                .filter_map(|t| t["function"]["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let mut pieces = Vec::new();
    if question.contains("LOOP") && !offered.is_empty() {
        pieces.extend(tool_call_chunks(0, offered[0], "{}"));
    } else if last["role"] == "tool" {
        let said = format!(
            "Tool said: {}",
            last["content"].as_str().unwrap_or_default()
        );
        pieces.push(chunk(&said));
    } else if !offered.is_empty() {
        let calls = question
            .lines()
            .filter_map(|line| line.trim().strip_prefix("CALL "))
            .filter_map(|call| call.split_once(' '));
        for (index, (name, arguments)) in calls.enumerate() {
            pieces.extend(tool_call_chunks(index, name, arguments));
        }
    }
    if pieces.is_empty() {
        pieces.push(chunk(&format!("No tool needed: {question}")));
    }
    pieces.push(done());
    pieces
}

fn done() -> Bytes {
    Bytes::from_static(b"data: [DONE]\n\n")
}

/// A stream of `pieces`, one every `delay`, noticing a client that goes away.
fn stream(shared: &Shared, pieces: Vec<Bytes>, delay: Duration, hang: bool) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(1);
    let shared = shared.clone();
    tokio::spawn(async move {
        let mut gone = false;
        for piece in pieces {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if tx.send(Ok(piece)).await.is_err() {
                gone = true;
                break;
            }
        }
        if hang && !gone {
            tx.closed().await;
            gone = true;
        }
        if gone {
            shared.closed_early.fetch_add(1, Ordering::SeqCst);
            shared.closed_notify.notify_waiters();
        }
    });
    (
        [("content-type", "text/event-stream")],
        Body::from_stream(ReceiverStream::new(rx)),
    )
        .into_response()
}

/// Words that mean the same to the `embed` model.
const SYNONYMS: &[(&str, &str)] = &[
    ("automobile", "car"),
    ("vehicle", "car"),
    ("lorry", "truck"),
];

/// The `embed` model's vector of `text`.
fn embedding_of(text: &str) -> Vec<f32> {
    let mut vector = vec![0.0f32; 64];
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        let word = SYNONYMS
            .iter()
            .find(|(w, _)| *w == word)
            .map_or(word.as_str(), |(_, same)| same);
        let bucket = word
            .bytes()
            .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        vector[(bucket % 64) as usize] += 1.0;
    }
    vector
}

async fn embeddings(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !authorized(&shared, &headers) {
        return unauthorized();
    }
    if body["model"] != "embed" {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {"message": "no such embedding model"}})),
        )
            .into_response();
    }
    let inputs: Vec<String> = match &body["input"] {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect(),
        _ => Vec::new(),
    };
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(index, text)| json!({"object": "embedding", "index": index, "embedding": embedding_of(text)}))
        .collect();
    Json(json!({"object": "list", "data": data, "model": "embed"})).into_response()
}

async fn completions(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !authorized(&shared, &headers) {
        return unauthorized();
    }
    shared.requests.lock().unwrap().push(body.clone());
    let model = body["model"].as_str().unwrap_or_default().to_owned();
    let last = body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_owned();
    let words = |text: &str| -> Vec<Bytes> { text.split_inclusive(' ').map(chunk).collect() };
    match model.as_str() {
        "echo" | "no-usage-option" => {
            if model == "no-usage-option" && body.get("stream_options").is_some() {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": {"message": "unknown field stream_options"}})),
                )
                    .into_response();
            }
            let mut pieces = words(&format!("You said: {last}"));
            if body["stream_options"]["include_usage"] == true {
                pieces.push(usage_chunk(11, pieces.len() as i64));
            }
            pieces.push(done());
            stream(&shared, pieces, Duration::ZERO, false)
        }
        "slow" => {
            let pieces = (0..600).map(|i| chunk(&format!("t{i} "))).collect();
            stream(&shared, pieces, Duration::from_millis(100), false)
        }
        "cut" => stream(
            &shared,
            vec![chunk("Half "), chunk("an answer")],
            Duration::ZERO,
            false,
        ),
        "html" => {
            let pieces = vec![
                chunk("Look: <script>window.pwned = 1</script> "),
                chunk("<img src=x onerror=\"window.pwned = 2\"> **bold**"),
                done(),
            ];
            stream(&shared, pieces, Duration::ZERO, false)
        }
        "hang" => stream(&shared, Vec::new(), Duration::ZERO, true),
        "tool" => stream(&shared, tool_answer(&body), Duration::ZERO, false),
        "broken" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": {"message": "the GPU caught fire"}})),
        )
            .into_response(),
        _ => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {"message": format!("model {model} not found")}})),
        )
            .into_response(),
    }
}
