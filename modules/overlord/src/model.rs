//! The JSON of the Overlord's API, shared by its backend and its frontend.

use serde::{Deserialize, Serialize};

/// A project's health as last checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// Not checked yet, or it has no health URL.
    Unknown,
    Up,
    Down,
}

impl Health {
    /// The stored and displayed word.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Up => "up",
            Health::Down => "down",
        }
    }

    /// Parses [`Health::as_str`]'s output (anything else is `Unknown`).
    pub fn parse(text: &str) -> Self {
        match text {
            "up" => Health::Up,
            "down" => Health::Down,
            _ => Health::Unknown,
        }
    }
}

/// A project the Overlord watches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: i64,
    pub name: String,
    /// Where it lives: a repository URL or a path.
    pub location: String,
    /// Answers 2xx when the project is healthy.
    pub health_url: Option<String>,
    /// Receives dispatched tasks as a JSON `POST`.
    pub dispatch_url: Option<String>,
    pub health: Health,
    /// Why it is down (or what it said).
    pub health_detail: Option<String>,
    /// Unix seconds.
    pub last_checked_at: Option<i64>,
}

/// Creating or editing a project.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInput {
    pub name: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub health_url: Option<String>,
    #[serde(default)]
    pub dispatch_url: Option<String>,
}

/// How urgent a task is; higher runs first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
}

impl Priority {
    /// The stored rank.
    pub fn rank(self) -> i64 {
        match self {
            Priority::Low => 0,
            Priority::Normal => 1,
            Priority::High => 2,
        }
    }

    /// The priority of a stored rank.
    pub fn from_rank(rank: i64) -> Self {
        match rank {
            i64::MIN..=0 => Priority::Low,
            1 => Priority::Normal,
            _ => Priority::High,
        }
    }
}

/// Where a task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl TaskState {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Done => "done",
            TaskState::Failed => "failed",
            TaskState::Cancelled => "cancelled",
        }
    }

    /// Parses [`TaskState::as_str`]'s output.
    pub fn parse(text: &str) -> Option<Self> {
        [
            TaskState::Queued,
            TaskState::Running,
            TaskState::Done,
            TaskState::Failed,
            TaskState::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A task dispatched to a project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: i64,
    pub project_id: i64,
    pub project: String,
    pub instruction: String,
    pub priority: Priority,
    pub state: TaskState,
    /// What the project answered, or why it failed.
    pub result: Option<String>,
    /// The username who dispatched it.
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Every state it went through, oldest first.
    pub history: Vec<TaskEvent>,
}

/// One step of a task's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskEvent {
    pub at: i64,
    pub state: TaskState,
    pub note: Option<String>,
}

/// Dispatching a task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInput {
    pub project_id: i64,
    pub instruction: String,
    pub priority: Priority,
}

/// A memory entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    pub id: i64,
    pub key: String,
    pub content: String,
    pub tags: Vec<String>,
    pub source_project: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Creating or editing a memory entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryInput {
    pub key: String,
    pub content: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub source_project: Option<String>,
}

/// A page of memory entries, newest change first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryPage {
    pub entries: Vec<Memory>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// The background worker's state (`GET /status`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerStatus {
    /// When it last checked the projects and sent tasks (Unix seconds).
    pub last_round_at: Option<i64>,
}

/// Tags as stored: lower-case, trimmed, unique, comma-separated between commas
/// (`,a,b,`), so that `,tag,` matches one tag exactly.
pub fn tags_to_column(tags: &[String]) -> String {
    let mut clean: Vec<String> = tags
        .iter()
        .map(|t| t.trim().to_lowercase().replace(',', " "))
        .filter(|t| !t.is_empty())
        .collect();
    clean.sort();
    clean.dedup();
    if clean.is_empty() {
        String::new()
    } else {
        format!(",{},", clean.join(","))
    }
}

/// The tags of a stored column.
pub fn tags_from_column(column: &str) -> Vec<String> {
    column
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_cleaned() {
        let column = tags_to_column(&["Rust".into(), " infra ".into(), "rust".into(), "".into()]);
        assert_eq!(column, ",infra,rust,");
        assert_eq!(tags_from_column(&column), ["infra", "rust"]);
        assert_eq!(tags_to_column(&[]), "");
    }

    #[test]
    fn priorities_rank_and_states_parse() {
        assert!(Priority::High > Priority::Low);
        for p in [Priority::Low, Priority::Normal, Priority::High] {
            assert_eq!(Priority::from_rank(p.rank()), p);
        }
        assert_eq!(TaskState::parse("running"), Some(TaskState::Running));
        assert_eq!(TaskState::parse("nope"), None);
    }
}
