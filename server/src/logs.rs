//! The server's recent log lines for Admin → Logs: a tracing layer keeps the last
//! [`CAPACITY`] lines in memory and hands each new one to whoever follows live.
//!
//! It holds exactly what the log says (after `RUST_LOG`'s filter); Gantry never logs
//! secrets (connection keys, module secret settings, passwords, tokens), so neither
//! does this.

use std::{
    collections::VecDeque,
    fmt::Write as _,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};

use app::logs_api::{LogLine, LogQuery};
use tokio::sync::broadcast;
use tracing::{
    field::{Field, Visit},
    Event, Subscriber,
};
use tracing_subscriber::{layer::Context, Layer};

/// How many lines are kept.
pub const CAPACITY: usize = 2000;

/// The last [`CAPACITY`] lines, and the live ones.
#[derive(Clone)]
pub struct LogBuffer(Arc<Inner>);

struct Inner {
    lines: Mutex<VecDeque<LogLine>>,
    live: broadcast::Sender<LogLine>,
    next_id: AtomicU64,
}

impl std::fmt::Debug for LogBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogBuffer").finish_non_exhaustive()
    }
}

impl Default for LogBuffer {
    fn default() -> Self {
        Self(Arc::new(Inner {
            lines: Mutex::new(VecDeque::with_capacity(CAPACITY)),
            live: broadcast::channel(256).0,
            next_id: AtomicU64::new(1),
        }))
    }
}

impl LogBuffer {
    /// The layer that fills this buffer, for the tracing subscriber.
    pub fn layer(&self) -> LogLayer {
        LogLayer(self.clone())
    }

    /// The kept lines that pass `query`, oldest first.
    pub fn recent(&self, query: &LogQuery) -> Vec<LogLine> {
        let lines = self.0.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines.iter().filter(|l| query.matches(l)).cloned().collect()
    }

    /// Every line from now on (a follower that falls behind misses some).
    pub fn follow(&self) -> broadcast::Receiver<LogLine> {
        self.0.live.subscribe()
    }

    fn push(&self, mut line: LogLine) {
        line.id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut lines = self.0.lines.lock().unwrap_or_else(|e| e.into_inner());
            if lines.len() == CAPACITY {
                lines.pop_front();
            }
            lines.push_back(line.clone());
        }
        // Nobody following is fine.
        let _ = self.0.live.send(line);
    }
}

/// A tracing layer writing each event into a [`LogBuffer`].
pub struct LogLayer(LogBuffer);

impl<S: Subscriber> Layer<S> for LogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let at_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.0.push(LogLine {
            id: 0,
            at_ms,
            level: event.metadata().level().to_string(),
            target: event.metadata().target().to_owned(),
            module: fields.module,
            message: fields.message + &fields.rest,
        });
    }
}

/// An event's message, its `module` field, and the others as ` key=value`.
#[derive(Default)]
struct Fields {
    message: String,
    module: Option<String>,
    rest: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_owned(),
            "module" => self.module = Some(value.to_owned()),
            name => {
                let _ = write!(self.rest, " {name}={value}");
            }
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "module" => self.module = Some(format!("{value:?}").trim_matches('"').to_owned()),
            name => {
                let _ = write!(self.rest, " {name}={value:?}");
            }
        }
    }
}
